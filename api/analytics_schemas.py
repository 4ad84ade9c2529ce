"""Request and response models of the analytics (overview, gaps, freshness) and escalation endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import StrictModel, Text
from assistant.leads import LeadStatus

EscalationType = Literal["human", "complaint", "application", "amount", "unanswered"]


class AnswerCounts(BaseModel):
    answered: int
    unanswered: int
    answer_rate: float | None = Field(description="answered / (answered + unanswered); null when there were none")


class FunnelStage(BaseModel):
    stage: LeadStatus = Field(description="The lead workflow's stages in order (all statuses but lost)")
    count: int = Field(
        description="Leads that reached this stage (a lost lead counts as assigned, and as contacted once contacted)"
    )
    rate_from_previous: float | None = Field(description="Conversion from the previous stage; null for the first")
    rate_from_start: float | None


class IntentCount(BaseModel):
    intent: str
    count: int


class AnalyticsOverview(BaseModel):
    conversations: int
    answers: AnswerCounts
    escalations_by_type: dict[str, int]
    funnel: list[FunnelStage]
    median_first_contact_seconds: float | None = Field(description="Lead creation → first staff contact")
    contacted_leads_timed: int = Field(description="How many leads the median is over")
    top_intents: list[IntentCount]


class KnowledgeGap(BaseModel):
    question: str = Field(description="The most asked wording of the cluster")
    count: int = Field(description="How many unanswered questions fell into the cluster")
    examples: list[str]


class KnowledgeGaps(BaseModel):
    gaps: list[KnowledgeGap]
    questions: int = Field(description="Unanswered questions considered")


class GapDraftRequest(StrictModel):
    question: Text = Field(min_length=1, max_length=200, description="The gap's representative question")


class StaleDocument(BaseModel):
    source: str
    title: str
    status: Literal["expired", "superseded", "expiring"]
    effective_date: date | None
    expires: date | None
    superseded_by: str | None
    days_left: int | None = Field(description="Days until (negative: since) the expiry date")
    answers: int = Field(description="Assistant turns that cited this document")


class FreshnessReport(BaseModel):
    today: date
    within_days: int
    documents: list[StaleDocument]


class Escalation(BaseModel):
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


class EscalationPage(BaseModel):
    items: list[Escalation]
    total: int
    limit: int
    offset: int


class EscalationResolve(StrictModel):
    correct_answer: Text | None = Field(
        default=None, min_length=1, max_length=4000, description="The answer the agent should have given"
    )
