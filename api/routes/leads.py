"""Leads: members leave contact details (`POST`); staff list, read, work and annotate them; admins export and
erase. Every staff view, change, export and erasure is audited with the request id."""

from __future__ import annotations

import csv
import io
import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import AdminKey, ClientKey, RequestId, ServicesDep, StaffKey, StoreDep, audit
from api.errors import COMMON, STAFF, ApiError, responses
from api.metrics import RATE_LIMITED
from api.schemas import IsoDateTime, LeadCreate, LeadCreated, Offset, Text
from api.staff_schemas import Lead, LeadDetail, LeadPage, LeadPatch, Note, NoteCreate
from api.views import lead, lead_detail, note
from assistant.access import Permission, allows
from assistant.leads import LeadPriority, LeadStatus
from assistant.service import lead_form
from assistant.store import EXPORT_COLUMNS

router = APIRouter(prefix="/v1/leads", tags=["leads"])
# Not validated here: the store answers an unknown or malformed id alike, with 404.
# Not the Text rule: an id that is not a lead's (too long, a NUL, any shape) is a resource that is not there (404);
# the store checks the shape before any query, so no store ever sees it.
LeadId = Annotated[
    str,
    Path(
        description="Lead id (32 hex characters); any other value is not found (404)",
        json_schema_extra={"pattern": "^[0-9a-f]{32}$", "maxLength": 32},  # stated, answered by the store's 404
    ),
]


class LeadFilters(BaseModel):
    status: LeadStatus | None = None
    priority: LeadPriority | None = None
    type: Text | None = Field(default=None, max_length=32)
    assignee: Text | None = Field(default=None, max_length=128)
    created_from: IsoDateTime | None = Field(default=None, description="Inclusive; with a time zone")
    created_to: IsoDateTime | None = Field(default=None, description="Exclusive; with a time zone")

    def used(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class LeadListQuery(LeadFilters):
    limit: int = Field(default=50, ge=1, le=500)
    offset: Offset = 0


@router.post(
    "",
    status_code=201,
    response_model=LeadCreated,
    summary="A member asks to be contacted (stored only with consent)",
    responses=responses(*COMMON, 401, 429),
)
def create_lead(body: LeadCreate, services: ServicesDep, client: ClientKey, request_id: RequestId) -> dict[str, Any]:
    """`session_id`, when sent, must be one the server issued (from `POST /v1/chat`); the response's
    `session_id` continues that conversation (or the new one the form started)."""
    contact = lead_form.ContactRequest(**body.model_dump())
    try:
        record, session_id = lead_form.submit(
            services.store, services.limits, contact, client=client, request_id=request_id or None
        )
    except lead_form.LeadRateLimited as exc:
        RATE_LIMITED.labels("lead").inc()
        wait = max(1, math.ceil(exc.retry_after))
        message = f"too many lead requests from this client (limit {exc.limit}); retry in {wait} s"
        raise ApiError(429, "rate_limited", message, headers={"Retry-After": str(wait)}) from None
    return {"id": record.id, "session_id": session_id, "status": record.status}


@router.get("", response_model=LeadPage, summary="List leads (newest first)", responses=responses(*STAFF))
def list_leads(
    query: Annotated[LeadListQuery, Query()], store: StoreDep, who: StaffKey, request_id: RequestId
) -> dict[str, Any]:
    filters = LeadFilters.model_validate(query.model_dump(exclude={"limit", "offset"})).used()
    page = store.leads.list(**filters, limit=query.limit, offset=query.offset)
    detail = {"filters": {k: str(v) for k, v in filters.items()}, "returned": len(page.items)}
    audit(store, who, "lead.list", None, request_id, detail)
    return {"items": [lead(r) for r in page.items], "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get(
    "/export.csv",
    summary="Export leads as CSV (admin)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **responses(*STAFF)},
)
def export_leads(
    filters: Annotated[LeadFilters, Query()],
    store: StoreDep,
    who: AdminKey,
    request_id: RequestId,
    include_phone: Annotated[bool, Query(description="Clear phone numbers instead of masked")] = False,
) -> Response:
    rows = store.leads.export_rows(include_phone=include_phone, **filters.used())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    detail = {
        "rows": len(rows),
        "include_phone": include_phone,
        "filters": {k: str(v) for k, v in filters.used().items()},
    }
    audit(store, who, "lead.export", None, request_id, detail)
    headers = {"Content-Disposition": 'attachment; filename="leads.csv"', "Cache-Control": "no-store"}
    # The BOM makes spreadsheet programs read the Chinese text as UTF-8.
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/{lead_id}",
    response_model=LeadDetail,
    summary="A lead with transcript, summary, reason, citations and notes",
    responses=responses(*STAFF, 404),
)
def get_lead(lead_id: LeadId, store: StoreDep, who: StaffKey, request_id: RequestId) -> dict[str, Any]:
    reveal = allows(who.role, Permission.PHONE)
    record = store.leads.get(lead_id, include_phone=reveal)
    data = lead_detail(store, record, reveal_phone=reveal, clear_text=allows(who.role, Permission.LEADS_ADMIN))
    audit(store, who, "lead.view", lead_id, request_id, {"phone_revealed": not data["phone_masked"]})
    return data


@router.patch(
    "/{lead_id}",
    response_model=Lead,
    summary="Change status (new → assigned → contacted → qualified → won/lost) and/or assignee (assigned needs one)",
    responses=responses(*STAFF, 404, 409),
)
def update_lead(
    lead_id: LeadId, body: LeadPatch, store: StoreDep, who: StaffKey, request_id: RequestId
) -> dict[str, Any]:
    before = store.leads.get(lead_id)
    change: dict[str, Any] = {"status": body.status}
    if "assignee" in body.model_fields_set:
        change["assignee"] = body.assignee
    record = store.leads.update(lead_id, **change)  # one transaction; refused whole (409, 422)
    detail = {"from": before.status, "to": record.status, "assignee": record.assignee}
    audit(store, who, "lead.update", lead_id, request_id, detail)
    return lead(record)


@router.post(
    "/{lead_id}/notes",
    status_code=201,
    response_model=Note,
    summary="Add a staff note",
    responses=responses(*STAFF, 404, 409),
)
def add_note(
    lead_id: LeadId, body: NoteCreate, store: StoreDep, who: StaffKey, request_id: RequestId
) -> dict[str, Any]:
    record = store.leads.add_note(lead_id, who.actor, body.text)
    audit(store, who, "lead.note", lead_id, request_id, {"note_id": record.id})
    return note(record, clear_text=allows(who.role, Permission.LEADS_ADMIN))


@router.delete(
    "/{lead_id}",
    response_model=Lead,
    summary="Erase the person's data (PIPL); an anonymised record stays (admin)",
    responses=responses(*STAFF, 404),
)
def erase_lead(lead_id: LeadId, store: StoreDep, who: AdminKey, request_id: RequestId) -> dict[str, Any]:
    # The store writes the `lead.erase` audit entry in the same transaction as the erasure.
    return lead(store.leads.erase(lead_id, who.actor, request_id=request_id or None))
