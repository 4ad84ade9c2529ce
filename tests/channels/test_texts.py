"""An agent reply as one platform text message: sources as numbered lines, within 2048 bytes."""

from __future__ import annotations

from assistant.channels.texts import MAX_BYTES, render_reply
from assistant.service.types import Citation


def test_sources_follow_the_answer_as_numbered_lines() -> None:
    cites = [Citation("products/a.md", "甲产品说明", "…"), Citation("faq/b.md", "", "…")]
    assert render_reply("答复正文[1][2]", cites) == "答复正文[1][2]\n\n来源：\n1. 甲产品说明\n2. faq/b.md"
    assert render_reply("没有来源的答复", []) == "没有来源的答复"


def test_a_long_answer_is_shortened_and_keeps_its_sources() -> None:
    text = render_reply("很长的答复。" * 400, [Citation("a.md", "标题一", "")])
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert text.endswith("…\n\n来源：\n1. 标题一")
