"""The chat-model boundary: request/response types, the ChatModel interface and its errors."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from pydantic import BaseModel

from knowledge.types import SearchResult

Role = Literal["system", "user", "assistant"]
TASKS = ("answer", "draft", "intent", "lead_extraction", "summary")
SchemaT = TypeVar("SchemaT", bound=BaseModel)

_CITATION_RE = re.compile(r"\[(\d{1,3})\]")


class LLMError(Exception):
    """A chat model could not produce a usable result (bad request, unsupported task, invalid output)."""


class LLMTimeout(LLMError):
    """The provider did not answer within the configured timeout."""


class LLMUnavailable(LLMError):
    """The provider is unreachable or kept failing (5xx, 429, connection errors) after retries."""


class LLMUnsupported(LLMError):
    """This backend cannot do the requested task or fill the requested schema (e.g. offline structured)."""


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    @classmethod
    def system(cls, content: str) -> Message:
        return cls("system", content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls("user", content)

    @classmethod
    def assistant(cls, content: str) -> Message:
        return cls("assistant", content)


@dataclass(frozen=True)
class ChatRequest:
    """What to ask a model: the conversation, the numbered passages it may cite, and the task.

    ``task`` selects the system prompt (``answer``, ``draft``, ``intent``, ``lead_extraction``,
    ``summary``). Passage ``i`` in ``passages`` is cited as ``[i + 1]``.
    """

    messages: list[Message]
    passages: list[SearchResult] = field(default_factory=list)
    task: str = "answer"
    temperature: float | None = None
    max_tokens: int | None = None
    parts: tuple[str, ...] = ()  # the things the question asks for, when several (each a question of its own)
    # how a reply may name each part it cannot answer: the knowledge base's own words for it, or '' (then its kind)
    part_names: tuple[str, ...] = ()

    @property
    def last_user_message(self) -> str:
        """Content of the latest user message, or an empty string."""
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the provider (zeros when unknown)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Completion:
    """A model's answer. An empty ``text`` means the model found nothing it could say."""

    text: str
    model: str
    usage: Usage = field(default_factory=Usage)

    @property
    def citations(self) -> list[int]:
        """Passage numbers cited as ``[n]`` in the text, in first-seen order."""
        return cited_numbers(self.text)


def cited_numbers(text: str) -> list[int]:
    """Distinct ``[n]`` citation numbers in ``text``, in first-seen order."""
    return list(dict.fromkeys(int(n) for n in _CITATION_RE.findall(text)))


class ChatModel(ABC):
    """One chat-model backend. Implementations: OfflineModel, OpenAIModel, FakeModel."""

    model_name: str = "unknown"

    @abstractmethod
    def generate(self, request: ChatRequest) -> Completion:
        """The whole answer at once."""

    def stream(self, request: ChatRequest) -> Iterator[str]:
        """The answer as text deltas; joined they equal ``generate(request).text``."""
        text = self.generate(request).text
        if text:
            yield from chunk_text(text)

    def structured(self, request: ChatRequest, schema: type[SchemaT]) -> SchemaT:
        """The answer parsed into ``schema``; backends that cannot fill it raise LLMUnsupported."""
        raise LLMUnsupported(f"{type(self).__name__} cannot produce {schema.__name__}")


def chunk_text(text: str, size: int = 6) -> Iterator[str]:
    """Split text into small pieces for streaming, never cutting a ``[n]`` citation in half."""
    pieces = re.findall(r"\[\d{1,3}\]|.", text, flags=re.DOTALL)
    buffer = ""
    for piece in pieces:
        buffer += piece
        if len(buffer) >= size:
            yield buffer
            buffer = ""
    if buffer:
        yield buffer
