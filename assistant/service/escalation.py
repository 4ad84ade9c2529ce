"""When a human takes over, configured in one place (``EscalationPolicy``, built from Settings).

Triggers: an explicit human request, a complaint or strongly negative message, a consented application
(decided when its lead is created: nothing reaches staff before consent), an application above the amount
threshold, and N unanswered questions in a row. At most one escalation is created per
turn (the most urgent trigger wins; the reason names every trigger), and a conversation is not escalated
twice for the same kind while the first one exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistant.config import Settings
from assistant.service.types import EscalationType, Intent

Priority = Literal["normal", "high"]

# Most urgent first: the first trigger that fires names the escalation.
ORDER: tuple[EscalationType, ...] = ("complaint", "human", "amount", "application", "unanswered")
REASONS: Mapping[EscalationType, str] = {
    "complaint": "会员投诉或表达强烈不满",
    "human": "会员要求转人工",
    "amount": "融资金额超过阈值",
    "application": "会员表达融资申请意向",
    "unanswered": "连续多个问题未能根据资料回答",
}
# Kinds that stand for the same piece of work: one open escalation covers the other.
SAME_WORK: Mapping[EscalationType, frozenset[EscalationType]] = {
    "application": frozenset({"amount"}),
    "amount": frozenset({"application"}),
}


@dataclass(frozen=True)
class EscalationDecision:
    type: EscalationType
    priority: Priority
    reason: str
    triggers: tuple[EscalationType, ...]


@dataclass(frozen=True)
class EscalationPolicy:
    """Every escalation rule and its priority; ``enabled`` switches triggers off without code changes."""

    amount_threshold: int = 5_000_000
    unanswered_limit: int = 2
    enabled: frozenset[EscalationType] = frozenset(ORDER)
    priorities: Mapping[EscalationType, Priority] = field(
        default_factory=lambda: {
            "complaint": "high",
            "human": "normal",
            "amount": "high",
            "application": "normal",
            "unanswered": "normal",
        }
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationPolicy:
        disabled = {t.strip() for t in settings.escalation_disabled.split(",") if t.strip()}
        unknown = disabled - set(ORDER)
        if unknown:
            raise ValueError(f"unknown escalation trigger(s): {', '.join(sorted(unknown))}")
        return cls(
            amount_threshold=settings.escalation_amount_threshold,
            unanswered_limit=settings.escalation_unanswered_limit,
            enabled=frozenset(t for t in ORDER if t not in disabled),
        )

    def triggers(
        self,
        intent: Intent,
        *,
        negative: bool = False,
        amount: int | None = None,
        unanswered_streak: int = 0,
    ) -> list[EscalationType]:
        """Every trigger that fires for this turn, most urgent first."""
        fired: set[EscalationType] = set()
        if intent == "complaint" or negative:
            fired.add("complaint")
        if intent == "human":
            fired.add("human")
        if intent == "apply":
            fired.add("application")
        if amount is not None and amount > self.amount_threshold and intent == "apply":
            fired.add("amount")
        if self.unanswered_limit > 0 and unanswered_streak >= self.unanswered_limit:
            fired.add("unanswered")
        return [t for t in ORDER if t in fired and t in self.enabled]

    def decide(
        self,
        intent: Intent,
        *,
        negative: bool = False,
        amount: int | None = None,
        unanswered_streak: int = 0,
        existing: Mapping[str, str] | None = None,
    ) -> EscalationDecision | None:
        """The escalation to create this turn, or None (nothing fired, or already escalated for it)."""
        fired = self.triggers(intent, negative=negative, amount=amount, unanswered_streak=unanswered_streak)
        existing = existing or {}
        fresh = [t for t in fired if t not in existing and not (SAME_WORK.get(t, frozenset()) & existing.keys())]
        if not fresh:
            return None
        kind = fresh[0]
        reason = "；".join(REASONS[t] for t in fired)
        if "amount" in fired and amount is not None:
            reason += f"（金额约{amount // 10_000}万元）"
        return EscalationDecision(kind, self.priorities.get(kind, "normal"), reason, tuple(fired))
