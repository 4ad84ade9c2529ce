"""The staff-notice outbox: a notice is written after the member's turn is committed and delivered by a
background sender; a claim is a conditional UPDATE, so several workers never send the same notice twice at
once, and a worker that dies mid-send leaves it to be retried when its lease ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Repository
from assistant.store.models import ID, Base, Stamp, _in, new_id, utcnow

NOTICE_STATES = ("pending", "sent", "dead")
LEASE = timedelta(seconds=60)


class StaffNotice(Base):
    __tablename__ = "staff_notices"
    __table_args__ = (_in("status", NOTICE_STATES),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    sent_at: Mapped[datetime | None] = mapped_column(Stamp)


@dataclass(frozen=True)
class NoticeRecord:
    id: str
    kind: str
    payload: dict[str, Any]
    status: str
    deliveries: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: StaffNotice) -> NoticeRecord:
        return cls(
            row.id, row.kind, dict(row.payload), row.status, row.deliveries, row.last_error, row.created_at, row.sent_at
        )


class NoticeRepo(Repository):
    def add(self, kind: str, payload: dict[str, Any]) -> NoticeRecord:
        now = utcnow()
        with self._tx.write() as session:
            row = StaffNotice(
                id=new_id(), kind=kind, payload=payload, status="pending", deliveries=0, next_at=now, created_at=now
            )
            session.add(row)
            session.flush()
            return NoticeRecord.of(row)

    def due(self, limit: int = 20) -> list[str]:
        """Ids of pending notices whose time has come, oldest first."""
        query = (
            select(StaffNotice.id)
            .where(StaffNotice.status == "pending", StaffNotice.next_at <= utcnow())
            .order_by(StaffNotice.next_at)
            .limit(limit)
        )
        with self._tx.read() as session:
            return list(session.scalars(query))

    def claim(self, notice_id: str) -> NoticeRecord | None:
        """Take the notice for one delivery (leased for a minute), or None when another worker has it."""
        now = utcnow()
        query = (
            update(StaffNotice)
            .where(StaffNotice.id == notice_id, StaffNotice.status == "pending", StaffNotice.next_at <= now)
            .values(next_at=now + LEASE, deliveries=StaffNotice.deliveries + 1)
        )
        with self._tx.write() as session:
            if not session.execute(query).rowcount:  # type: ignore[attr-defined]
                return None
            row = session.get(StaffNotice, notice_id)
            assert row is not None
            return NoticeRecord.of(row)

    def sent(self, notice_id: str) -> None:
        with self._tx.write() as session:
            now = utcnow()
            query = update(StaffNotice).where(StaffNotice.id == notice_id)
            session.execute(query.values(status="sent", sent_at=now, last_error=None))

    def failed(self, notice_id: str, error: str, *, retry_in: timedelta | None) -> None:
        """Record the failure; retried after `retry_in`, or given up (`dead`) when None."""
        values: dict[str, Any] = {"last_error": error[:500]}
        if retry_in is None:
            values["status"] = "dead"
        else:
            values["next_at"] = utcnow() + retry_in
        with self._tx.write() as session:
            session.execute(update(StaffNotice).where(StaffNotice.id == notice_id).values(**values))

    def get(self, notice_id: str) -> NoticeRecord | None:
        with self._tx.read() as session:
            row = session.get(StaffNotice, notice_id)
            return None if row is None else NoticeRecord.of(row)

    def list(self, *, status: str | None = None, limit: int = 100) -> list[NoticeRecord]:
        query = select(StaffNotice).order_by(StaffNotice.created_at).limit(limit)
        if status is not None:
            query = query.where(StaffNotice.status == status)
        with self._tx.read() as session:
            return [NoticeRecord.of(r) for r in session.scalars(query)]
