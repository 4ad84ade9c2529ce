"""Post-type templates: ``prompts/drafts/<type>.md`` — YAML front matter (structure, per-channel length) and a
prompt body for model-written drafts. The offline composer fills the same structure with extracted facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from assistant.drafting.brief import CHANNELS, LENGTHS, POST_TYPES, Brief, length_chars

_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECTION_KINDS = ("facts", "lead", "qa")


class TemplateError(Exception):
    """A template file is missing or malformed (a packaging or editing mistake, not user input)."""


@dataclass(frozen=True)
class Section:
    """One section of a post: which source sections feed it (heading keywords) and how it opens."""

    heading: str
    kind: str = "facts"
    match: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()  # or: units whose own text contains one of these words
    intro: str = ""
    describe: str = ""


@dataclass(frozen=True)
class ChannelSpec:
    chars: int
    facts: int
    guide: str


@dataclass(frozen=True)
class DraftTemplate:
    type: str
    label: str
    category: str | None
    title: str
    lead: str
    closing: str
    sections: tuple[Section, ...]
    channels: dict[str, ChannelSpec] = field(default_factory=dict)
    body: str = ""

    def channel(self, channel: str) -> ChannelSpec:
        return self.channels.get(channel) or self.channels["wechat_article"]

    def budget(self, brief: Brief) -> tuple[int, int]:
        """(character budget, facts per section) for the brief's channel and length."""
        spec = self.channel(brief.channel or "wechat_article")
        length = length_chars(brief.length)
        if isinstance(length, int):
            factor = length / spec.chars
            return length, max(1, round(spec.facts * min(factor, 2.0)))
        return int(spec.chars * length), max(1, round(spec.facts * length))

    def structure(self) -> str:
        """The section structure as a numbered list, for the model prompt."""
        return "\n".join(f"{i}. {s.heading}：{s.describe}" for i, s in enumerate(self.sections, 1))

    def prompt(self, brief: Brief) -> str:
        """The instructions a model gets for this brief (the passages are sent separately)."""
        channel = brief.channel or "wechat_article"
        chars, _ = self.budget(brief)
        guide = self.channel(channel).guide
        if brief.length:
            guide += f"（编辑要求篇幅：{LENGTHS.get(brief.length, brief.length)}，约{chars}字以内）"
        values = {
            "type_label": self.label,
            "topic": brief.topic,
            "audience": brief.audience or "融资社区会员（中小企业主、个体工商户、企业财务人员）",
            "channel": CHANNELS.get(channel, channel),
            "tone": brief.tone or "专业、亲切、易懂",
            "length_guidance": guide,
            "structure": self.structure(),
        }
        return fill(self.body, values).strip()


def fill(template: str, values: dict[str, Any]) -> str:
    """Replace ``{name}`` placeholders that have a value; other braces stay as they are."""
    return _PLACEHOLDER_RE.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def _section(data: dict[str, Any]) -> Section:
    kind = str(data.get("kind", "facts"))
    if kind not in SECTION_KINDS:
        raise TemplateError(f"unknown section kind {kind!r}")
    return Section(
        heading=str(data["heading"]),
        kind=kind,
        match=tuple(str(w) for w in data.get("match", ())),
        contains=tuple(str(w) for w in data.get("contains", ())),
        intro=str(data.get("intro", "")),
        describe=str(data.get("describe", "")),
    )


def parse_template(post_type: str, source: str) -> DraftTemplate:
    """A template from its file text."""
    match = _FRONT_MATTER_RE.match(source)
    if not match:
        raise TemplateError(f"draft template {post_type!r} has no YAML front matter")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
        channels = {
            name: ChannelSpec(int(spec["chars"]), int(spec["facts"]), str(spec.get("guide", "")))
            for name, spec in (meta.get("channels") or {}).items()
        }
        template = DraftTemplate(
            type=post_type,
            label=str(meta.get("label") or POST_TYPES.get(post_type, post_type)),
            category=meta.get("category"),
            title=str(meta["title"]),
            lead=str(meta.get("lead", "")),
            closing=str(meta.get("closing", "")),
            sections=tuple(_section(s) for s in meta["sections"]),
            channels=channels,
            body=source[match.end() :],
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise TemplateError(f"draft template {post_type!r} is malformed: {error}") from error
    if "wechat_article" not in template.channels:
        raise TemplateError(f"draft template {post_type!r} needs a wechat_article channel")
    return template


@lru_cache(maxsize=16)
def load_template(post_type: str) -> DraftTemplate:
    """The template of a post type (``prompts/drafts/<type>.md``), cached."""
    if post_type not in POST_TYPES:
        raise TemplateError(f"unknown post type {post_type!r}")
    path = resources.files("prompts").joinpath("drafts", f"{post_type}.md")
    if not path.is_file():
        raise TemplateError(f"draft template prompts/drafts/{post_type}.md is missing")
    return parse_template(post_type, path.read_text(encoding="utf-8"))
