"""`GET /v1/audit`: who did what to which record, when, under which request id (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import AuditKey, StoreDep
from api.errors import STAFF, responses
from api.schemas import IsoDateTime, Offset, Text
from api.staff_schemas import AuditPage
from api.views import audit_entry

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditQuery(BaseModel):
    actor: Text | None = Field(default=None, max_length=128)
    action: Text | None = Field(default=None, max_length=64, examples=["lead.view"])
    target: Text | None = Field(default=None, max_length=128)
    request_id: Text | None = Field(default=None, max_length=64)
    created_from: IsoDateTime | None = Field(default=None, description="Inclusive; with a time zone")
    created_to: IsoDateTime | None = Field(default=None, description="Exclusive; with a time zone")
    limit: int = Field(default=50, ge=1, le=500)
    offset: Offset = 0


@router.get("", response_model=AuditPage, summary="The audit log (newest first)", responses=responses(*STAFF))
def list_audit(query: Annotated[AuditQuery, Query()], store: StoreDep, who: AuditKey) -> dict[str, Any]:
    page = store.audit.list(**query.model_dump(exclude_none=True))
    return {
        "items": [audit_entry(r) for r in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }
