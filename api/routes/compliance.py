"""`POST /v1/compliance/check`: the rule engine over a text (any staff role)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import AnyKey
from api.errors import STAFF, responses
from api.staff_schemas import ComplianceReport, ComplianceRequest
from assistant.compliance import check

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


@router.post(
    "/check",
    response_model=ComplianceReport,
    summary="Check marketing or reply text against the compliance rules",
    responses=responses(*STAFF),
)
async def check_text(body: ComplianceRequest, who: AnyKey) -> dict[str, Any]:
    report = await run_in_threadpool(check, body.text)
    return report.to_dict()
