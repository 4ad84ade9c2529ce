"""Plain data types shared by ingest and retrieval."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Document:
    """A loaded source file: its full text and metadata (title, category, product, region, dates, source)."""

    text: str
    metadata: dict[str, Any]

    @property
    def source(self) -> str:
        return str(self.metadata["source"])


@dataclass(frozen=True)
class Chunk:
    """A piece of a document with the heading path it sits under and its offsets in the document text."""

    id: str
    text: str
    source: str
    heading: str
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    """One retrieved chunk with everything a caller needs to cite it."""

    chunk_id: str
    source: str
    title: str
    heading: str
    text: str
    snippet: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def in_force(self, on: date) -> bool:
        """True when the chunk's document is in force on the given date."""
        from knowledge.dates import in_force

        return in_force(self.metadata, on)


def embedding_text(title: str, heading: str, text: str) -> str:
    """What gets embedded for a chunk: its text with the document title and heading path for context."""
    return f"{title}\n{heading}\n{text}"
