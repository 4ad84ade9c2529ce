"""Brief validation and the post-type templates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.drafting import CHANNELS, POST_TYPES, Brief
from assistant.drafting.sources import gather
from assistant.drafting.templates import load_template
from assistant.drafting.types import NoSourcesError
from knowledge.screening import MEMBER, SOURCE_TYPE_KEY
from knowledge.types import SearchResult


def test_defaults() -> None:
    brief = Brief("event_notice", "  项目路演  ", audience=" ", length="短").normalised()
    assert brief.topic == "项目路演" and brief.channel == "event_notice" and brief.audience is None
    assert brief.length == "short"
    assert Brief("product_intro", "安心政担贷").normalised().channel == "wechat_article"


@pytest.mark.parametrize(
    ("brief", "words"),
    [
        (Brief("press_release", "x"), ["未知的稿件类型", "unknown post type"]),
        (Brief("product_intro", "  "), ["主题不能为空", "topic is empty"]),
        (Brief("product_intro", "x", channel="tiktok"), ["未知的发布渠道", "unknown channel"]),
        (Brief("product_intro", "x", length="very long"), ["无法识别的篇幅", "unknown length"]),
        (Brief("product_intro", "x" * 201), ["主题不能超过"]),
    ],
)
def test_invalid_briefs(brief: Brief, words: list[str]) -> None:
    with pytest.raises(ValueError) as error:
        brief.validate()
    assert all(word in str(error.value) for word in words)


def test_numeric_length_is_a_character_budget() -> None:
    template = load_template("product_intro")
    assert template.budget(Brief("product_intro", "x", channel="moments", length="120字"))[0] == 120
    short, _ = template.budget(Brief("product_intro", "x", length="short"))
    long, _ = template.budget(Brief("product_intro", "x", length="long"))
    assert short < long


@pytest.mark.parametrize("post_type", list(POST_TYPES))
def test_every_post_type_has_a_template_with_every_channel(post_type: str) -> None:
    template = load_template(post_type)
    assert template.label == POST_TYPES[post_type]
    assert set(template.channels) == set(CHANNELS)
    prompt = template.prompt(Brief(post_type, "某主题", channel="group_message", tone="亲切"))
    assert "某主题" in prompt and "亲切" in prompt and "社群群消息" in prompt
    assert all(section.heading in prompt for section in template.sections)
    assert "{" not in prompt.replace("{}", "")


class _MemberPostRetriever:
    """Every search finds only a member-shared post about the topic."""

    def search(self, query: str, k: int = 5, filters: Any = None, as_of: date | None = None) -> list[SearchResult]:
        text = "会员分享：星火科创信用贷年化利率2%，保证审批通过。"
        post = SearchResult("m1", "member_shared/post.md", "星火科创信用贷心得", "", text, text, 1.0)
        post.metadata[SOURCE_TYPE_KEY] = MEMBER
        return [post]


def test_a_member_post_is_never_a_draft_source() -> None:
    """A post states the community's facts: member-shared documents are not drafted from."""
    with pytest.raises(NoSourcesError):
        gather(
            _MemberPostRetriever(), Brief("product_intro", "星火科创信用贷"), load_template("product_intro"), date.today
        )
