"""Store records → response dicts (no business rules: shaping and masking only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from api.schemas import citation_dicts
from assistant.privacy import mask_optional, mask_pii
from assistant.store import ApiKeyRecord, AuditRecord, EscalationRecord, LeadRecord, NoteRecord, Store

_LEAD_FIELDS = (
    "id",
    "status",
    "priority",
    "type",
    "assignee",
    "name",
    "company",
    "amount",
    "amount_bucket",
    "purpose",
    "conversation_id",
    "escalation_id",
    "created_at",
    "updated_at",
    "first_contacted_at",
    "erased_at",
)


_FREE_TEXT = ("purpose", "assignee")  # typed by members or staff: phone, ID and card numbers masked in them


def lead(record: LeadRecord, *, clear_text: bool = False) -> dict[str, Any]:
    """A lead for lists: the phone masked, and numbers in its free text unless `clear_text`."""
    data = {name: getattr(record, name) for name in _LEAD_FIELDS}
    if not clear_text:
        data |= {name: mask_optional(data[name]) for name in _FREE_TEXT}
    return {**data, "phone": record.phone_masked}


def note(record: NoteRecord, *, clear_text: bool = False) -> dict[str, Any]:
    text = record.text if clear_text else mask_pii(record.text)
    return {"id": record.id, "author": record.author, "text": text, "created_at": record.created_at}


def _escalation(store: Store, record: LeadRecord) -> EscalationRecord | None:
    if record.escalation_id:
        return store.escalations.get(record.escalation_id)
    page = store.escalations.list(conversation_id=record.conversation_id, limit=1)
    return page.items[0] if page.items else None


def lead_detail(store: Store, record: LeadRecord, *, reveal_phone: bool, clear_text: bool = False) -> dict[str, Any]:
    """A lead with transcript, staff summary, escalation reason, cited sources and notes.

    `record` must come from `leads.get(..., include_phone=reveal_phone)`. Transcript text is PII-masked for
    everyone: the phone field is the one place a clear number is shown. Free text (purpose, assignee, notes)
    is masked too unless `clear_text` (admins).
    """
    turns = store.conversations.transcript(record.conversation_id)
    citations: dict[tuple[str, str], dict[str, str]] = {}
    for turn in turns:
        if turn.role == "assistant":
            for cited in citation_dicts(turn.citations):
                citations.setdefault((cited["source"], cited["title"]), cited)
    escalation = _escalation(store, record)
    phone = record.phone if reveal_phone and record.phone else record.phone_masked
    return {
        **lead(record, clear_text=clear_text),
        "phone": phone,
        "phone_masked": phone is None or phone == record.phone_masked,
        "summary": escalation.summary if escalation else "",
        "reason": escalation.reason if escalation else "",
        "escalation": (
            {"id": escalation.id, "type": escalation.type, "priority": escalation.priority} if escalation else None
        ),
        "citations": list(citations.values()),
        "transcript": [
            {"seq": t.seq, "role": t.role, "text": mask_pii(t.text), "created_at": t.created_at} for t in turns
        ],
        "notes": [note(n, clear_text=clear_text) for n in record.notes],
    }


def audit_entry(record: AuditRecord) -> dict[str, Any]:
    return asdict(record)


def api_key(record: ApiKeyRecord) -> dict[str, Any]:
    return asdict(record)
