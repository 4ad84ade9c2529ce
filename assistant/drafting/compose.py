"""Offline drafts: a post type's template filled with facts copied verbatim from the retrieved passages.

Every fact is a sentence or table row of a passage, cited ``[n]``; the glue (headings, intros, closing, risk
note, AI label) comes from the template and carries no figures, so a draft can only state numbers its cited
sources state. Facts that break a compliance rule on their own are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.compliance import check
from assistant.drafting.brief import Brief
from assistant.drafting.sources import section_path
from assistant.drafting.templates import DraftTemplate, Section, fill
from assistant.drafting.types import NoSourcesError
from assistant.llm.extractive import similar, split_units
from assistant.llm.offline import DRAFT_LABEL, RISK_NOTE
from knowledge.text import cn_numeral, heading_number
from knowledge.types import SearchResult

RISK_TYPES = frozenset({"product_intro", "policy_explainer", "case_story"})
RATE_WORDS = ("利率", "年化", "费率", "利息", "费用", "担保费", "贴息")
_SKIP_RE = re.compile(r"虚构示例|均为虚构|仅用于演示")
_DIGIT_RE = re.compile(r"\d")
_ROW_NUMBER_RE = re.compile(r"^\d{1,2}[：:](?!\d)\s*")  # "1：营业执照…" from a numbered table
_TRAILING = "。；;，,、：: \t"
_MIN_FACT_CHARS = 6


def _without_number(heading: str) -> str:
    """The heading without its ordinal prefix ("三、适用对象" → "适用对象")."""
    number = heading_number(heading)
    return heading[number[1] :] if number else heading


@dataclass(frozen=True)
class Fact:
    passage: int
    text: str


@dataclass
class Block:
    """A filled section: its heading, intro and facts (or question/answer pairs for a Q&A section)."""

    section: Section
    facts: list[Fact]
    question: str = ""


class _Citer:
    """Numbers passages in the order the draft first cites them."""

    def __init__(self) -> None:
        self.order: list[int] = []

    def __call__(self, passage: int) -> str:
        if passage not in self.order:
            self.order.append(passage)
        return f"[{self.order.index(passage) + 1}]"


def _clause(text: str) -> str:
    return _ROW_NUMBER_RE.sub("", text.strip()).rstrip(_TRAILING)


def _usable(text: str) -> bool:
    return len(text) >= _MIN_FACT_CHARS and not _SKIP_RE.search(text) and not check(text, context="post").errors


def _facts_by_passage(passages: Sequence[SearchResult]) -> dict[int, list[Fact]]:
    facts: dict[int, list[Fact]] = {}
    for i, p in enumerate(passages):
        units = split_units(i, p.text, p.heading, p.title)
        clauses = (_clause(u.text) for u in units)
        facts[i] = [Fact(i, clause) for clause in clauses if _usable(clause)]
    return facts


def _matches(passage: SearchResult, words: Sequence[str]) -> bool:
    return any(word in name for name in section_path(passage) for word in words)


class _Picker:
    """Chooses facts for sections without repeating a fact (or a near-duplicate of one)."""

    def __init__(self, passages: Sequence[SearchResult], *, prefer_figures: bool = False) -> None:
        self.passages = passages
        self.prefer_figures = prefer_figures
        self.facts = _facts_by_passage(passages)
        self.main = passages[0].source
        self.used: list[Fact] = []

    def _fresh(self, fact: Fact) -> bool:
        return all(fact != u and not similar(fact.text, u.text) for u in self.used)

    def take(self, candidates: list[Fact], limit: int) -> list[Fact]:
        if self.prefer_figures:
            candidates = sorted(candidates, key=lambda f: not _DIGIT_RE.search(f.text))
        chosen: list[Fact] = []
        for fact in candidates:
            if len(chosen) == limit:
                break
            if self._fresh(fact):
                chosen.append(fact)
                self.used.append(fact)
        return chosen

    def section(self, section: Section, limit: int) -> list[Fact]:
        main = [i for i, p in enumerate(self.passages) if p.source == self.main]
        if section.kind == "lead":
            indexes = [
                i for i in main if not section_path(self.passages[i]) or _matches(self.passages[i], section.match)
            ]
            return self.take([f for i in indexes for f in self.facts[i]], limit)
        indexes = [i for i in main if section.match and _matches(self.passages[i], section.match)]
        candidates = [f for i in indexes for f in self.facts[i]]
        if section.contains:
            candidates += [f for i in main for f in self.facts[i] if any(w in f.text for w in section.contains)]
        return self.take(candidates, limit)

    def questions(self, section: Section, count: int, per_answer: int) -> list[Block]:
        blocks: list[Block] = []
        for i, passage in enumerate(self.passages):
            path = section_path(passage)
            if len(blocks) == count or not path:
                continue
            answer = self.take(self.facts[i], per_answer)
            if answer:
                blocks.append(Block(section, answer, question=_without_number(path[-1])))
        return blocks


def _subject(passage: SearchResult) -> str:
    return str(passage.metadata.get("product") or passage.title)


def plan(brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult], reserved: int = 0) -> list[Block]:
    """The sections to write, each with its facts, within the channel's character budget.

    ``reserved`` is what the title and lead already take. The first fact is always kept; after it, facts
    that do not fit are skipped. Short posts (朋友圈) skip the lead section and prefer facts with figures.
    """
    chars, per_section = template.budget(brief)
    budget = chars - reserved
    short = brief.channel == "moments"
    picker = _Picker(passages, prefer_figures=short)
    blocks: list[Block] = []
    used = 0
    sections = [s for s in template.sections if not (short and s.kind == "lead")] or list(template.sections)
    for section in sections:
        if section.kind == "qa":
            per_answer = 2 if brief.channel == "wechat_article" else 1
            candidates = picker.questions(section, per_section, per_answer)
        else:
            limit = min(per_section, 2) if section.kind == "lead" else per_section
            facts = picker.section(section, limit)
            candidates = [Block(section, facts)] if facts else []
        for block in candidates:
            kept: list[Fact] = []
            for fact in block.facts:
                cost = len(fact.text) + len(block.question) + 4
                if (blocks or kept) and used + cost > budget:
                    continue
                kept.append(fact)
                used += cost
            if kept:
                blocks.append(Block(section, kept, block.question))
    return blocks


def _with_marker(sentence: str, marker: str) -> str:
    """Put the marker before the closing punctuation of a glue sentence."""
    body = sentence.rstrip("。")
    return f"{body}{marker}。" if body != sentence else f"{sentence}{marker}"


def _notes(brief: Brief, blocks: list[Block]) -> str:
    text = "".join(f.text for b in blocks for f in b.facts)
    return RISK_NOTE if brief.type in RISK_TYPES or any(w in text for w in RATE_WORDS) else ""


def _facts_inline(block: Block, cite: _Citer) -> str:
    return "；".join(f"{f.text}{cite(f.passage)}" for f in block.facts) + "。"


def _sentences(block: Block, cite: _Citer) -> str:
    return "".join(f"{f.text}{cite(f.passage)}。" for f in block.facts)


def _article(title: str, lead: str, blocks: list[Block], cite: _Citer, audience: str) -> list[str]:
    parts = [f"# {title}"] + ([f"> 写给：{audience}"] if audience else []) + [lead]
    for block in blocks:
        if block.question:
            parts += [f"**{block.question}**", _sentences(block, cite)]
            continue
        parts.append(f"## {block.section.heading}")
        if block.section.kind == "lead":
            parts.append(_sentences(block, cite))
        else:
            items = "\n".join(f"- {f.text}{cite(f.passage)}" for f in block.facts)
            parts.append(f"{block.section.intro}\n\n{items}" if block.section.intro else items)
    return parts


def _notice(title: str, lead: str, blocks: list[Block], cite: _Citer) -> list[str]:
    parts = [f"**{title}**", "各位会员：", lead]
    for number, block in enumerate(blocks):
        parts.append(
            f"{cn_numeral(number + 1)}、{block.question or block.section.heading}\n{_facts_inline(block, cite)}"
        )
    return parts


def _group(title: str, lead: str, blocks: list[Block], cite: _Citer) -> list[str]:
    lines = [f"【{title}】", lead]
    for block in blocks:
        label = f"问：{block.question}\n答：" if block.question else f"▶ {block.section.heading}："
        lines.append(label + _facts_inline(block, cite))
    return lines


def _render(
    brief: Brief, template: DraftTemplate, title: str, lead: str, blocks: list[Block], risk: str
) -> tuple[str, list[int]]:
    cite = _Citer()
    channel = brief.channel or "wechat_article"
    if channel == "moments":
        body = "；".join(f"{f.text}{cite(f.passage)}" for block in blocks for f in block.facts)
        note = f"风险提示：{risk}" if risk else ""
        return f"【{title}】{body}。{note}{DRAFT_LABEL}", cite.order
    lead = _with_marker(lead, cite(0)) if lead else ""
    if channel == "group_message":
        lines = _group(title, lead, blocks, cite)
        lines += [template.closing] + ([f"风险提示：{risk}"] if risk else []) + [DRAFT_LABEL]
        return "\n".join(line for line in lines if line), cite.order
    if channel == "event_notice":
        parts = _notice(title, lead, blocks, cite) + ([f"风险提示：{risk}"] if risk else [])
    else:
        audience = brief.audience if brief.audience and not _DIGIT_RE.search(brief.audience) else ""
        parts = _article(title, lead, blocks, cite, audience) + ([f"**风险提示**：{risk}"] if risk else [])
    parts += [template.closing, DRAFT_LABEL]
    return "\n\n".join(p for p in parts if p), cite.order


def compose(brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]) -> tuple[str, list[int]]:
    """The draft text and the passage indexes it cites, in citation-number order ([1] is the first)."""
    main = passages[0]
    values = {"doc_title": main.title, "subject": _subject(main)}
    title = fill(template.title, values)
    lead = fill(template.lead, values) if template.lead else ""
    reserved = len(title) + (0 if brief.channel == "moments" else len(lead))
    blocks = plan(brief, template, passages, reserved)
    if not blocks:
        raise NoSourcesError("资料中没有可以写进稿件的内容 / the sources hold nothing to draft from")
    risk = _notes(brief, blocks)
    text, order = _render(brief, template, title, lead, blocks, risk)
    if not risk and "risk.missing_statement" in check(text, context="post").rule_ids():
        text, order = _render(brief, template, title, lead, blocks, RISK_NOTE)
    return text, order
