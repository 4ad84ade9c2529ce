"""Escalations to human staff and consent records (kept whether consent was granted or refused)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from assistant.store.base import Repository, check_paging, equals, load, paged
from assistant.store.errors import ConflictError
from assistant.store.models import ESCALATION_TYPES, Consent, Conversation, Escalation, new_id, utcnow
from assistant.store.records import ConsentRecord, EscalationRecord, Page

EscalationType = Literal["human", "complaint", "application", "amount", "unanswered"]


class EscalationRepo(Repository):
    def create(
        self,
        conversation_id: str,
        type: EscalationType,
        *,
        reason: str,
        summary: str = "",
        priority: Literal["normal", "high"] = "normal",
    ) -> EscalationRecord:
        if type not in ESCALATION_TYPES:
            raise ValueError(f"escalation type must be one of {ESCALATION_TYPES}")
        with self._tx.write() as session:
            load(session, Conversation, conversation_id, "conversation")
            row = Escalation(
                id=new_id(),
                conversation_id=conversation_id,
                type=type,
                priority=priority,
                reason=reason,
                summary=summary,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return EscalationRecord.of(row)

    def get(self, escalation_id: str) -> EscalationRecord:
        with self._tx.read() as session:
            return EscalationRecord.of(load(session, Escalation, escalation_id, "escalation"))

    def list(
        self,
        *,
        conversation_id: str | None = None,
        type: str | None = None,
        priority: str | None = None,
        open_only: bool = False,
        has_correct_answer: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[EscalationRecord]:
        """Newest first. `has_correct_answer=True` lists the resolved ones usable as eval cases."""
        check_paging(limit, offset)
        clauses = equals(
            (Escalation.conversation_id, conversation_id),
            (Escalation.type, type),
            (Escalation.priority, priority),
        )
        if open_only:
            clauses.append(Escalation.resolved_at.is_(None))
        if has_correct_answer is not None:
            column = Escalation.correct_answer
            clauses.append(column.is_not(None) if has_correct_answer else column.is_(None))
        query = select(Escalation).where(*clauses).order_by(Escalation.created_at.desc(), Escalation.id)
        with self._tx.read() as session:
            return paged(session, query, EscalationRecord.of, limit, offset)

    def resolve(self, escalation_id: str, *, resolved_by: str, correct_answer: str | None = None) -> EscalationRecord:
        """Close the escalation; staff may record the answer the agent should have given."""
        with self._tx.write() as session:
            row = load(session, Escalation, escalation_id, "escalation", lock=True)
            if row.resolved_at is not None:
                raise ConflictError(f"escalation {escalation_id!r} is already resolved")
            row.resolved_at = utcnow()
            row.resolved_by = resolved_by
            row.correct_answer = correct_answer
            session.flush()
            return EscalationRecord.of(row)


class ConsentRepo(Repository):
    def record(self, conversation_id: str, *, purpose: str, granted: bool, text: str) -> ConsentRecord:
        """Store the member's answer together with the exact text they were shown."""
        with self._tx.write() as session:
            load(session, Conversation, conversation_id, "conversation")
            row = Consent(
                id=new_id(),
                conversation_id=conversation_id,
                purpose=purpose,
                granted=granted,
                text=text,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return ConsentRecord.of(row)

    def get(self, consent_id: str) -> ConsentRecord:
        with self._tx.read() as session:
            return ConsentRecord.of(load(session, Consent, consent_id, "consent"))

    def latest(self, conversation_id: str, purpose: str) -> ConsentRecord | None:
        """The most recent answer for this purpose in the conversation, if any."""
        query = (
            select(Consent)
            .where(Consent.conversation_id == conversation_id, Consent.purpose == purpose)
            .order_by(Consent.created_at.desc())
            .limit(1)
        )
        with self._tx.read() as session:
            row = session.scalar(query)
            return ConsentRecord.of(row) if row is not None else None
