"""The offline model's speed-ups change nothing: cached sentence splitting and the scorer's match table.

``ReferenceScorer`` is the scoring as first written (every question word re-matched against every unit part
wherever a value needs it); UnitScorer must give exactly the same floats, on made-up and on corpus passages.
"""

from __future__ import annotations

import math

import pytest

from assistant.llm.extractive import (
    Query,
    Unit,
    bigrams_of,
    build_query,
    has_kind,
    has_number,
    kind_groups,
    kinds_in,
    split_units,
)
from assistant.llm.relevance import (
    _ASIDE_RE,
    _DISCLAIMER_RE,
    ASIDE_SHARE,
    CONTEXT_SHARE,
    DISCLAIMER_SHARE,
    DOCUMENT_FLOOR,
    GENERIC_SHARE,
    GENERIC_WORDS,
    KIND_BONUS,
    MISSING_KIND_SHARE,
    PIECE_SHARE,
    SYNONYMS,
    VALUE_BONUS,
    UnitScorer,
    _parts,
    _value_in,
)
from knowledge.retriever import HybridRetriever
from knowledge.types import SearchResult
from tests.llm.conftest import FAQ, PRODUCT, passage

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


class ReferenceScorer:
    """UnitScorer's rules computed the straightforward way: each value re-matches the words it needs."""

    def __init__(self, query: Query, units: list[Unit]) -> None:
        self.query = query
        self.pieces = dict(query.words)
        self.parts = [_parts(u.text, u.title, u.context) for u in units]
        count = len(units)
        self.weights: dict[str, float] = {}
        for word in self.pieces:
            df = sum(1 for part in self.parts if any(self._match(word, text) for text in part))
            if not df and word.isascii():
                continue
            base = min(len(word), 3) * (GENERIC_SHARE if word in GENERIC_WORDS else 1.0)
            self.weights[word] = base * (1.0 + math.log((count + 1) / (df + 1)) if df else 1.0)
        self.total = sum(self.weights.values())
        seen = bigrams_of(" ".join(" ".join(part) for part in self.parts))
        self.bigrams = (query.bigrams & seen) - GENERIC_WORDS
        self.documents = [u.title or f"#{u.passage}" for u in units]
        found: dict[str, dict[str, float]] = {}
        for document, part in zip(self.documents, self.parts, strict=True):
            best = found.setdefault(document, {})
            for word in self.weights:
                best[word] = max(best.get(word, 0.0), *(self._match(word, text) for text in part))
        cover = {d: sum(self.weights[w] * m for w, m in best.items()) for d, best in found.items()}
        top = max(cover.values(), default=0.0)
        self.document_share = {
            d: DOCUMENT_FLOOR + (1 - DOCUMENT_FLOOR) * c / top if top else 1.0 for d, c in cover.items()
        }

    def score(self, index: int, unit: Unit) -> float:
        if not self.total:
            return 0.0
        text, title, heading = self.parts[index]
        own = sum(w * max(self._match(t, text), self._match(t, title)) for t, w in self.weights.items())
        context = sum(w * self._match(t, heading) for t, w in self.weights.items())
        score = 0.7 * (own + CONTEXT_SHARE * context) / self.total
        if self.bigrams:
            own_grams = len(self.bigrams & bigrams_of(f"{text} {title}"))
            context_grams = len(self.bigrams & bigrams_of(heading))
            score += 0.3 * (own_grams + CONTEXT_SHARE * context_grams) / len(self.bigrams)
        if score <= 0:
            return 0.0
        asked = kind_groups(self.query.kinds)
        if asked:
            score = score + KIND_BONUS if asked & kind_groups(kinds_in(unit.text)) else score * MISSING_KIND_SHARE
        elif "yesno" in self.query.kinds and has_kind("yesno", unit.text):
            score = score + KIND_BONUS
        elif self.query.numeric and has_number(unit.text):
            score = score + KIND_BONUS / 2
        if any(_value_in(value, unit.text) for value in self.query.values):
            score += VALUE_BONUS
        if _ASIDE_RE.match(unit.text):
            score *= ASIDE_SHARE
        if _DISCLAIMER_RE.search(unit.text):
            score *= DISCLAIMER_SHARE
        return score * self.document_share[self.documents[index]]

    def _match(self, word: str, text: str) -> float:
        if word in text or any(alternative in text for alternative in SYNONYMS.get(word, ())):
            return 1.0
        pieces = self.pieces.get(word, ())
        return PIECE_SHARE * sum(p in text for p in pieces) / len(pieces) if pieces else 0.0


