"""Write a draft from a brief and its passages: template fill offline, or a chat model's free text.

Both paths return text with ``[n]`` markers and the citations those markers point at; the service then
checks claims and compliance the same way for both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.drafting.brief import Brief
from assistant.drafting.compose import compose
from assistant.drafting.templates import DraftTemplate
from assistant.drafting.types import Citation
from assistant.llm import ChatModel, ChatRequest, Message, OfflineModel, check_numbers_grounded, cited_numbers
from assistant.llm.base import chunk_text
from assistant.llm.offline import DRAFT_LABEL
from knowledge.types import SearchResult

AI_LABEL_WORDS = ("AI 辅助", "AI辅助", "人工智能辅助")


@dataclass(frozen=True)
class Written:
    """A generated draft: its text and the sources its ``[n]`` markers cite."""

    text: str
    citations: list[Citation]


def is_offline(model: ChatModel) -> bool:
    """The offline backend drafts by template fill instead of free generation."""
    return isinstance(model, OfflineModel)


def offline_draft(brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]) -> Written:
    """The template filled with facts from the passages; every number is checked to be in a cited passage."""
    text, order = compose(brief, template, passages)
    cited = [passages[i] for i in order]
    check_numbers_grounded(text, cited)  # a bug if it fails: the glue must carry no figures
    return Written(text, [Citation.of(n, p) for n, p in enumerate(cited, 1)])


def model_request(brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]) -> ChatRequest:
    return ChatRequest(messages=[Message.user(template.prompt(brief))], passages=list(passages), task="draft")


def label_suffix(text: str) -> str:
    """What to append so the text ends with the AI-assisted label ("" when the model already wrote it)."""
    if any(word in text.strip()[-80:] for word in AI_LABEL_WORDS):
        return ""
    return ("\n\n" if text.strip() else "") + DRAFT_LABEL


def model_citations(text: str, passages: Sequence[SearchResult]) -> list[Citation]:
    """The passages the model's text cites, keeping the numbers it was given (so the text needs no rewrite)."""
    return [Citation.of(n, passages[n - 1]) for n in sorted(cited_numbers(text)) if 1 <= n <= len(passages)]


def model_draft(model: ChatModel, brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]) -> Written:
    raw = model.generate(model_request(brief, template, passages)).text.rstrip()
    text = raw + label_suffix(raw)
    return Written(text, model_citations(text, passages))


def write(model: ChatModel, brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]) -> Written:
    """The draft, by the path the backend calls for."""
    if is_offline(model):
        return offline_draft(brief, template, passages)
    return model_draft(model, brief, template, passages)


def stream_write(
    model: ChatModel, brief: Brief, template: DraftTemplate, passages: Sequence[SearchResult]
) -> Iterator[str | Written]:
    """Text deltas as they are produced, then the Written draft (whose text the deltas add up to)."""
    if is_offline(model):
        written = offline_draft(brief, template, passages)
        yield from chunk_text(written.text)
        yield written
        return
    pieces: list[str] = []
    for delta in model.stream(model_request(brief, template, passages)):
        pieces.append(delta)
        yield delta
    raw = "".join(pieces)
    suffix = label_suffix(raw)  # sent as a last delta so the deltas add up to the stored text
    if suffix:
        yield suffix
    text = raw + suffix
    yield Written(text, model_citations(text, passages))
