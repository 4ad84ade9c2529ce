"""PIPL erasure of one lead's personal data, keeping an anonymised record for reporting.

Removes the clear phone (the `lead_contacts` row), nulls name, company, masked phone, purpose and the
exact amount (the amount bucket stays), and masks PII - phone/ID/card patterns plus the lead's own name,
company and phone literally - in the conversation's turns, state, escalations and consents, in the
lead's notes and in audit details targeting the lead.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.privacy import mask_pii
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


def _scrubber(literals: list[str]) -> Callable[[str], str]:
    words = sorted({w.strip() for w in literals if w and len(w.strip()) >= _MIN_LITERAL}, key=len, reverse=True)

    def scrub(text: str) -> str:
        text = mask_pii(text)
        for word in words:
            text = text.replace(word, REDACTED)
        return text

    return scrub


def erase_lead(session: Session, lead_id: str, *, actor: str, request_id: str | None = None) -> Lead:
    """Erase inside the caller's transaction; a lead already erased is returned unchanged."""
    lead = load(session, Lead, lead_id, "lead", lock=True)
    if lead.erased_at is not None:
        return lead
    contact = session.get(LeadContact, lead_id)
    phone = contact.phone_clear if contact else None
    scrub = _scrubber([lead.name or "", lead.company or "", phone or ""])
    if contact is not None:
        session.delete(contact)
    _scrub_conversation(session, lead.conversation_id, scrub)
    for note in session.scalars(select(LeadNote).where(LeadNote.lead_id == lead_id)):
        note.text = scrub(note.text)
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.target == lead_id)):
        entry.detail = scrub_json(entry.detail, scrub)

    now = utcnow()
    lead.name = lead.company = lead.phone_masked = lead.purpose = None
    lead.amount = None
    lead.erased_at = lead.updated_at = now
    add_entry(
        session,
        actor=actor,
        action="lead.erase",
        target=lead_id,
        request_id=request_id,
        detail={"conversation_id": lead.conversation_id, "phone_removed": contact is not None},
    )
    return lead


def _scrub_conversation(session: Session, conversation_id: str, scrub: Callable[[str], str]) -> None:
    conversation = load(session, Conversation, conversation_id, "conversation", lock=True)
    conversation.state = scrub_json(conversation.state, scrub)
    conversation.version += 1  # a worker holding the old state now gets a conflict instead of restoring it
    for turn in session.scalars(select(Turn).where(Turn.conversation_id == conversation_id)):
        turn.text = scrub(turn.text)
        turn.citations = scrub_json(turn.citations, scrub)
    for esc in session.scalars(select(Escalation).where(Escalation.conversation_id == conversation_id)):
        esc.reason = scrub(esc.reason)
        esc.summary = scrub(esc.summary)
        if esc.correct_answer is not None:
            esc.correct_answer = scrub(esc.correct_answer)
    for consent in session.scalars(select(Consent).where(Consent.conversation_id == conversation_id)):
        consent.text = scrub(consent.text)
