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
    """Cards for the escalation and the lead created this turn (`known_lead_id`: the conversation's earlier
    lead, whose masked phone and page an escalation card shows)."""
    found: list[Handoff] = []
    if escalation_id is not None:
        escalation = store.escalations.get(escalation_id)
        lead = store.leads.get(known_lead_id) if known_lead_id else None
        path = f"/v1/leads/{lead.id}" if lead else f"/v1/escalations?type={escalation.type}&open_only=true"
        phone = lead.phone_masked if lead else None
        found.append(Handoff(escalation.type, escalation.priority, escalation.summary, path, phone))
    if lead_id is not None:
        lead = store.leads.get(lead_id)
        summary = _lead_summary(lead.name, lead.company, lead.amount, lead.purpose)
        found.append(Handoff("lead", lead.priority, summary, f"/v1/leads/{lead.id}", lead.phone_masked))
    return found
