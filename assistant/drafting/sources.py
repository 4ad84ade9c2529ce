"""Retrieval for a draft: the best-matching document read section by section, plus a few related passages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from assistant.drafting.brief import Brief
from assistant.drafting.templates import DraftTemplate
from assistant.drafting.types import NoSourcesError
from assistant.llm.extractive import build_query, overlap
from assistant.service.evidence import screen_passages
from knowledge.text import heading_number, lexicon
from knowledge.types import SearchResult

MIN_RELEVANCE = 0.25  # share of the topic's words a source must contain to be drafted from
FIRST_K, SECTION_K, DOCUMENT_K = 8, 8, 30
MAX_RELATED = 4
CLOSEST = 3  # documents named when a topic is refused


class TopicCheck(Protocol):
    def __call__(self, topic: str, passages: list[SearchResult]) -> str | None:
        """None when the passages are about the topic, else the reason they are not."""


class Retriever(Protocol):
    def search(
        self, query: str, k: int = 5, filters: dict[str, Any] | None = None, as_of: date | None = None
    ) -> list[SearchResult]: ...


def section_path(passage: SearchResult) -> list[str]:
    """The headings under the document title ("二、适用对象", …); empty for a document's opening chunk."""
    return [p.strip() for p in passage.heading.split(">")][1:]


def reading_order(passage: SearchResult) -> tuple[int, int, int]:
    """Sort key putting a document's chunks in reading order: opening chunk, then 一、二、三…."""
    path = section_path(passage)
    if not path:
        return (0, 0, 0)
    heading = heading_number(path[0])
    ordinal = 99 if heading is None else heading[0]
    return (ordinal, len(path), 0 if passage.text.lstrip().startswith("#") else 1)


def relevance(topic: str, passage: SearchResult) -> float:
    return overlap(build_query(topic), f"{passage.title}\n{passage.heading}\n{passage.text}")


def _search(
    retriever: Retriever, query: str, k: int, filters: dict[str, Any] | None, as_of: date
) -> list[SearchResult]:
    # a post states the community's facts: flagged documents and member posts are never drafted from
    return screen_passages(retriever.search(query, k=k, filters=filters, as_of=as_of)).passages


def _document(retriever: Retriever, main: SearchResult, template: DraftTemplate, as_of: date) -> list[SearchResult]:
    """As many chunks of the main document as retrieval yields, in reading order."""
    category = main.metadata.get("category")
    filters = {"category": category} if category else None
    queries = [main.title] + [f"{main.title} {' '.join(s.match)}" for s in template.sections if s.match]
    found: dict[str, SearchResult] = {}
    for i, query in enumerate(queries):
        for hit in _search(retriever, query, DOCUMENT_K if i == 0 else SECTION_K, filters, as_of):
            if hit.source == main.source:
                found.setdefault(hit.chunk_id, hit)
    found.setdefault(main.chunk_id, main)
    return sorted(found.values(), key=reading_order)


def subject_of(topic: str) -> str:
    """The topic without the words that name the kind of post (案例, 通知, 解读 …: a lexicon file)."""
    subject = topic
    for word in sorted(lexicon("post_type_words"), key=len, reverse=True):
        subject = subject.replace(word, "")
    return subject.strip() or topic


def closest_titles(passages: list[SearchResult], n: int = CLOSEST) -> list[str]:
    """The titles of the first passages' documents, each once: what the knowledge base has nearest."""
    return list(dict.fromkeys(p.title for p in passages if p.title))[:n]


def no_sources(topic: str, passages: list[SearchResult]) -> NoSourcesError:
    """The refusal for a topic the knowledge base does not cover, naming what it covers that is closest."""
    closest = "、".join(f"《{t}》" for t in closest_titles(passages))
    nearest = f"知识库中最接近的资料：{closest}。" if closest else "知识库中还没有可用的资料。"
    return NoSourcesError(f"知识库中没有关于“{topic}”的资料，无法起草有依据的稿件（稿件不会换成别的主题）。{nearest}")


def gather(
    retriever: Retriever,
    brief: Brief,
    template: DraftTemplate,
    today: Callable[[], date],
    covers: TopicCheck | None = None,
) -> list[SearchResult]:
    """Passages for the draft: the main document (reading order) first, then related passages.

    Raises NoSourcesError when nothing in the knowledge base is about the topic: no passage shares enough
    of its words, or ``covers`` (the agent's judgement of a question) finds the passages are about something
    else, so a draft never silently changes its subject.
    """
    as_of = today()
    preferred = {"category": template.category} if template.category else None
    nearest: list[SearchResult] = []
    for filters in [preferred, None] if preferred else [None]:  # the post type's category first
        hits = _search(retriever, brief.topic, FIRST_K, filters, as_of)
        relevant = [h for h in hits if relevance(brief.topic, h) >= MIN_RELEVANCE]
        nearest = nearest or relevant or hits
        if relevant and (covers is None or covers(subject_of(brief.topic), relevant) is None):
            break
    else:
        raise no_sources(brief.topic, nearest)
    main = relevant[0]
    document = _document(retriever, main, template, as_of)
    seen = {p.chunk_id for p in document}
    related = [h for h in relevant if h.chunk_id not in seen][:MAX_RELATED]
    return document + related
