"""Aggregates for /v1/analytics: intents of user turns, answer rate, lead funnel, escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from assistant.store.base import Repository, time_range
from assistant.store.models import Conversation, Escalation, Lead, Turn

MAX_QUESTIONS = 5000


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

    def conversation_count(self, *, created_from: datetime | None = None, created_to: datetime | None = None) -> int:
        """Conversations started in the period."""
        query = select(func.count()).select_from(Conversation)
        query = query.where(*time_range(Conversation.created_at, created_from, created_to))
        with self._tx.read() as session:
            return int(session.scalar(query) or 0)

    def lead_rows(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> list[tuple[str, datetime, datetime | None]]:
        """(status, created_at, first_contacted_at) of every lead created in the period (funnel, contact times)."""
        query = select(Lead.status, Lead.created_at, Lead.first_contacted_at).where(
            *time_range(Lead.created_at, created_from, created_to)
        )
        with self._tx.read() as session:
            return [(str(s), c, f) for s, c, f in session.execute(query.order_by(Lead.created_at))]

    def unanswered_questions(
        self,
        *,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int = MAX_QUESTIONS,
    ) -> list[str]:
        """Texts of user turns whose next turn is an assistant turn with answered=False (newest first)."""
        reply = aliased(Turn)
        query = (
            select(Turn.text)
            .join(
                reply,
                and_(reply.conversation_id == Turn.conversation_id, reply.seq == Turn.seq + 1),
            )
            .where(
                Turn.role == "user",
                reply.role == "assistant",
                reply.answered.is_(False),
                *time_range(Turn.created_at, created_from, created_to),
            )
            .order_by(Turn.created_at.desc(), Turn.conversation_id, Turn.seq)
            .limit(limit)
        )
        with self._tx.read() as session:
            return [str(text) for text in session.scalars(query)]

    def citation_counts(
        self, *, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> dict[str, int]:
        """Source → number of assistant turns citing it (a turn citing a source twice counts once)."""
        query = select(Turn.citations).where(
            Turn.role == "assistant", *time_range(Turn.created_at, created_from, created_to)
        )
        counts: dict[str, int] = {}
        with self._tx.read() as session:
            for citations in session.scalars(query.execution_options(yield_per=1000)):
                sources = {str(c.get("source")) for c in citations or [] if isinstance(c, dict) and c.get("source")}
                for source in sources:
                    counts[source] = counts.get(source, 0) + 1
        return counts
