"""The agent's per-conversation state, kept in the store (never in worker memory) as plain JSON.

No clear phone number is ever part of it; name and company appear only after the member consented and
only until the lead is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, cast

from assistant.service.fields import LeadFields
from assistant.service.followup import Topic
from assistant.service.lead_capture import LeadStage

_STAGES = ("idle", "awaiting_consent", "collecting", "done", "completing", "refused", "withdrawn")


@dataclass(frozen=True)
class ConversationState:
    topic: Topic = field(default_factory=Topic)
    lead_stage: LeadStage = "idle"
    lead_fields: LeadFields = field(default_factory=LeadFields)
    consent_id: str | None = None
    lead_id: str | None = None
    escalations: dict[str, str] = field(default_factory=dict)  # escalation type -> id
    turns: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic.to_state(),
            "lead_stage": self.lead_stage,
            "lead_fields": self.lead_fields.without_phone(),
            "consent_id": self.consent_id,
            "lead_id": self.lead_id,
            "escalations": dict(self.escalations),
            "turns": self.turns,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        data = data or {}
        stage = data.get("lead_stage", "idle")
        return cls(
            topic=Topic.from_state(data.get("topic")),
            lead_stage=cast(LeadStage, stage if stage in _STAGES else "idle"),
            lead_fields=LeadFields.from_state(data.get("lead_fields")),
            consent_id=data.get("consent_id"),
            lead_id=data.get("lead_id"),
            escalations={str(k): str(v) for k, v in (data.get("escalations") or {}).items()},
            turns=int(data.get("turns", 0)),
        )


@dataclass
class StateChange:
    """What one turn changes, re-appliable onto a newer state when another worker got there first."""

    topic: Topic | None = None
    lead_stage: LeadStage | None = None
    lead_fields: LeadFields | None = None
    consent_id: str | None = None
    lead_id: str | None = None
    escalation: tuple[str, str] | None = None  # (type, id) created this turn

    def apply(self, state: ConversationState) -> ConversationState:
        changed = replace(state, turns=state.turns + 1)
        if self.topic is not None:
            changed = replace(changed, topic=self.topic)
        if self.lead_stage is not None:
            changed = replace(changed, lead_stage=self.lead_stage)
        if self.lead_fields is not None:
            changed = replace(changed, lead_fields=LeadFields.from_state(self.lead_fields.without_phone()))
        if self.consent_id is not None:
            changed = replace(changed, consent_id=self.consent_id)
        if self.lead_id is not None:
            changed = replace(changed, lead_id=self.lead_id, lead_fields=LeadFields())
        if self.escalation is not None:
            changed = replace(changed, escalations={**changed.escalations, self.escalation[0]: self.escalation[1]})
        return changed
