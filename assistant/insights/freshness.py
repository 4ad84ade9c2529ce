"""Freshness: documents past their effective period (expired or superseded) or expiring soon, and how many
assistant answers cited each of them. Document metadata comes from the first chunk of every ingested file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

from knowledge.dates import parse_date

DEFAULT_WITHIN_DAYS = 30
Status = Literal["expired", "superseded", "expiring"]
_ORDER: dict[str, int] = {"expired": 0, "superseded": 1, "expiring": 2}


class ChunkSource(Protocol):
    """The part of `knowledge.chunk_store.ChunkStore` used here."""

    def files(self, root: str | None = None) -> Mapping[str, Any]: ...

    def chunk_ids(self, source: str) -> list[str]: ...

    def get(self, ids: list[str]) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class DocFreshness:
    source: str
    title: str
    status: Status
    effective_date: date | None
    expires: date | None
    superseded_by: str | None
    days_left: int | None
    answers: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def document_metadata(chunks: ChunkSource) -> dict[str, dict[str, Any]]:
    """source → front-matter metadata of that file (as stored on its chunks)."""
    out: dict[str, dict[str, Any]] = {}
    for source in sorted(chunks.files()):
        ids = chunks.chunk_ids(source)[:1]
        stored = chunks.get(ids) if ids else {}
        out[source] = dict(next(iter(stored.values())).metadata) if stored else {}
    return out


def classify(metadata: Mapping[str, Any], today: date, within_days: int) -> Status | None:
    """Why the document needs attention, or None when it is in force and not expiring within `within_days`."""
    if metadata.get("superseded_by"):
        return "superseded"
    expires = _date(metadata.get("expires"))
    if expires is None:
        return None
    if expires < today:
        return "expired"
    if expires <= today + timedelta(days=within_days):
        return "expiring"
    return None


def freshness_report(
    metadata: Mapping[str, Mapping[str, Any]],
    citation_counts: Mapping[str, int],
    *,
    today: date,
    within_days: int = DEFAULT_WITHIN_DAYS,
) -> list[DocFreshness]:
    """Documents needing attention: expired first, then superseded, then expiring (soonest first)."""
    if within_days < 0:
        raise ValueError("within_days must not be negative")
    report = []
    for source, meta in metadata.items():
        status = classify(meta, today, within_days)
        if status is None:
            continue
        expires = _date(meta.get("expires"))
        report.append(
            DocFreshness(
                source=source,
                title=str(meta.get("title") or source),
                status=status,
                effective_date=_date(meta.get("effective_date")),
                expires=expires,
                superseded_by=str(meta["superseded_by"]) if meta.get("superseded_by") else None,
                days_left=(expires - today).days if expires else None,
                answers=int(citation_counts.get(source, 0)),
            )
        )
    return sorted(report, key=lambda d: (_ORDER[d.status], d.expires or date.max, d.source))


def _date(value: Any) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None  # a malformed date in front matter must not break the report
