"""Plain, immutable records the repositories return (never live ORM objects), and a Page of them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")


class _FromRow:
    __slots__ = ()

    @classmethod
    def of(cls, row: Any, **overrides: Any) -> Self:
        """Build the record from an ORM row's attributes of the same names, plus overrides."""
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        values = {
            n: overrides[n] if n in overrides else getattr(row, n) for n in names if n in overrides or hasattr(row, n)
        }
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class ConversationRecord(_FromRow):
    id: str
    channel: str
    client_id: str | None
    created_at: datetime
    updated_at: datetime
    state: dict[str, Any]
    version: int
    unanswered_streak: int
    token_hash: str | None = None


@dataclass(frozen=True, slots=True)
class TurnRecord(_FromRow):
    conversation_id: str
    seq: int
    role: str
    text: str
    intent: str | None
    answered: bool | None
    citations: list[Any]
    created_at: datetime
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationRecord(_FromRow):
    id: str
    conversation_id: str
    type: str
    priority: str
    reason: str
    summary: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    correct_answer: str | None


@dataclass(frozen=True, slots=True)
class ConsentRecord(_FromRow):
    id: str
    conversation_id: str
    purpose: str
    granted: bool
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteRecord(_FromRow):
    id: str
    lead_id: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LeadRecord(_FromRow):
    """A lead; `phone` (clear) is only filled when asked for, `notes` only by `get`."""

    id: str
    conversation_id: str
    escalation_id: str | None
    consent_id: str
    status: str
    priority: str
    type: str
    assignee: str | None
    name: str | None
    company: str | None
    amount: int | None
    amount_bucket: str | None
    purpose: str | None
    phone_masked: str | None
    created_at: datetime
    updated_at: datetime
    first_contacted_at: datetime | None
    erased_at: datetime | None
    phone: str | None = None
    notes: tuple[NoteRecord, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AuditRecord(_FromRow):
    id: str
    actor: str
    action: str
    target: str | None
    request_id: str | None
    detail: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord(_FromRow):
    """An API key without its hash."""

    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class DraftVersionRecord(_FromRow):
    draft_id: str
    version: int
    text: str
    citations: list[Any]
    claims: list[Any]
    findings: list[Any]
    author: str
    created_at: datetime
    diff: str


@dataclass(frozen=True, slots=True)
class DraftRecord(_FromRow):
    """A draft; `versions` (oldest first) is filled by `get` and `create`."""

    id: str
    type: str
    topic: str
    brief: dict[str, Any]
    status: str
    latest_version: int
    approved_by: str | None
    approved_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    versions: tuple[DraftVersionRecord, ...] = field(default=())

    @property
    def latest(self) -> DraftVersionRecord | None:
        return self.versions[-1] if self.versions else None
