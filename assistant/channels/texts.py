"""What the channels say themselves (welcome, non-text, failures) and how an agent reply becomes one text
message: the answer, then its numbered sources as short lines, within the platforms' 2048-byte limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_BYTES = 2000  # text messages (passive and customer-service) take at most 2048 bytes
WELCOME = (
    "您好，欢迎关注！我是融资服务助手，可以解答融资产品、申请条件和政策问题，"
    "也可以为您转接客户经理。请直接输入您的问题，例如“申请条件有哪些？”。"
)
NOT_TEXT = "抱歉，目前只能阅读文字消息。请用文字描述您的问题，我会尽快为您解答。"
TOO_LONG = "抱歉，这条消息为空或过长，请精简后再发一次。"
FAILED = "抱歉，系统暂时无法回答，请稍后再试，或回复“人工”联系客户经理。"


def _fit(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(0, limit - 3)].decode("utf-8", "ignore") + "…"


def render_reply(answer: str, citations: Sequence[Any]) -> str:
    """The answer with "来源：" lines (1. title); the answer is shortened first when the whole is too long."""
    lines = [f"{n}. {c.title or c.source}" for n, c in enumerate(citations, start=1)]
    sources = ("\n\n来源：\n" + "\n".join(lines)) if lines else ""
    sources = _fit(sources, MAX_BYTES // 2)
    return _fit(answer.strip(), MAX_BYTES - len(sources.encode("utf-8"))) + sources
