"""Leads: consent-gated creation, the status workflow, notes, filtered listing, CSV export and erasure.

An id that is not a lead id's shape is not found (NotFoundError) before any query, so every entry point answers
a malformed id as it answers an unknown one."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, select

from assistant.leads import (
    PRIORITIES,
    STATUSES,
    amount_bucket,
    check_assignee,
    clean_assignee,
    is_lead_id,
    transition,
)
from assistant.privacy import find_phones, mask_phone, mask_pii
from assistant.store.base import Repository, check_paging, equals, load, paged, time_range
from assistant.store.erasure import checkpoint_after_erasure, erase_lead
from assistant.store.errors import ConflictError, ConsentRequired, NotFoundError
from assistant.store.models import (
    Consent,
    Conversation,
    Escalation,
    Lead,
    LeadContact,
    LeadNote,
    new_id,
    utcnow,
)
from assistant.store.records import LeadRecord, NoteRecord, Page

EXPORT_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "created_at",
    "updated_at",
    "status",
    "priority",
    "type",
    "assignee",
    "name",
    "company",
    "amount",
    "amount_bucket",
    "purpose",
    "phone",
    "first_contacted_at",
    "erased_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT_COLUMNS = frozenset({"purpose", "assignee"})  # numbers in them masked unless the export has phones


class _Keep(Enum):
    """`assignee=KEEP`: leave the assignee as it is."""

    KEEP = "keep"


KEEP: Final = _Keep.KEEP


def known_id(lead_id: str) -> str:
    """`lead_id`, or NotFoundError when it cannot be a lead's id (checked before it reaches the database)."""
    if not is_lead_id(lead_id):
        raise NotFoundError("lead", lead_id if len(lead_id) <= 64 else lead_id[:64] + "…")
    return lead_id


