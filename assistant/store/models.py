"""SQLAlchemy 2 typed ORM models. Ids are UUID4 hex strings; timestamps are timezone-aware UTC.

The clear phone number lives only in `lead_contacts`, apart from the masked copy on `leads`, so PII
erasure can drop it with one DELETE.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.leads import PRIORITIES, STATUSES

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; refuses naive datetimes; always returns aware UTC datetimes (SQLite has no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_%(table_name)s_{column}")


ID = String(32)
Stamp = UTCDateTime()


class Base(DeclarativeBase):
    pass


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(Stamp)


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(Integer, default=1)
    unanswered_streak: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 of the member session's secret (assistant/service/sessions.py); NULL: no member may continue it
    # by token (channel conversations, conversations from before schema version 2).
    token_hash: Mapped[str | None] = mapped_column(String(64))


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (_in("role", ("user", "assistant")), Index("ix_turns_created_at", "created_at"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32))
    answered: Mapped[bool | None] = mapped_column(Boolean)
    citations: Mapped[list[Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    request_id: Mapped[str | None] = mapped_column(String(64))  # the HTTP request that wrote the turn


ESCALATION_TYPES = ("human", "complaint", "application", "amount", "unanswered")


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (_in("type", ESCALATION_TYPES), _in("priority", PRIORITIES))
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    correct_answer: Mapped[str | None] = mapped_column(Text)


class Consent(Base):
    __tablename__ = "consents"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    granted: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (_in("status", STATUSES), _in("priority", PRIORITIES))
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    escalation_id: Mapped[str | None] = mapped_column(ForeignKey("escalations.id"))
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(32))
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str | None] = mapped_column(String(128))
    company: Mapped[str | None] = mapped_column(String(256))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    amount_bucket: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    first_contacted_at: Mapped[datetime | None] = mapped_column(Stamp)
    erased_at: Mapped[datetime | None] = mapped_column(Stamp)


class LeadContact(Base):
    __tablename__ = "lead_contacts"
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    phone_clear: Mapped[str] = mapped_column(String(32))


class LeadNote(Base):
    __tablename__ = "lead_notes"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(128), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)


API_ROLES = ("staff", "editor", "admin")


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (_in("role", API_ROLES),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)
    last_used_at: Mapped[datetime | None] = mapped_column(Stamp)


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (_in("status", ("draft", "approved")),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(Text)
    brief: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), index=True)
    latest_version: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None] = mapped_column(Stamp)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    updated_at: Mapped[datetime] = mapped_column(Stamp)


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSONType)
    claims: Mapped[list[Any]] = mapped_column(JSONType)
    findings: Mapped[list[Any]] = mapped_column(JSONType)
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    diff: Mapped[str] = mapped_column(Text)
