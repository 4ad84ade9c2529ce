"""`GET /v1/analytics/summary`: intents, answer rate, lead funnel and escalations (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StaffKey, StoreDep
from api.errors import STAFF, responses
from api.schemas import IsoDateTime
from api.staff_schemas import AnalyticsSummary

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
Since = Annotated[IsoDateTime | None, Query(description="Inclusive; with a time zone")]
Until = Annotated[IsoDateTime | None, Query(description="Exclusive; with a time zone")]


@router.get("/summary", response_model=AnalyticsSummary, summary="Counts for a period", responses=responses(*STAFF))
def summary(store: StoreDep, who: StaffKey, created_from: Since = None, created_to: Until = None) -> dict[str, Any]:
    period = {"created_from": created_from, "created_to": created_to}
    analytics = store.analytics
    return {
        "intents": analytics.intent_counts(**period),
        "answers": analytics.answer_counts(**period),
        "leads_by_status": analytics.leads_by_status(**period),
        "escalations_by_type": analytics.escalations_by_type(**period),
    }
