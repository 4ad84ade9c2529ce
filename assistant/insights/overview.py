"""The analytics overview: conversations, answered vs unanswered, escalations by type, the lead funnel
(the workflow's stages, new → assigned → contacted → qualified → won, from `assistant.leads`) with conversion
rates, median time to first staff contact, top intents.

A lead counts as having reached a stage when its status is that stage or a later one; a lost lead counts as
assigned (the workflow loses leads only from assigned on) and as contacted when it has a first-contact time
(the store does not record how far a lost lead got otherwise).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from assistant.leads import FUNNEL_STAGES, stages_reached

LeadRow = tuple[str, datetime, datetime | None]  # (status, created_at, first_contacted_at)


class AnalyticsSource(Protocol):
    """The queries of `assistant.store.analytics.AnalyticsRepo` used here."""

    def conversation_count(self, *, created_from: datetime | None = ..., created_to: datetime | None = ...) -> int: ...
    def intent_counts(
        self, *, created_from: datetime | None = ..., created_to: datetime | None = ...
    ) -> dict[str, int]: ...
    def answer_counts(
        self, *, created_from: datetime | None = ..., created_to: datetime | None = ...
    ) -> dict[str, int]: ...
    def escalations_by_type(
        self, *, created_from: datetime | None = ..., created_to: datetime | None = ...
    ) -> dict[str, int]: ...
    def lead_rows(self, *, created_from: datetime | None = ..., created_to: datetime | None = ...) -> list[LeadRow]: ...


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    count: int
    rate_from_previous: float | None  # None when the previous stage is empty
    rate_from_start: float | None


@dataclass(frozen=True)
class Overview:
    conversations: int
    answered: int
    unanswered: int
    answer_rate: float | None
    escalations_by_type: dict[str, int]
    funnel: list[FunnelStage]
    median_first_contact_seconds: float | None
    contacted_leads_timed: int
    top_intents: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "answers": {"answered": self.answered, "unanswered": self.unanswered, "answer_rate": self.answer_rate},
            "escalations_by_type": dict(self.escalations_by_type),
            "funnel": [asdict(stage) for stage in self.funnel],
            "median_first_contact_seconds": self.median_first_contact_seconds,
            "contacted_leads_timed": self.contacted_leads_timed,
            "top_intents": [{"intent": name, "count": count} for name, count in self.top_intents],
        }


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def lead_funnel(leads: Iterable[LeadRow]) -> list[FunnelStage]:
    """Stage counts and conversion rates (to 4 decimals) for the given leads."""
    counts = dict.fromkeys(FUNNEL_STAGES, 0)
    for status, _, first_contacted_at in leads:
        for stage in stages_reached(status, contacted=first_contacted_at is not None):
            counts[stage] += 1
    start = counts[FUNNEL_STAGES[0]]
    stages, previous = [], None
    for stage in FUNNEL_STAGES:
        rate: float | None = None if previous is None else ratio(counts[stage], previous)
        stages.append(FunnelStage(stage, counts[stage], rate, ratio(counts[stage], start)))
        previous = counts[stage]
    return stages


def median_seconds(leads: Iterable[LeadRow]) -> tuple[float | None, int]:
    """(median seconds from creation to first staff contact, number of contacted leads measured)."""
    waits = [(contacted - created).total_seconds() for _, created, contacted in leads if contacted is not None]
    return (float(statistics.median(waits)) if waits else None), len(waits)


def top_intents(counts: Mapping[str, int], limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def build_overview(
    analytics: AnalyticsSource,
    *,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    intents: int = 10,
) -> Overview:
    """The overview for conversations, turns, escalations and leads created in [created_from, created_to)."""
    period = {"created_from": created_from, "created_to": created_to}
    answers = analytics.answer_counts(**period)
    leads = analytics.lead_rows(**period)
    median, timed = median_seconds(leads)
    answered, unanswered = answers.get("answered", 0), answers.get("unanswered", 0)
    return Overview(
        conversations=analytics.conversation_count(**period),
        answered=answered,
        unanswered=unanswered,
        answer_rate=ratio(answered, answered + unanswered),
        escalations_by_type=analytics.escalations_by_type(**period),
        funnel=lead_funnel(leads),
        median_first_contact_seconds=median,
        contacted_leads_timed=timed,
        top_intents=top_intents(analytics.intent_counts(**period), intents),
    )
