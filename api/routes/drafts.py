"""Drafts (editor): write a grounded draft from a brief, read and edit it (each edit a new version with claims and
compliance re-checked), approve it (refused while errors or unsupported claims remain), export it. Every write
is audited with the request id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from api.auth import Principal
from api.deps import EditorKey, RequestId, ServicesDep, audit
from api.errors import STAFF, ApiError, responses
from api.schemas import Offset, StrictModel, Text
from api.staff_schemas import ComplianceFinding
from assistant.drafting import ApprovalBlocked, Brief, DraftService, DraftView, NoSourcesError
from assistant.drafting.service import MAX_TEXT_CHARS
from assistant.validation import MAX_INT

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])
DraftId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Draft id (32 hex characters)")]
PostType = Literal["policy_explainer", "product_intro", "event_notice", "faq_digest", "case_story"]
Channel = Literal["wechat_article", "group_message", "moments", "event_notice"]
EXPORT_TYPES = {"markdown": "text/markdown; charset=utf-8", "text": "text/plain; charset=utf-8"}


class DraftCreate(StrictModel):
    """A brief: what to write, for whom and where."""

    type: PostType = Field(description="政策解读 / 产品介绍 / 活动通知 / 问答汇编 / 案例故事")
    topic: Text = Field(min_length=1, max_length=200, description="What the post is about: a product, policy or event")
    audience: Text | None = Field(default=None, max_length=100)
    channel: Channel | None = Field(default=None, description="Defaults to event_notice for notices, else article")
    tone: Text | None = Field(default=None, max_length=100)
    length: Text | None = Field(default=None, max_length=16, description="short, medium, long or a character count")


class DraftPatch(StrictModel):
    """An edited text, stored as a new version."""

    text: Text = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    expected_version: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="409 if someone saved a newer version"
    )


class DraftCitation(BaseModel):
    n: int
    source: str
    title: str
    heading: str
    snippet: str
    text: str


class DraftClaim(BaseModel):
    kind: Literal["rate", "amount", "term", "date", "condition"]
    text: str
    span: list[int] = Field(min_length=2, max_length=2, description="[start, end) offsets into the draft text")
    supported: bool
    citation: int | None
    evidence: str | None
    message: str | None


class DraftVersion(BaseModel):
    version: int
    author: str
    created_at: datetime
    diff: str


class Draft(BaseModel):
    id: str
    type: str
    topic: str
    status: Literal["draft", "approved"]
    version: int
    text: str
    citations: list[DraftCitation]
    claims: list[DraftClaim]
    findings: list[ComplianceFinding]  # the same findings as POST /v1/compliance/check
    versions: list[DraftVersion]
    approved_by: str | None
    approved_at: datetime | None
    brief: dict[str, Any]
    blocking: list[str] = Field(description="Why approval is refused now (empty when it can be approved)")


class DraftList(BaseModel):
    items: list[Draft]
    limit: int
    offset: int


def get_drafts(services: ServicesDep) -> DraftService:
    return services.drafts


Drafts = Annotated[DraftService, Depends(get_drafts)]


@router.post(
    "",
    status_code=201,
    response_model=Draft,
    summary="Write a draft from a brief (retrieval, claim check and compliance; stored as version 1)",
    responses=responses(*STAFF, 502, 503, 504),
)
def create_draft(body: DraftCreate, drafts: Drafts, who: EditorKey, request_id: RequestId) -> dict[str, Any]:
    return write_draft(
        drafts, Brief(**body.model_dump()), who, request_id, lambda view: {"blocking": len(view.blocking)}
    )


def write_draft(
    drafts: DraftService,
    brief: Brief,
    who: Principal,
    request_id: str,
    detail: Callable[[DraftView], dict[str, Any]],
) -> dict[str, Any]:
    """Write a draft for `brief` (422 no_sources when the knowledge base has nothing for it) and audit
    `draft.create` with its type, version and `detail(view)`."""
    try:
        view = drafts.create(brief, author=who.actor)
    except NoSourcesError as error:
        raise ApiError(422, "no_sources", str(error)) from None
    audit(
        drafts.store,
        who,
        "draft.create",
        view.id,
        request_id,
        {"type": view.type, "version": view.version, **detail(view)},
    )
    return view.to_dict()


@router.get("", response_model=DraftList, summary="List drafts (newest first)", responses=responses(*STAFF))
def list_drafts(
    drafts: Drafts,
    who: EditorKey,
    status: Annotated[Literal["draft", "approved"] | None, Query()] = None,
    type: Annotated[PostType | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> dict[str, Any]:
    items = drafts.list(status=status, type=type, limit=limit, offset=offset)
    return {"items": [v.to_dict() for v in items], "limit": limit, "offset": offset}


@router.get("/{draft_id}", response_model=Draft, summary="A draft with its versions", responses=responses(*STAFF, 404))
def get_draft(draft_id: DraftId, drafts: Drafts, who: EditorKey) -> dict[str, Any]:
    return drafts.get(draft_id).to_dict()


@router.patch(
    "/{draft_id}",
    response_model=Draft,
    summary="Save an edit as a new version (claims and compliance re-checked; an approved draft needs approval again)",
    responses=responses(*STAFF, 404, 409),
)
def revise_draft(
    draft_id: DraftId, body: DraftPatch, drafts: Drafts, who: EditorKey, request_id: RequestId
) -> dict[str, Any]:
    view = drafts.revise(draft_id, body.text, author=who.actor, expected_version=body.expected_version)
    audit(drafts.store, who, "draft.revise", draft_id, request_id, {"version": view.version})
    return view.to_dict()


@router.post(
    "/{draft_id}/approve",
    response_model=Draft,
    summary="Approve the latest version (409 while compliance errors or unsupported claims remain)",
    responses=responses(*STAFF, 404, 409),
)
def approve_draft(draft_id: DraftId, drafts: Drafts, who: EditorKey, request_id: RequestId) -> dict[str, Any]:
    try:
        view = drafts.approve(draft_id, approver=who.actor)
    except ApprovalBlocked as blocked:
        raise ApiError(409, "approval_blocked", "；".join(blocked.reasons)) from None
    audit(drafts.store, who, "draft.approve", draft_id, request_id, {"version": view.version})
    return view.to_dict()


@router.get(
    "/{draft_id}/export",
    summary="Export as Markdown or plain text (unapproved drafts are marked as such)",
    response_class=Response,
    responses={
        200: {"content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in EXPORT_TYPES.values()}},
        **responses(*STAFF, 404),
    },
)
def export_draft(
    draft_id: DraftId,
    drafts: Drafts,
    who: EditorKey,
    format: Annotated[Literal["markdown", "text"], Query()] = "markdown",
) -> Response:
    return Response(drafts.export(draft_id, format), media_type=EXPORT_TYPES[format])
