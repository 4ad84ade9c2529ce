"""Append-only audit log. Details are PII-masked before they are written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.privacy import mask_pii
from assistant.store.base import Repository, check_paging, equals, paged, time_range
from assistant.store.models import AuditEntry, new_id, utcnow
from assistant.store.records import AuditRecord, Page


def scrub_json(value: Any, scrub: Any = mask_pii) -> Any:
    """Apply `scrub` to every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_json(k, scrub): scrub_json(v, scrub) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_json(v, scrub) for v in value]
    return value


def add_entry(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit row inside the caller's transaction (so it commits or rolls back with the change)."""
    row = AuditEntry(
        id=new_id(),
        actor=actor,
        action=action,
        target=target,
        request_id=request_id,
        detail=scrub_json(detail or {}),
        created_at=utcnow(),
    )
    session.add(row)
    return row


class AuditRepo(Repository):
    def record(
        self,
        actor: str,
        action: str,
        target: str | None = None,
        *,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one entry, e.g. record("key:ab12cd34", "lead.update", lead_id, detail={...})."""
        with self._tx.write() as session:
            row = add_entry(session, actor=actor, action=action, target=target, request_id=request_id, detail=detail)
            session.flush()
            return AuditRecord.of(row)

    def list(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        request_id: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[AuditRecord]:
        """Newest first; `created_from` inclusive, `created_to` exclusive."""
        check_paging(limit, offset)
        clauses = equals(
            (AuditEntry.actor, actor),
            (AuditEntry.action, action),
            (AuditEntry.target, target),
            (AuditEntry.request_id, request_id),
        )
        clauses += time_range(AuditEntry.created_at, created_from, created_to)
        query = select(AuditEntry).where(*clauses).order_by(AuditEntry.created_at.desc(), AuditEntry.id)
        with self._tx.read() as session:
            return paged(session, query, AuditRecord.of, limit, offset)
