"""What an editor asks for: the post type, topic, audience, channel, tone and length of a draft."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

POST_TYPES: dict[str, str] = {
    "policy_explainer": "政策解读",
    "product_intro": "产品介绍",
    "event_notice": "活动通知",
    "faq_digest": "问答汇编",
    "case_story": "案例故事",
}
CHANNELS: dict[str, str] = {
    "wechat_article": "公众号文章",
    "group_message": "社群群消息",
    "moments": "朋友圈/微博短帖",
    "event_notice": "活动通知",
}
LENGTHS: dict[str, str] = {"short": "短", "medium": "中", "long": "长"}
# Chinese spellings editors type, mapped onto the ids above.
_LENGTH_ALIASES = {"短": "short", "短篇": "short", "中": "medium", "中等": "medium", "长": "long", "长篇": "long"}
_CHARS_RE = re.compile(r"^\s*(\d{2,5})\s*(?:字|chars?)?\s*$")
MIN_CHARS, MAX_CHARS = 60, 5000
MAX_TOPIC, MAX_FIELD = 200, 100


@dataclass(frozen=True)
class Brief:
    """An editor's request for a draft. Call ``validate()`` (or ``normalised()``) before using it."""

    type: str
    topic: str
    audience: str | None = None
    channel: str | None = None
    tone: str | None = None
    length: str | None = None

    def validate(self) -> None:
        """Raise ValueError with a bilingual message for an unknown type/channel/length or an empty topic."""
        if self.type not in POST_TYPES:
            known = "、".join(f"{k}（{v}）" for k, v in POST_TYPES.items())
            raise ValueError(f"未知的稿件类型 {self.type!r}，可选：{known} / unknown post type {self.type!r}")
        if not self.topic or not self.topic.strip():
            raise ValueError("主题不能为空 / the topic is empty")
        if len(self.topic.strip()) > MAX_TOPIC:
            raise ValueError(f"主题不能超过{MAX_TOPIC}个字 / the topic is longer than {MAX_TOPIC} characters")
        if self.channel is not None and self.channel not in CHANNELS:
            known = "、".join(f"{k}（{v}）" for k, v in CHANNELS.items())
            raise ValueError(f"未知的发布渠道 {self.channel!r}，可选：{known} / unknown channel {self.channel!r}")
        for name in ("audience", "tone"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FIELD:
                raise ValueError(f"{name} 不能超过{MAX_FIELD}个字 / {name} is longer than {MAX_FIELD} characters")
        if self.length is not None:
            length_chars(self.length)  # raises on an unknown length

    def normalised(self) -> Brief:
        """The validated brief with whitespace trimmed, the channel defaulted and the length as an id or count."""
        self.validate()
        length = self.length.strip() if self.length else None
        if length in _LENGTH_ALIASES:
            length = _LENGTH_ALIASES[length]
        return Brief(
            type=self.type,
            topic=self.topic.strip(),
            audience=(self.audience or "").strip() or None,
            channel=self.channel or default_channel(self.type),
            tone=(self.tone or "").strip() or None,
            length=length or None,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        names = ("type", "topic", "audience", "channel", "tone", "length")
        return cls(**{name: data.get(name) for name in names})  # type: ignore[arg-type]


def default_channel(post_type: str) -> str:
    """Event notices go out as notices; everything else defaults to a 公众号 article."""
    return "event_notice" if post_type == "event_notice" else "wechat_article"


def length_chars(length: str | None) -> int | float:
    """A length as a character count (an explicit number) or a scale factor (short/medium/long).

    Returns an ``int`` for an explicit count and a ``float`` factor otherwise; ValueError when unreadable.
    """
    if length is None or not length.strip():
        return 1.0
    value = length.strip()
    key = _LENGTH_ALIASES.get(value, value)
    factors = {"short": 0.6, "medium": 1.0, "long": 1.6}
    if key in factors:
        return factors[key]
    match = _CHARS_RE.match(value)
    if match and MIN_CHARS <= int(match.group(1)) <= MAX_CHARS:
        return int(match.group(1))
    raise ValueError(
        f"无法识别的篇幅 {length!r}：可填 short/medium/long（短/中/长）或{MIN_CHARS}—{MAX_CHARS}之间的字数 / "
        f"unknown length {length!r}: use short, medium, long or a character count"
    )
