"""Aggregates for /v1/analytics: intents of user turns, answer rate, lead funnel, escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from assistant.store.base import Repository, time_range
from assistant.store.models import Escalation, Lead, Turn


class AnalyticsRepo(Repository):
    def intent_counts(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> dict[str, int]:
        """Number of user turns per intent (unclassified turns under "unknown")."""
        label = func.coalesce(Turn.intent, "unknown")
        query = (
            select(label, func.count())
            .where(Turn.role == "user", *time_range(Turn.created_at, created_from, created_to))
            .group_by(label)
        )
        with self._tx.read() as session:
            return {str(k): int(v) for k, v in session.execute(query)}

    def answer_counts(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> dict[str, int]:
        """Assistant turns that were answered from the knowledge base vs not."""
        query = (
            select(Turn.answered, func.count())
            .where(
                Turn.role == "assistant",
                Turn.answered.is_not(None),
                *time_range(Turn.created_at, created_from, created_to),
            )
            .group_by(Turn.answered)
        )
        with self._tx.read() as session:
            counts = {bool(k): int(v) for k, v in session.execute(query)}
        return {"answered": counts.get(True, 0), "unanswered": counts.get(False, 0)}

    def leads_by_status(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> dict[str, int]:
        return self._group(Lead.status, time_range(Lead.created_at, created_from, created_to))

    def escalations_by_type(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> dict[str, int]:
        return self._group(Escalation.type, time_range(Escalation.created_at, created_from, created_to))

    def _group(self, column: InstrumentedAttribute[str], clauses: list[Any]) -> dict[str, int]:
        query = select(column, func.count()).where(*clauses).group_by(column)
        with self._tx.read() as session:
            return {str(k): int(v) for k, v in session.execute(query)}