def normalise_phone(phone: str) -> str:
    """11-digit mainland mobile number, or ValueError."""
    found = find_phones(phone)
    if len(found) != 1:
        raise ValueError("phone must be one mainland mobile number")
    return found[0]


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in member-supplied text (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _filters(
    status: str | None,
    priority: str | None,
    type: str | None,
    assignee: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
) -> list[ColumnElement[bool]]:
    clauses = equals((Lead.status, status), (Lead.priority, priority), (Lead.type, type), (Lead.assignee, assignee))
    return clauses + time_range(Lead.created_at, created_from, created_to)


NEWEST_FIRST = (Lead.created_at.desc(), Lead.id)


class LeadRepo(Repository):
    def create(
        self,
        *,
        conversation_id: str,
        consent_id: str | None,
        name: str | None = None,
        company: str | None = None,
        phone: str | None = None,
        amount: int | None = None,
        purpose: str | None = None,
        type: str = "application",
        priority: Literal["normal", "high"] = "normal",
        escalation_id: str | None = None,
    ) -> LeadRecord:
        """Store a lead; refused (ConsentRequired) without a granted consent from the same conversation."""
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}")
        clear_phone = normalise_phone(phone) if phone else None
        with self._tx.write() as session:
            consent = session.get(Consent, consent_id) if consent_id else None
            if consent is None or not consent.granted or consent.conversation_id != conversation_id:
                raise ConsentRequired("a granted consent from this conversation is required to store a lead")
            load(session, Conversation, conversation_id, "conversation")
            if escalation_id is not None:
                load(session, Escalation, escalation_id, "escalation")
            now = utcnow()
            lead = Lead(
                id=new_id(),
                conversation_id=conversation_id,
                escalation_id=escalation_id,
                consent_id=consent.id,
                status="new",
                priority=priority,
                type=type,
                name=name,
                company=company,
                amount=amount,
                amount_bucket=amount_bucket(amount),
                purpose=purpose,
                phone_masked=mask_phone(clear_phone) if clear_phone else None,
                created_at=now,
                updated_at=now,
            )
            session.add(lead)
            session.flush()
            if clear_phone:
                session.add(LeadContact(lead_id=lead.id, phone_clear=clear_phone))
            return LeadRecord.of(lead)

    def get(self, lead_id: str, *, include_phone: bool = False) -> LeadRecord:
        """The lead with its notes (oldest first); the clear phone only when `include_phone`."""
        with self._tx.read() as session:
            lead = load(session, Lead, known_id(lead_id), "lead")
            notes = session.scalars(
                select(LeadNote).where(LeadNote.lead_id == lead_id).order_by(LeadNote.created_at, LeadNote.id)
            )
            contact = session.get(LeadContact, lead_id) if include_phone else None
            return LeadRecord.of(
                lead,
                notes=tuple(NoteRecord.of(n) for n in notes),
                phone=contact.phone_clear if contact else None,
            )

    def update(self, lead_id: str, *, status: str | None = None, assignee: str | _Keep | None = KEEP) -> LeadRecord:
        """Change the assignee (stripped; None or a blank name clears it) and/or move the status along the workflow,
        in one transaction: giving a `new` lead an assignee moves it to `assigned` first. Refused whole
        (InvalidTransition, AssigneeRequired: `assigned` needs an assignee) with nothing changed; a step to the
        same status is a no-op."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        with self._tx.write() as session:
            lead = load(session, Lead, known_id(lead_id), "lead", lock=True)
            current, now = lead.status, utcnow()
            if assignee is not KEEP:
                assignee = clean_assignee(assignee)
                if assignee and current == "new":
                    current = transition(current, "assigned")
                if assignee != lead.assignee or current != lead.status:
                    lead.updated_at = now
                lead.assignee = assignee
            if status is not None and status != current:
                current = transition(current, status)
                if current == "contacted" and lead.first_contacted_at is None:
                    lead.first_contacted_at = now
                lead.updated_at = now
            check_assignee(current, lead.assignee)
            lead.status = current
            session.flush()
            return LeadRecord.of(lead)

    def fill_contact(self, lead_id: str, *, name: str | None = None, company: str | None = None) -> tuple[str, ...]:
        """Give the lead the member's name and/or company where it has none (a value already there is kept; an
        erased lead gets nothing back). Returns the fields filled in."""
        with self._tx.write() as session:
            lead = load(session, Lead, known_id(lead_id), "lead", lock=True)
            if lead.erased_at is not None:
                return ()
            filled: list[str] = []
            if name and lead.name is None:
                lead.name, filled = name, [*filled, "name"]
            if company and lead.company is None:
                lead.company, filled = company, [*filled, "company"]
            if filled:
                lead.updated_at = utcnow()
                session.flush()
            return tuple(filled)

    def update_status(self, lead_id: str, status: str) -> LeadRecord:
        """Move the lead through the workflow (see `update`)."""
        return self.update(lead_id, status=status)

    def assign(self, lead_id: str, assignee: str | None) -> LeadRecord:
        """Set (or clear) the assignee; assigning a `new` lead moves it to `assigned` (see `update`)."""
        return self.update(lead_id, assignee=assignee)

    def add_note(self, lead_id: str, author: str, text: str) -> NoteRecord:
        """Append a staff note; refused (ConflictError) once the lead's PII has been erased."""
        with self._tx.write() as session:
            lead = load(session, Lead, known_id(lead_id), "lead", lock=True)
            if lead.erased_at is not None:
                raise ConflictError(f"lead {lead_id!r} has been erased; notes can no longer be added")
            now = utcnow()
            note = LeadNote(id=new_id(), lead_id=lead_id, author=author, text=text, created_at=now)
            session.add(note)
            lead.updated_at = now
            session.flush()
            return NoteRecord.of(note)

    def erase(self, lead_id: str, actor: str, *, request_id: str | None = None) -> LeadRecord:
        """PIPL erasure (idempotent), audited as `lead.erase` in the same transaction; see erasure.py."""
        with self._tx.write() as session:
            lead = erase_lead(session, known_id(lead_id), actor=actor, request_id=request_id)
            session.flush()
            record = LeadRecord.of(lead)
        checkpoint_after_erasure(self._tx.engine)
        return record

    def export_rows(
        self,
        *,
        include_phone: bool = False,
        status: str | None = None,
        priority: str | None = None,
        type: str | None = None,
        assignee: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Rows keyed by EXPORT_COLUMNS, newest first; masked phone unless `include_phone`."""
        clauses = _filters(status, priority, type, assignee, created_from, created_to)
        query = select(Lead, LeadContact.phone_clear).outerjoin(LeadContact).where(*clauses).order_by(*NEWEST_FIRST)
        with self._tx.read() as session:
            return [self._export_row(lead, clear, include_phone) for lead, clear in session.execute(query)]

    @staticmethod
    def _export_row(lead: Lead, clear_phone: str | None, include_phone: bool) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for column in EXPORT_COLUMNS:
            if column == "phone":
                value: Any = clear_phone if include_phone else lead.phone_masked
            else:
                value = getattr(lead, column)
                if column in _FREE_TEXT_COLUMNS and value is not None and not include_phone:
                    value = mask_pii(value)
            row[column] = value.isoformat() if isinstance(value, datetime) else csv_safe(value)
        return row

    # Kept last: below it, `list[...]` in annotations would name this method, not the builtin.
    def list(
        self,
        *,
        status: str | None = None,
        priority: str | None = None,
        type: str | None = None,
        assignee: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[LeadRecord]:
        """Newest first; `created_from` inclusive, `created_to` exclusive; `total` counts all matches."""
        check_paging(limit, offset)
        clauses = _filters(status, priority, type, assignee, created_from, created_to)
        query = select(Lead).where(*clauses).order_by(*NEWEST_FIRST)
        with self._tx.read() as session:
            return paged(session, query, LeadRecord.of, limit, offset)