def _units(passages: list[SearchResult]) -> list[Unit]:
    return [u for i, p in enumerate(passages) for u in split_units(i, p.text, p.heading, p.title)]


def assert_same_scores(question: str, passages: list[SearchResult]) -> None:
    query, units = build_query(question), _units(passages)
    fast, reference = UnitScorer(query, units), ReferenceScorer(query, units)
    assert fast.weights == reference.weights
    assert fast.bigrams == reference.bigrams
    assert fast.document_share == reference.document_share
    assert [fast.score(i, u) for i, u in enumerate(units)] == [reference.score(i, u) for i, u in enumerate(units)]


SME = passage(
    4,
    "中小企业贷款贴息",
    "## 申请条件\n中小企业在本市注册满1年。\n## 贴息标准\n贴息比例为贷款利息的30%，单户每年最高50万元。",
)
VENUE = passage(5, "年度对接会", "## 会场\n场地设在示范会展中心。\n报名请于每年3月前提交。", heading="活动安排")
SAME_TITLE = passage(6, "小微企业经营贷产品说明", "提前还款需提前10个工作日申请，不收取补偿金。")


@pytest.mark.parametrize(
    "question",
    [
        "小微企业经营贷的年化利率是多少？",
        "中小企业贴息比例多少",  # a compound word matched by the shorter words inside it
        "对接会的地点在哪里",  # a synonym (地点 -> 场地, 会场)
        "每年最多补多少",  # expansions (上限, 年度)
        "提前还款要提供什么材料",  # generic words
        "What is the interest rate?",  # English words the passages never use
        "审批需要多久，额度多少",  # several kinds at once
    ],
)
def test_match_table_scores_equal_the_reference(question: str) -> None:
    assert_same_scores(question, [PRODUCT, FAQ, SME, VENUE, SAME_TITLE, PRODUCT])


@pytest.mark.parametrize(
    "question",
    ["星火科创信用贷的年化利率是多少？", "苏州科技贷款贴息比例是多少", "路演怎么报名", "征信有逾期还能贷款吗"],
)
def test_match_table_scores_equal_the_reference_on_corpus_passages(
    question: str, sample_retriever: HybridRetriever
) -> None:
    passages = sample_retriever.search(question, k=8)
    assert len(passages) > 2
    assert_same_scores(question, passages)


def test_no_units_score_nothing() -> None:
    scorer = UnitScorer(build_query("利率是多少"), [])
    assert scorer.document_share == {} and scorer.bigrams == frozenset()


def test_cached_split_keeps_each_call_s_passage_index() -> None:
    first = split_units(0, PRODUCT.text, PRODUCT.heading, PRODUCT.title)
    again = split_units(3, PRODUCT.text, PRODUCT.heading, PRODUCT.title)
    assert first and {u.passage for u in first} == {0} and {u.passage for u in again} == {3}
    assert [(u.position, u.text, u.context, u.title) for u in first] == [
        (u.position, u.text, u.context, u.title) for u in again
    ]
    expected = list(first)
    first.clear()  # callers get their own list
    assert split_units(0, PRODUCT.text, PRODUCT.heading, PRODUCT.title) == expected


def test_cached_split_depends_on_heading_and_title() -> None:
    plain = split_units(0, "贷款期限最长36个月。")
    titled = split_units(0, "贷款期限最长36个月。", "产品要素", "经营贷")
    assert plain[0].context == "" and plain[0].title == ""
    assert titled[0].context == "经营贷 产品要素" and titled[0].title == "经营贷"
