"""Sentence units and question analysis for the offline extractive model (no network, deterministic).

The scoring of units against a question is the reader's (``assistant.llm.reader``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import jieba

from knowledge.text import answer_kinds, bounds, query_stopwords
from knowledge.units import TableRow, answer_units, render_row

jieba.setLogLevel(logging.WARNING)

_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]+")
_STOP_CHARS = "的了吗呢吧啊呀么哦嗯"


@cache
def _stop_phrases() -> tuple[str, ...]:
    return tuple(sorted((w for w in query_stopwords() if len(w) > 1), key=len, reverse=True))


def split_units(passage: int, text: str, heading: str = "", title: str = "") -> list[Unit]:
    """Citable units of a passage: sentences/clauses, table rows; title, headings, lead-ins are context."""
    return [
        Unit(passage, position, unit.text, unit.context, title, unit.row)
        for position, unit in enumerate(answer_units(text, heading, title))
    ]


@dataclass(frozen=True)
class Unit:
    """A citable sentence or clause of one passage, with the heading/lead-in text it sits under."""

    passage: int  # 0-based index into the request passages
    position: int
    text: str
    context: str
    title: str = ""  # the document's title (also part of the context)
    row: TableRow | None = None  # the table row the unit was made from

    @property
    def shown(self) -> str:
        """The unit as a reply says it: a table row as a sentence (its cells verbatim), else its text."""
        return render_row(self.row) if self.row is not None else self.text


# What a question asks for, and the wording of a sentence that can answer it (data: lexicons/answer_kinds.yaml).
# A unit showing the kind of value asked for (a duration for 多久, a date for 什么时候, a venue for 在哪里 …) is
# preferred.
_KIND_RES = tuple((k.name, re.compile(k.cue), re.compile(k.answer)) for k in answer_kinds())
# Kinds that answer for one another: a duration answers 什么时候 as well as a date does.
KIND_GROUPS = {k.name: k.group for k in answer_kinds() if k.group != k.name}
_CONJUNCTION_RE = re.compile(r"和|及|与|以及|、|还有|跟|分别")
# The bounds a question can ask for (最多, 最低) and how a unit marks a figure as one (data: lexicons/bounds.yaml).
_BOUND_RES = tuple((b.name, re.compile(b.cue), re.compile(b.before), re.compile(b.after)) for b in bounds())
BOUND_WINDOW = 8  # characters before a figure read for its bound marker (每笔金额不低于5万元: 不低于 is read)
_RANGE_IN_RE = re.compile(r"\d\s*[—\-~～至到]\s*\d")
_RANGE_BEFORE_RE = re.compile(r"[—\-~～至到]\s*$")
_RANGE_AFTER_RE = re.compile(r"^\s*[—\-~～至到]\s*\d")
# Asks for the members of a set rather than one value: 哪些, 哪几, 都有什么/都要什么, 清单.
_LISTING_RE = re.compile(r"哪些|哪几[个样项种类]|都(?:有|要|需要|包括)(?:些)?(?:什么|啥)|清单|列表")


@dataclass(frozen=True)
class Query:
    """The question reduced to weighted content tokens and character bigrams, plus what it asks for."""

    tokens: dict[str, int]
    bigrams: frozenset[str]
    kinds: tuple[str, ...] = ()  # answer kinds asked for (duration, date, place, percent, money, count, age)
    several: bool = False  # asks for two or more things at once (额度和期限)
    listing: bool = False  # asks for the items of a list (需要哪些材料): a list answers as a whole
    bound: str | None = None  # the one bound asked for (upper: 最多能贷多少; lower: 最低利率), lexicons/bounds.yaml

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.bigrams


@lru_cache(maxsize=8192)
def bigrams_of(text: str) -> frozenset[str]:
    """Character bigrams of the text's word runs (cached: the same passages come back question after question)."""
    grams: set[str] = set()
    for run in _WORD_RE.findall(text.lower()):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


def has_kind(kind: str, text: str) -> bool:
    return any(name == kind and answer.search(text) for name, _, answer in _KIND_RES)


