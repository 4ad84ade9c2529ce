"""Metadata filters shared by the lexical and vector sides: field equality and the in-force date window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from knowledge.dates import parse_date

FILTER_FIELDS = ("category", "product", "region")
NO_START, NO_END = 0, 99991231


def date_key(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def flat_metadata(meta: dict[str, Any]) -> dict[str, str | int | bool]:
    """The filter fields, storable in Chroma (no None values), with integer dates so `where` can compare them.

    Titles and headings stay in the chunk store: Chroma indexes every metadata key, which slows its writes.
    """
    start, end = parse_date(meta.get("effective_date")), parse_date(meta.get("expires"))
    flat: dict[str, str | int | bool] = {
        "source": str(meta["source"]),
        "effective": date_key(start) if start else NO_START,
        "expires": date_key(end) if end else NO_END,
        "superseded": bool(meta.get("superseded_by")),
    }
    for name in FILTER_FIELDS:
        if meta.get(name):
            flat[name] = str(meta[name])
    return flat


def supersede(flats: Sequence[dict[str, Any]], successors: Sequence[str | None]) -> None:
    """End each superseded chunk's in-force window the day before its successor takes effect (in place).

    `successors[i]` is chunk i's `superseded_by` (the successor's source path, as ingested or relative to a
    folder above it). A chunk whose successor is not indexed or has no effective_date stays marked
    `superseded`: it is out of force on every date, since the day it stopped applying is unknown.
    """
    starts: dict[str, int] = {}
    for flat in flats:
        starts.setdefault(str(flat["source"]), int(flat["effective"]))
    resolved: dict[str, int | None] = {}  # every chunk of a document names the same successor: resolve it once
    for flat, successor in zip(flats, successors, strict=True):
        if not successor:
            continue
        if successor not in resolved:
            resolved[successor] = _successor_start(successor, starts)
        start = resolved[successor]
        if start is None or start == NO_START:
            continue
        last_day = date_key(_key_date(start) - timedelta(days=1))
        flat["expires"] = min(int(flat["expires"]), last_day)
        flat["superseded"] = False


def _successor_start(successor: str, starts: dict[str, int]) -> int | None:
    if successor in starts:
        return starts[successor]
    matches = [start for source, start in starts.items() if source.endswith("/" + successor)]
    return matches[0] if len(matches) == 1 else None


def _key_date(key: int) -> date:
    return date(key // 10000, key // 100 % 100, key % 100)


def normalise_filters(filters: dict[str, Any] | None) -> dict[str, list[str]]:
    """Validate {field: value or [values]}; unknown fields are a caller error."""
    out: dict[str, list[str]] = {}
    for name, value in (filters or {}).items():
        if name not in FILTER_FIELDS:
            raise ValueError(f"unknown filter '{name}'; allowed: {', '.join(FILTER_FIELDS)}")
        values = [value] if isinstance(value, str) else list(value)
        if values:
            out[name] = [str(v) for v in values]
    return out


def vector_metadata(meta: dict[str, Any]) -> dict[str, str] | None:
    """What Chroma keeps of a chunk: only the filter fields it has (None when it has none).

    Chroma's write cost grows with every metadata key (measured: 7 keys halve its add rate), and the in-force
    date window is applied afterwards with the lexical index's columns, so dates and sources stay out.
    """
    kept = {name: str(meta[name]) for name in FILTER_FIELDS if meta.get(name)}
    return kept or None


def chroma_where(filters: dict[str, list[str]]) -> dict[str, Any] | None:
    """A Chroma `where` for field filters (see vector_metadata); None when there are none."""
    clauses: list[dict[str, Any]] = [{name: {"$in": values}} for name, values in filters.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
