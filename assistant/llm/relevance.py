"""How well each sentence unit of a request answers the question (the offline extractive model's ranking).

Words are weighed by how few units contain them; title words name the subject, headings add context;
the kind of value asked for (a duration for 多久, a venue for 在哪里 …), the very value named, and how much
of the question the unit's document covers adjust the score; examples, preambles and disclaimers rank low.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import NamedTuple

from assistant.llm.extractive import Query, Unit, bigrams_of, has_kind, has_number, kind_groups, kinds_in

KIND_BONUS = 0.2  # a unit holding the kind of value asked for ...
MISSING_KIND_SHARE = 0.5  # ... while one without it keeps this share of its score
VALUE_BONUS = 0.2  # a unit naming the very value the question names (万分之五, 3个月)
PIECE_SHARE = 0.6  # a compound word not found whole, but the shorter words inside it are
GENERIC_SHARE = 0.3  # verbs that fit any sentence (提供, 需要) weigh this much of a content word
_GENERIC_TEXT = "提供 需要 要求 办理 进行 给予 获得 能够 相关 有关 支持 包括 规定 情况 问题 申请"
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
ASIDE_SHARE = 0.75  # an example or a preamble ("示例：…", "为进一步…制定本办法") keeps this share of its score
_ASIDE_RE = re.compile(r"(?:计算)?示例|举例|例如|比如|为(?:了|进一步|帮助|鼓励|支持|规范|加快)")
# The sample documents' "this is fictional" notes answer nothing.
_DISCLAIMER_RE = re.compile(r"本文为虚构|均为虚构|仅用于演示|仅供演示")
DISCLAIMER_SHARE = 0.3
DOCUMENT_FLOOR = 0.6  # a unit of the document covering the question least keeps this share of its score
CONTEXT_SHARE = 0.4  # the heading/lead-in's overlap counts this much beside the unit's own
# Words the documents use interchangeably: a unit with any of them matches the question word.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "地点": ("会场", "场地", "地址", "场馆"),
    "上限": ("最高", "不超过", "封顶"),
    "年度": ("每年",),
    "时间": ("日期",),
}


class UnitScorer:
    """Scores the units of one request.

    A question word weighs more the fewer units contain it, so the aspect asked about counts more than the
    words every passage shares. A word in the document's title names the subject: it counts for every unit
    of that document, so within a document the remaining words decide. The unit's own match, plus a share
    of its heading/lead-in's; bonuses for the kind of value asked for and for the very value the question
    names; examples and preambles rank below the rules they illustrate; and a unit counts less when its
    document covers less of the question than the best document does.
    """

    def __init__(self, query: Query, units: list[Unit]) -> None:
        self.query = query
        self.pieces = dict(query.words)
        self.parts = [_parts(u.text, u.title, u.context) for u in units]
        # Every question word is matched once against every distinct text, title and heading (the match
        # table), then df, document coverage and unit scores are read from the table.
        self.columns = tuple([part[column] for part in self.parts] for column in range(3))  # texts, titles, headings
        strings = list(dict.fromkeys(text for part in self.parts for text in part))
        joined = "\n".join(strings)  # words and bigrams are word characters: none spans the separator
        self.matches = {word: self._match_row(word, strings, joined) for word in self.pieces}
        count = len(units)
        self.weights: dict[str, float] = {}
        for word, row in self.matches.items():
            df = count - row.best.count(0.0)  # units whose text, title or heading matches the word
            if not df and word.isascii():
                continue  # an English word the (Chinese) passages never use says nothing about them
            base = min(len(word), 3) * (GENERIC_SHARE if word in GENERIC_WORDS else 1.0)
            self.weights[word] = base * (1.0 + math.log((count + 1) / (df + 1)) if df else 1.0)
        self.total = sum(self.weights.values())
        # Per unit, the weighted matches of its text-or-title and of its heading, summed in weight order.
        self.own = [0.0] * count
        self.context = [0.0] * count
        for word, weight in self.weights.items():
            row = self.matches[word]
            self.own = [s + weight * m for s, m in zip(self.own, row.own, strict=True)]
            self.context = [s + weight * m for s, m in zip(self.context, row.context, strict=True)]
        self.bigrams = frozenset(g for g in query.bigrams - GENERIC_WORDS if g in joined)  # those the units use
        self.asked = kind_groups(query.kinds)
        self.documents = [u.title or f"#{u.passage}" for u in units]
        self.document_share = self._document_shares()

    def _match_row(self, word: str, strings: list[str], joined: str) -> _MatchRow:
        """The word's matches per unit, each distinct string (``joined`` joins them all) matched once."""
        synonyms = SYNONYMS.get(word, ())
        pieces = self.pieces.get(word, ())
        if not any(w in joined for w in (word, *synonyms, *pieces)):
            zeros = [0.0] * len(self.parts)
            return _MatchRow(zeros, zeros, zeros)
        if pieces or synonyms:
            found = {text: self._match(word, text) for text in strings}
        else:
            found = {text: 1.0 if word in text else 0.0 for text in strings}  # what _match returns then
        texts, titles, headings = self.columns
        match = found.__getitem__
        own = list(map(max, map(match, texts), map(match, titles)))
        context = list(map(match, headings))
        return _MatchRow(own, context, list(map(max, own, context)))

    def _document_shares(self) -> dict[str, float]:
        """Per document, how much of the question its units cover together, relative to the best document:
        a sentence from a document about something else (another event, another city) ranks lower."""
        members: dict[str, list[int]] = {}
        for index, document in enumerate(self.documents):
            members.setdefault(document, []).append(index)
        weighted = [(weight, self.matches[word].best) for word, weight in self.weights.items()]
        cover = {d: sum(w * max([best[i] for i in units]) for w, best in weighted) for d, units in members.items()}
        top = max(cover.values(), default=0.0)
        return {d: DOCUMENT_FLOOR + (1 - DOCUMENT_FLOOR) * c / top if top else 1.0 for d, c in cover.items()}

    def score(self, index: int, unit: Unit) -> float:
        if not self.total:
            return 0.0
        score = 0.7 * (self.own[index] + CONTEXT_SHARE * self.context[index]) / self.total
        if self.bigrams:
            text, title, heading = self.parts[index]
            own_hits = len(self.bigrams & bigrams_of(f"{text} {title}"))
            context_hits = len(self.bigrams & bigrams_of(heading))
            score += 0.3 * (own_hits + CONTEXT_SHARE * context_hits) / len(self.bigrams)
        if score <= 0:
            return 0.0
        score = self._kind_adjusted(score, unit.text)
        if any(_value_in(value, unit.text) for value in self.query.values):
            score += VALUE_BONUS
        if _ASIDE_RE.match(unit.text):
            score *= ASIDE_SHARE
        if _DISCLAIMER_RE.search(unit.text):
            score *= DISCLAIMER_SHARE
        return score * self.document_share[self.documents[index]]

    def _kind_adjusted(self, score: float, text: str) -> float:
        """A unit with the kind of value asked for gains; one without it loses (yes/no questions only gain)."""
        if self.asked:
            return score + KIND_BONUS if self.asked & _shown_groups(text) else score * MISSING_KIND_SHARE
        if "yesno" in self.query.kinds and has_kind("yesno", text):
            return score + KIND_BONUS
        if self.query.numeric and has_number(text):
            return score + KIND_BONUS / 2
        return score

    def _match(self, word: str, text: str) -> float:
        """1 for the word itself or a synonym; a share for the shorter words inside it (中小企业 → 企业)."""
        if word in text or any(alternative in text for alternative in SYNONYMS.get(word, ())):
            return 1.0
        pieces = self.pieces.get(word, ())
        return PIECE_SHARE * sum(p in text for p in pieces) / len(pieces) if pieces else 0.0


class _MatchRow(NamedTuple):
    """One question word's matches, per unit."""

    own: list[float]  # the better of the text's and the title's
    context: list[float]  # the heading's
    best: list[float]  # the best of the three


@lru_cache(maxsize=8192)
def _parts(text: str, title: str, context: str) -> tuple[str, str, str]:
    """The unit's text, its document title, and its heading/lead-in without the title (lower-cased; cached)."""
    title = title.lower()
    heading = context.lower().replace(title, " ") if title else context.lower()
    return text.lower(), title, heading


@lru_cache(maxsize=8192)
def _shown_groups(text: str) -> frozenset[str]:
    """The kind groups of the values the text shows."""
    return frozenset(kind_groups(kinds_in(text)))


@lru_cache(maxsize=256)
def _value_re(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.]){re.escape(value)}(?![\d.])")


def _value_in(value: str, text: str) -> bool:
    if not value[0].isdigit():
        return value in text
    return bool(_value_re(value).search(text))
