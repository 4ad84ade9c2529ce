"""Effective-period checks on document metadata."""

from __future__ import annotations

from datetime import date
from typing import Any


def parse_date(value: Any) -> date | None:
    """Read a date from front matter (a date, or an ISO string); None when absent or blank."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def in_force(metadata: dict[str, Any], on: date) -> bool:
    """A document is in force from effective_date up to and including expires, unless superseded."""
    if metadata.get("superseded_by"):
        return False
    start = parse_date(metadata.get("effective_date"))
    end = parse_date(metadata.get("expires"))
    if start and on < start:
        return False
    return not (end and on > end)
