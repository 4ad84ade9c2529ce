"""`GET /v1/audit`: who did what to which record, when, under which request id (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import AuditKey, StoreDep
from api.errors import STAFF, responses
from api.schemas import IsoDateTime
from api.staff_schemas import AuditPage
from api.views import audit_entry

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditQuery(BaseModel):
    actor: str | None = Field(default=None, max_length=128)
    action: str | None = Field(default=None, max_length=64, examples=["lead.view"])
    target: str | None = Field(default=None, max_length=128)
    request_id: str | None = Field(default=None, max_length=64)
    created_from: IsoDateTime | None = Field(default=None, description="Inclusive; with a time zone")
    created_to: IsoDateTime | None = Field(default=None, description="Exclusive; with a time zone")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000_000)


@router.get("", response_model=AuditPage, summary="The audit log (newest first)", responses=responses(*STAFF))
def list_audit(query: Annotated[AuditQuery, Query()], store: StoreDep, who: AuditKey) -> dict[str, Any]:
    page = store.audit.list(**query.model_dump(exclude_none=True))
    return {
        "items": [audit_entry(r) for r in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }
