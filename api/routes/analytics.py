"""Analytics (staff, admin): `summary` counts, the `overview` (funnel, answer rate, time to first contact, top
intents), knowledge `gaps` (clustered unanswered questions) and document `freshness`; editors can turn a gap
into a faq_digest draft (`POST /gaps/draft`). The figures come from `assistant.insights`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.analytics_schemas import AnalyticsOverview, FreshnessReport, GapDraftRequest, KnowledgeGaps
from api.deps import AnalyticsKey, EditorKey, RequestId, ServicesDep, StoreDep
from api.errors import STAFF, responses
from api.routes.drafts import Draft, Drafts, write_draft
from api.schemas import IsoDateTime
from api.staff_schemas import AnalyticsSummary
from assistant.drafting import Brief
from assistant.insights import build_overview, freshness_report, knowledge_gaps
from assistant.insights.freshness import document_metadata

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
Since = Annotated[IsoDateTime | None, Query(description="Inclusive; with a time zone")]
Until = Annotated[IsoDateTime | None, Query(description="Exclusive; with a time zone")]


@router.get("/summary", response_model=AnalyticsSummary, summary="Counts for a period", responses=responses(*STAFF))
def summary(store: StoreDep, who: AnalyticsKey, created_from: Since = None, created_to: Until = None) -> dict[str, Any]:
    period = {"created_from": created_from, "created_to": created_to}
    analytics = store.analytics
    return {
        "intents": analytics.intent_counts(**period),
        "answers": analytics.answer_counts(**period),
        "leads_by_status": analytics.leads_by_status(**period),
        "escalations_by_type": analytics.escalations_by_type(**period),
    }


@router.get(
    "/overview",
    response_model=AnalyticsOverview,
    summary="Conversations, answer rate, escalations, lead funnel, median time to first contact, top intents",
    responses=responses(*STAFF),
)
def overview(
    store: StoreDep,
    who: AnalyticsKey,
    created_from: Since = None,
    created_to: Until = None,
    intents: Annotated[int, Query(ge=1, le=50, description="How many top intents")] = 10,
) -> dict[str, Any]:
    view = build_overview(store.analytics, created_from=created_from, created_to=created_to, intents=intents)
    return view.to_dict()


@router.get(
    "/gaps",
    response_model=KnowledgeGaps,
    summary="Questions the agent could not answer, clustered (paraphrases together), most frequent first",
    responses=responses(*STAFF),
)
def gaps(
    store: StoreDep,
    who: AnalyticsKey,
    created_from: Since = None,
    created_to: Until = None,
    limit: Annotated[int, Query(ge=1, le=100, description="How many gaps")] = 20,
) -> dict[str, Any]:
    questions = store.analytics.unanswered_questions(created_from=created_from, created_to=created_to)
    found = knowledge_gaps(questions, limit=limit)
    return {"gaps": [gap.to_dict() for gap in found], "questions": len(questions)}


@router.post(
    "/gaps/draft",
    status_code=201,
    response_model=Draft,
    summary="Draft a faq_digest post for a knowledge gap (editor; 422 no_sources when the KB has nothing)",
    responses=responses(*STAFF, 502, 503, 504),
)
def draft_for_gap(body: GapDraftRequest, drafts: Drafts, who: EditorKey, request_id: RequestId) -> dict[str, Any]:
    brief = Brief("faq_digest", body.question.strip())
    return write_draft(drafts, brief, who, request_id, lambda _: {"from": "analytics.gap"})


@router.get(
    "/freshness",
    response_model=FreshnessReport,
    summary="Documents expired, superseded or expiring soon, with how many answers cited each",
    responses=responses(*STAFF),
)
def freshness(
    services: ServicesDep,
    who: AnalyticsKey,
    within_days: Annotated[int, Query(ge=0, le=365, description="“Expiring soon” horizon")] = 30,
    on: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The day to judge on, YYYY-MM-DD (default: today)"),
    ] = None,
) -> dict[str, Any]:
    today = date.fromisoformat(on) if on else services.retriever.today()
    metadata = document_metadata(services.index.chunks)
    counts = services.store.analytics.citation_counts()
    report = freshness_report(metadata, counts, today=today, within_days=within_days)
    return {"today": today, "within_days": within_days, "documents": [d.to_dict() for d in report]}
