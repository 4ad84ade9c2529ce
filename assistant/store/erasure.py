"""PIPL erasure of one person's data, keeping anonymised records for reporting.

The person is found from the lead: its clear phone finds their other leads (the same number on another lead),
and their conversations are those leads' conversations, conversations from the same client, and any whose
turns or escalations mention the phone (turns are stored masked, so the masked form is searched) or whose
member turns name them or their company (3 characters or more: shorter names hit too many words). Then:

- each of those leads loses its clear phone (the `lead_contacts` row), name, company, masked phone, purpose and
  exact amount (the amount bucket stays); its assignee and notes are scrubbed;
- the conversations' turns (what analytics such as `/v1/analytics/gaps` read), state (the extracted fields are
  dropped), escalations (reason, summary, correction) and consents are scrubbed;
- audit rows about those leads or conversations, or whose details mention the phone, are scrubbed.

Scrubbing masks every phone, ID and card number and replaces the person's phone (in any form, masked too),
names and companies with "***". On SQLite the database runs with `secure_delete` (db.py), so old content is
zeroed in the file, and `checkpoint_after_erasure` empties the WAL after the commit. On PostgreSQL the old row
versions stay in the table files until VACUUM reclaims them (the operator's job: see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Engine, Text, cast, or_, select
from sqlalchemy.orm import Session

from assistant.privacy import mask_phone, mask_pii
from assistant.store.audit import add_entry, scrub_json
from assistant.store.base import load
from assistant.store.models import (
    AuditEntry,
    Consent,
    Conversation,
    Escalation,
    Lead,
    LeadContact,
    LeadNote,
    Turn,
    utcnow,
)

REDACTED = "***"
_MIN_LITERAL = 2  # shorter names are not replaced literally (too many false hits in Chinese text)
_MIN_SEARCH = 3  # names and companies at least this long find the person's other conversations
Scrub = Callable[[str], str]


def _scrubber(literals: Iterable[str]) -> Scrub:
    words = sorted({w.strip() for w in literals if w and len(w.strip()) >= _MIN_LITERAL}, key=len, reverse=True)

    def scrub(text: str) -> str:
        text = mask_pii(text)
        for word in words:
            text = text.replace(word, REDACTED)
        return text

    return scrub


def _scrub_optional(text: str | None, scrub: Scrub) -> str | None:
    return None if text is None else scrub(text)


def erase_lead(session: Session, lead_id: str, *, actor: str, request_id: str | None = None) -> Lead:
    """Erase inside the caller's transaction; a lead already erased is returned unchanged."""
    lead = load(session, Lead, lead_id, "lead", lock=True)
    if lead.erased_at is not None:
        return lead
    contact = session.get(LeadContact, lead_id)
    phone = contact.phone_clear if contact else None
    leads = [lead, *_other_leads(session, lead, phone)]
    phones = {phone} if phone else set()
    for other in leads:
        other_contact = session.get(LeadContact, other.id)
        if other_contact is not None:
            phones.add(other_contact.phone_clear)
    masked = {mask_phone(p) for p in phones}
    literals = [*phones, *masked]
    literals += [value for other in leads for value in (other.name, other.company) if value]
    scrub = _scrubber(literals)
    people = [value for other in leads for value in (other.name, other.company) if value]
    conversation_ids = _conversations_of(session, leads, masked, people)
    for conversation_id in sorted(conversation_ids):
        _scrub_conversation(session, conversation_id, scrub)
    removed = {other.id: _erase_fields(session, other, scrub) for other in leads}
    _scrub_audit(session, {other.id for other in leads} | conversation_ids, masked | phones, scrub)
    for other in leads:
        detail: dict[str, str | bool] = {"conversation_id": other.conversation_id, "phone_removed": removed[other.id]}
        if other.id != lead_id:
            detail["with_lead"] = lead_id  # the same person's other lead, found by phone
        add_entry(session, actor=actor, action="lead.erase", target=other.id, request_id=request_id, detail=detail)
    return lead


