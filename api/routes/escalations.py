"""Escalations (staff, admin): list them and resolve one, optionally recording the answer the agent should
have given (`finassist eval export-cases` turns those into regression cases). Resolutions are audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.analytics_schemas import Escalation, EscalationPage, EscalationResolve, EscalationType
from api.deps import RequestId, StaffKey, StoreDep, audit
from api.errors import STAFF, responses
from api.schemas import Offset
from assistant.store.records import EscalationRecord

router = APIRouter(prefix="/v1/escalations", tags=["escalations"])
EscalationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Escalation id (32 hex characters)")]


def escalation(record: EscalationRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in Escalation.model_fields}


@router.get("", response_model=EscalationPage, summary="List escalations (newest first)", responses=responses(*STAFF))
def list_escalations(
    store: StoreDep,
    who: StaffKey,
    type: Annotated[EscalationType | None, Query()] = None,
    open_only: Annotated[bool, Query(description="Only unresolved ones")] = False,
    has_correct_answer: Annotated[bool | None, Query(description="Resolved with a correct answer (or not)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> dict[str, Any]:
    page = store.escalations.list(
        type=type, open_only=open_only, has_correct_answer=has_correct_answer, limit=limit, offset=offset
    )
    items = [escalation(r) for r in page.items]
    return {"items": items, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.post(
    "/{escalation_id}/resolve",
    response_model=Escalation,
    summary="Resolve an escalation, optionally with the correct answer (409 when already resolved)",
    responses=responses(*STAFF, 404, 409),
)
def resolve_escalation(
    escalation_id: EscalationId, body: EscalationResolve, store: StoreDep, who: StaffKey, request_id: RequestId
) -> dict[str, Any]:
    record = store.escalations.resolve(escalation_id, resolved_by=who.actor, correct_answer=body.correct_answer)
    detail = {"type": record.type, "correct_answer": record.correct_answer is not None}
    audit(store, who, "escalation.resolve", escalation_id, request_id, detail)
    return escalation(record)
