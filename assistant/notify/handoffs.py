"""The handoffs one committed turn made: its new escalation and its new lead, as staff cards describe them."""

from __future__ import annotations

from typing import Protocol

from assistant.notify.cards import Handoff
from assistant.store import Store


class HandoffSink(Protocol):
    def notify(self, handoff: Handoff) -> None: ...


def _lead_summary(name: str | None, company: str | None, amount: int | None, purpose: str | None) -> str:
    parts = [p for p in (name, company) if p]
    if amount is not None:
        parts.append(f"约{amount // 10_000}万元")
    if purpose:
        parts.append(purpose)
    return "会员留下联系方式，申请融资：" + "，".join(parts) if parts else "会员留下联系方式，申请融资"


def turn_handoffs(
    store: Store, *, escalation_id: str | None, lead_id: str | None, known_lead_id: str | None
) -> list[Handoff]:
    """The card for this turn's handoff: its new lead (with the escalation it opened, when the turn made one),
    else its new escalation (`known_lead_id`: the conversation's earlier lead, whose masked phone and page
    the card shows)."""
    escalation = store.escalations.get(escalation_id) if escalation_id is not None else None
    if lead_id is not None:
        lead = store.leads.get(lead_id)
        summary = _lead_summary(lead.name, lead.company, lead.amount, lead.purpose)
        priority = "high" if "high" in (lead.priority, escalation.priority if escalation else "") else "normal"
        also = escalation.type if escalation else None
        return [Handoff("lead", priority, summary, f"/v1/leads/{lead.id}", lead.phone_masked, also)]
    if escalation is None:
        return []
    known = store.leads.get(known_lead_id) if known_lead_id else None
    path = f"/v1/leads/{known.id}" if known else f"/v1/escalations?type={escalation.type}&open_only=true"
    phone = known.phone_masked if known else None
    return [Handoff(escalation.type, escalation.priority, escalation.summary, path, phone)]