def _other_leads(session: Session, lead: Lead, phone: str | None) -> list[Lead]:
    if not phone:
        return []
    query = (
        select(Lead)
        .join(LeadContact, LeadContact.lead_id == Lead.id)
        .where(LeadContact.phone_clear == phone, Lead.id != lead.id, Lead.erased_at.is_(None))
        .order_by(Lead.id)
    )
    return list(session.scalars(query))


def _conversations_of(session: Session, leads: list[Lead], masked_phones: set[str], people: list[str]) -> set[str]:
    ids = {lead.conversation_id for lead in leads}
    clients = set(session.scalars(select(Conversation.client_id).where(Conversation.id.in_(ids))))
    clients.discard(None)
    if clients:
        ids |= set(session.scalars(select(Conversation.id).where(Conversation.client_id.in_(clients))))
    for masked in masked_phones:
        ids |= set(session.scalars(select(Turn.conversation_id).where(Turn.text.contains(masked)).distinct()))
        mentioned = or_(Escalation.summary.contains(masked), Escalation.reason.contains(masked))
        ids |= set(session.scalars(select(Escalation.conversation_id).where(mentioned).distinct()))
    for word in {w.strip() for w in people if len(w.strip()) >= _MIN_SEARCH}:
        named = select(Turn.conversation_id).where(Turn.role == "user", Turn.text.contains(word)).distinct()
        ids |= set(session.scalars(named))
    return ids


def _erase_fields(session: Session, lead: Lead, scrub: Scrub) -> bool:
    """Null the lead's personal fields and scrub its free text; True when a clear phone was removed."""
    contact = session.get(LeadContact, lead.id)
    if contact is not None:
        session.delete(contact)
    for note in session.scalars(select(LeadNote).where(LeadNote.lead_id == lead.id)):
        note.text = scrub(note.text)
    lead.assignee = _scrub_optional(lead.assignee, scrub)
    lead.name = lead.company = lead.phone_masked = lead.purpose = None
    lead.amount = None
    lead.erased_at = lead.updated_at = utcnow()
    return contact is not None


def _scrub_audit(session: Session, targets: set[str], needles: set[str], scrub: Scrub) -> None:
    mentions = [cast(AuditEntry.detail, Text).contains(needle) for needle in sorted(needles)]
    query = select(AuditEntry).where(or_(AuditEntry.target.in_(targets), *mentions))
    for entry in session.scalars(query):
        entry.detail = scrub_json(entry.detail, scrub)


def _scrub_conversation(session: Session, conversation_id: str, scrub: Scrub) -> None:
    conversation = load(session, Conversation, conversation_id, "conversation", lock=True)
    state = dict(scrub_json(conversation.state, scrub))
    if "lead_fields" in state:
        state["lead_fields"] = {}  # what the member told the lead flow (name, company, purpose, amount)
    conversation.state = state
    conversation.version += 1  # a worker holding the old state now gets a conflict instead of restoring it
    for turn in session.scalars(select(Turn).where(Turn.conversation_id == conversation_id)):
        turn.text = scrub(turn.text)
        turn.citations = scrub_json(turn.citations, scrub)
    for esc in session.scalars(select(Escalation).where(Escalation.conversation_id == conversation_id)):
        esc.reason = scrub(esc.reason)
        esc.summary = scrub(esc.summary)
        esc.correct_answer = _scrub_optional(esc.correct_answer, scrub)
    for consent in session.scalars(select(Consent).where(Consent.conversation_id == conversation_id)):
        consent.text = scrub(consent.text)


def checkpoint_after_erasure(engine: Engine) -> None:
    """SQLite: move the WAL into the database file and truncate it, so erased content is not left in the -wal
    file (secure_delete has zeroed it in the database). PostgreSQL: nothing to do here (VACUUM, see above)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside any transaction (SQLAlchemy's would BEGIN first)
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # type: ignore[union-attr]
    finally:
        raw.close()