def holds_asked(kinds: tuple[str, ...] | list[str], text: str) -> bool:
    """The text shows one of the kinds of value asked for (yes/no aside): a rate asked for is answered by a
    rate, not by an amount; a duration and a date answer for one another."""
    wanted = {kind for kind in kinds if kind != "yesno"}
    wanted |= {kind for kind, group in KIND_GROUPS.items() if group == "time" and wanted & {"duration", "date"}}
    return any(has_kind(kind, text) for kind in wanted)


def kinds_in(text: str) -> list[str]:
    """The kinds of value the text shows (yes/no wording aside)."""
    return [name for name, _, answer in _KIND_RES if name != "yesno" and answer.search(text)]


def kind_groups(kinds: tuple[str, ...] | list[str]) -> set[str]:
    """The groups of the kinds (duration and date are both "time"), yes/no left out."""
    return {KIND_GROUPS.get(kind, kind) for kind in kinds if kind != "yesno"}


@lru_cache(maxsize=256)
def build_query(question: str) -> Query:
    """Content tokens (weighted by length) and bigrams of the question, stopwords removed."""
    stopwords = query_stopwords()
    tokens: dict[str, int] = {}
    for token in jieba.lcut_for_search(question.lower()):
        token = token.strip()
        if token and token not in stopwords and _WORD_RE.fullmatch(token):
            tokens[token] = min(len(token), 3)
    cleaned = question.lower()
    for phrase in _stop_phrases():
        cleaned = cleaned.replace(phrase, " ")
    cleaned = re.sub(f"[{_STOP_CHARS}]", " ", cleaned)
    kinds = tuple(name for name, cue, _ in _KIND_RES if cue.search(question))
    several = len(kinds) > 1 and bool(_CONJUNCTION_RE.search(question))
    return Query(tokens, bigrams_of(cleaned), kinds, several, bool(_LISTING_RE.search(question)), asked_bound(question))


def asked_bound(question: str) -> str | None:
    """The one bound the question asks for (None when it asks for none, or for both: 最低和最高)."""
    named = {name for name, cue, _, _ in _BOUND_RES if cue.search(question)}
    return named.pop() if len(named) == 1 else None


def figure_bounds(text: str, start: int, end: int) -> frozenset[str]:
    """The bounds the text marks the figure at ``text[start:end]`` as: both for a range, none for a plain value."""
    before, after = text[max(start - BOUND_WINDOW, 0) : start], text[end : end + 3]
    if _RANGE_IN_RE.search(text[start:end]) or _RANGE_BEFORE_RE.search(before) or _RANGE_AFTER_RE.match(after):
        return frozenset(name for name, *_ in _BOUND_RES)
    return frozenset(
        name
        for name, _, marked_before, marked_after in _BOUND_RES
        if marked_before.search(before) or marked_after.match(after)
    )


def states_asked(groups: set[str], text: str, bound: str | None = None) -> bool:
    """The text shows a value of one of the kind groups asked for; with a bound asked, one it does not mark as
    only the other bound (最多能借多少 is not answered by 不低于5万元)."""
    for name, _, answer in _KIND_RES:
        if name == "yesno" or KIND_GROUPS.get(name, name) not in groups:
            continue
        for match in answer.finditer(text):
            marked = figure_bounds(text, match.start(), match.end())
            if bound is None or not marked or bound in marked:
                return True
    return False


def overlap(query: Query, text: str) -> float:
    """0..1: weighted share of question tokens found in the text, blended with bigram recall."""
    if query.empty or not text:
        return 0.0
    lowered = text.lower()
    total = sum(query.tokens.values())
    token_recall = sum(w for t, w in query.tokens.items() if t in lowered) / total if total else 0.0
    bigram_recall = len(query.bigrams & bigrams_of(lowered)) / len(query.bigrams) if query.bigrams else 0.0
    return 0.6 * token_recall + 0.4 * bigram_recall


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicate test on character bigrams (Jaccard)."""
    ga, gb = bigrams_of(a), bigrams_of(b)
    if not ga or not gb:
        return a == b
    return len(ga & gb) / len(ga | gb) >= threshold
