"""Grounded answers: retrieve → screen passages → read them → generate → gate → citations.

When the reader finds that the passages cannot answer (no unit close enough in meaning, or none holding the
kind of value asked for), the member gets a plain "I don't know" and an offer of a relationship manager,
without calling the model, so a product or rate that is not in the knowledge base can never be invented.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.llm import ChatModel, ChatRequest, LLMError, Message, OfflineModel
from assistant.llm.extractive import kind_groups, states_asked
from assistant.llm.reader import Reader
from assistant.service import replies
from assistant.service.answerability import AnswerabilityModel, Signals, model_for
from assistant.service.catalog import Catalog, CatalogCache, in_text, names_kind, names_product
from assistant.service.evidence import screen_passages
from assistant.service.followup import ResolvedQuery, Topic, resolve
from assistant.service.guard import ReplyGuard, SentenceGate, guard_text
from assistant.service.types import Citation
from knowledge.retriever import HybridRetriever
from knowledge.text import (
    asked_clauses,
    dictionary_word,
    lexicon,
    mentions_season,
    question_parts,
    seasons_named,
    years_named,
)
from knowledge.types import SearchResult

log = logging.getLogger(__name__)

_UNSURE_RE = re.compile(r"无法确定|无法回答|没有(?:找到|相关)|资料(?:中)?(?:没有|未)(?:提及|提到|说明|涉及)|不清楚")
_HANDOFF_RE = re.compile(r"转人工|客户关系专员|客户经理")


@dataclass(frozen=True)
class Evidence:
    """Whether the passages can answer the question, and why not."""

    strong: bool
    reason: str
    similarity: float  # the best answer unit's similarity to the question
    signals: Signals | None = None  # what the answerability model read (None: a rule decided first)


@dataclass(frozen=True)
class AnswerResult:
    """The guarded answer text, the citations it uses, and whether it answered the question."""

    text: str
    citations: tuple[Citation, ...]
    answered: bool
    evidence: Evidence
    model_failed: bool = False


def judge(
    reader: Reader,
    catalog: Catalog,
    query: ResolvedQuery,
    passages: list[SearchResult],
    model: AnswerabilityModel | None = None,
) -> Evidence:
    """Strong only when the reader finds a unit that answers the question and no rule of fact refuses it (a
    place, product or year the passages do not cover, the kind of value asked for missing); then, with a fitted
    answerability model, when the model says so, and without one, when the question names nothing the
    knowledge base never mentions or that unit is closer still (the profile's ``unfamiliar_below``)."""
    if not passages:
        return Evidence(False, "no passages", 0.0)
    reading = reader.read(query.focus, passages)
    similarity = reading.best_similarity
    if not reading.answerable:
        return Evidence(False, reading.reason, similarity)
    haystack = "\n".join(f"{p.title}\n{p.heading}\n{p.text}" for p in passages)
    asked = asked_clauses(query.message)  # the clauses that ask: the others describe the member
    terms = catalog.key_terms(asked)
    unfamiliar = catalog.unfamiliar(terms, asked, haystack)
    best = passages[reading.units[0].unit.passage]
    best_text = f"{best.title}\n{best.heading}\n{best.text}"
    products = [t for t in unfamiliar if names_product(t, asked)]
    if products:
        return Evidence(False, f"asks about a product the knowledge base lacks: {'、'.join(products)}", similarity)
    kinds = [t for t in terms if names_kind(t)]
    if kinds and not any(in_text(t, best_text) for t in kinds):
        # a kind of loan (车贷) the corpus mentions, but not the passage that would answer
        return Evidence(False, f"asks about a product the best passage is not about: {'、'.join(kinds)}", similarity)
    years = years_named(query.message, lexicon("asker_year_verbs"))  # 苏州2021年那版…，贴多少: any clause
    if years and not any(str(year) in haystack for year in years):
        # a year the passages never mention (2021年那版, 2028年的路演): what they say is about other years
        return Evidence(False, f"asks about a year the passages do not cover: {'、'.join(map(str, years))}", similarity)
    words = lexicon("seasons")
    seasons = [s for s in seasons_named(query.message, words) if not mentions_season(s, haystack, words)]
    if seasons:
        # 2027年秋季对接会 over the spring fair's rules: what they say is about another season
        return Evidence(False, f"asks about a season the passages do not cover: {'、'.join(seasons)}", similarity)
    wanted = kind_groups(reading.query.kinds)
    holding = [u.similarity for u in reading.units if states_asked(wanted, u.unit.text)]
    kind_similarity = max(holding, default=0.0) if wanted else None
    terms = [t for t in terms if catalog.known(t) or dictionary_word(t)]  # not pieces jieba's HMM joined (能批, 天给)
    signals = Signals.measure(similarity, terms, best_text, kind_similarity)
    if model is not None:
        p = model.probability(signals)
        verdict = "ok" if p >= model.threshold else f"answerability {p:.2f} below {model.threshold}"
        return Evidence(p >= model.threshold, verdict, similarity, signals)
    if similarity < reader.profile.unfamiliar_below:
        unknown = unfamiliar + catalog.absent_rare(terms, best_text, reader.knobs.rare_share)
        if unknown:
            return Evidence(False, f"names what the passages never mention: {'、'.join(unknown)}", similarity, signals)
    return Evidence(True, "ok", similarity, signals)


def naming_kinds(
    passages: list[SearchResult], catalog: Catalog, message: str, k: int | None = None
) -> list[SearchResult]:
    """When the question names kinds of product (贴息贷款, 车贷) and some of the first ``k`` passages name more
    of them than others, those passages, in their order: the others are about something else. When none of
    the first ``k`` names one, the later passages that name the most of them (a kind named beside another
    subject, 办过票据贴现，算不算首贷, may rank its own document lower); else the first ``k``, unchanged (the
    judge then refuses the question)."""
    k = len(passages) if k is None else k
    kinds = [t for t in catalog.key_terms(asked_clauses(message)) if names_kind(t)]
    if not kinds:
        return passages[:k]
    held = [sum(in_text(t, f"{p.title}\n{p.heading}\n{p.text}") for t in kinds) for p in passages]
    pool = k if max(held[:k], default=0) else len(passages)
    most = max(held[:pool], default=0)
    if not most:
        return passages[:k]
    return [p for p, n in zip(passages[:pool], held[:pool], strict=True) if n == most][:k]


def about(passage: SearchResult, terms: list[str]) -> bool:
    """The passage's title or heading names one of the terms (or a longer form of it)."""
    label = f"{passage.title}\n{passage.heading}"
    return any(in_text(t, label) for t in terms)


class Answerer:
    """Answers one standalone question from the knowledge base, streaming guarded sentences."""

    def __init__(
        self,
        retriever: HybridRetriever,
        model: ChatModel,
        guard: ReplyGuard,
        *,
        catalog: CatalogCache | None = None,
        k: int = 5,
        fallback: ChatModel | None = None,
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.guard = guard
        self.catalog = catalog or CatalogCache(retriever.index)
        self.k = k
        self.extractive = isinstance(model, OfflineModel)
        # The extractive model answers from its reader's reading: the same reader judges, so a turn reads once.
        self.reader = model.reader if isinstance(model, OfflineModel) else Reader(retriever.index.embedding)
        self.fallback = fallback if fallback is not None else OfflineModel(risk_note=False, reader=self.reader)
        # The calibrated line between answering and "I don't know" for this embedding, when one was fitted.
        self.answerability = model_for(self.reader.embedding.name())

    def covers(self, topic: str, passages: list[SearchResult]) -> Evidence:
        """Whether the passages are about the topic, judged as the agent judges a member's question (a
        draft's topic the knowledge base lacks is refused the way such a question is)."""
        catalog = self.catalog.get()
        evidence = judge(self.reader, catalog, resolve(topic, Topic(), catalog), passages, self.answerability)
        terms = catalog.subject_terms(topic)
        if evidence.strong and terms and not any(about(p, terms) for p in passages):
            # a post is about a document: its topic must share a distinctive word with a title or heading
            return Evidence(False, f"no document is about {'、'.join(terms)}", evidence.similarity)
        return evidence

    def retrieve(self, query: ResolvedQuery) -> list[SearchResult]:
        """Hybrid search, limited to the products asked about; passages of flagged or member-shared documents
        left out (a wider search fills their places) and offending sentences cut (assistant.service.evidence)."""
        filters = {"product": list(query.products)} if query.products else None
        passages = self.retriever.search(query.search, k=self.k * 2, filters=filters)
        return naming_kinds(screen_passages(passages).passages, self.catalog.get(), query.message, self.k)

    def run(self, query: ResolvedQuery, *, streaming: bool = False) -> Iterator[str | AnswerResult]:
        """Text deltas (guarded sentences), then one AnswerResult."""
        passages = self.retrieve(query)
        evidence = judge(self.reader, self.catalog.get(), query, passages, self.answerability)
        if not evidence.strong:
            log.info("weak evidence (%s)", evidence.reason)
            text = guard_text(self.guard, replies.not_found(query.topic.products))
            yield text
            yield AnswerResult(text, (), False, evidence)
            return
        gate = SentenceGate(self.guard, passages, query.message)
        parts = tuple(question_parts(query.message))
        parts = parts if len(parts) >= 2 else ()
        names = tuple(self.catalog.get().own_words(part) for part in parts)
        asked = Message.user(query.focus if self.extractive else query.question)
        request = ChatRequest([asked], passages, parts=parts, part_names=names)
        failed = False
        try:
            deltas = self.model.stream(request) if streaming else iter([self.model.generate(request).text])
            for delta in deltas:
                yield from gate.feed(delta)
        except LLMError as error:
            failed = True
            log.warning("chat model failed, answering from the passages instead: %s", error)
            gate.drop_pending()  # never send half a sentence
            if gate.text:
                yield from gate.feed(replies.INTERRUPTED)
            else:
                yield from self._fallback(gate, query, passages)
        yield from gate.finish()
        yield from self._conclude(gate, query, evidence, failed)

    def _fallback(self, gate: SentenceGate, query: ResolvedQuery, passages: list[SearchResult]) -> Iterator[str]:
        """The extractive answer over the same passages (grounded by construction)."""
        try:
            text = self.fallback.generate(ChatRequest([Message.user(query.focus)], passages)).text
        except LLMError:
            text = ""
        yield from gate.feed(text)

    def _conclude(
        self, gate: SentenceGate, query: ResolvedQuery, evidence: Evidence, failed: bool
    ) -> Iterator[str | AnswerResult]:
        """Whatever must still be said (fallback text, the hand-off hint), then the result."""
        text = gate.text
        if not text.strip():
            text = guard_text(self.guard, replies.LLM_FAILED if failed else replies.not_found(query.topic.products))
            yield text
            yield AnswerResult(text, (), False, evidence, failed)
            return
        answered = bool(gate.order) and not _UNSURE_RE.search(text)
        if not answered and not _HANDOFF_RE.search(text):
            hint = self.guard.clean(replies.NOT_SURE_HINT)
            yield hint
            text += hint
        yield AnswerResult(text, gate.citations, answered, evidence, failed)
