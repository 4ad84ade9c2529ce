"""Helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from assistant.store.db import Transactions
from assistant.store.errors import NotFoundError
from assistant.store.records import Page

M = TypeVar("M")
R = TypeVar("R")
MAX_LIMIT = 500


class Repository:
    """Base of every repository: each public method runs in its own short transaction."""

    def __init__(self, tx: Transactions) -> None:
        self._tx = tx


def load(session: Session, model: type[M], ident: str, kind: str, *, lock: bool = False) -> M:
    """The row with this primary key (locked FOR UPDATE on PostgreSQL when asked), or NotFoundError."""
    row = session.get(model, ident, with_for_update=lock or None)
    if row is None:
        raise NotFoundError(kind, ident)
    return row


def check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise ValueError("offset must not be negative")


def aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def time_range(
    column: InstrumentedAttribute[datetime], created_from: datetime | None, created_to: datetime | None
) -> list[ColumnElement[bool]]:
    """Clauses for the half-open interval [created_from, created_to)."""
    clauses: list[ColumnElement[bool]] = []
    if aware(created_from, "created_from") is not None:
        clauses.append(column >= created_from)
    if aware(created_to, "created_to") is not None:
        clauses.append(column < created_to)
    return clauses


def equals(*pairs: tuple[InstrumentedAttribute[Any], Any]) -> list[ColumnElement[bool]]:
    """`column == value` for every (column, value) pair whose value is not None."""
    return [column == value for column, value in pairs if value is not None]


def count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def paged(session: Session, query: Select[Any], record: Callable[[Any], R], limit: int, offset: int) -> Page[R]:
    """The page of `query` at `offset`, each row made a record by `record`, with the count of all its matches."""
    items = [record(row) for row in session.scalars(query.limit(limit).offset(offset))]
    return Page(items, count(session, query), limit, offset)
