"""Request and response models of the staff, editor and admin endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas import Citation, StrictModel, Text
from assistant.leads import LeadStatus

Role = Literal["staff", "editor", "admin"]


class Note(BaseModel):
    id: str
    author: str
    text: str
    created_at: datetime


class Lead(BaseModel):
    """A lead in lists; `phone` is masked here."""

    id: str
    status: str
    priority: str
    type: str
    assignee: str | None
    name: str | None
    company: str | None
    amount: int | None
    amount_bucket: str | None
    purpose: str | None
    phone: str | None
    conversation_id: str
    escalation_id: str | None
    created_at: datetime
    updated_at: datetime
    first_contacted_at: datetime | None
    erased_at: datetime | None


class Turn(BaseModel):
    seq: int
    role: str
    text: str
    created_at: datetime


class LeadEscalation(BaseModel):
    id: str
    type: str
    priority: str


class LeadDetail(Lead):
    """A lead with its conversation; `phone` is clear for roles that call members (`phone_masked` false)."""

    phone_masked: bool
    summary: str
    reason: str
    escalation: LeadEscalation | None
    citations: list[Citation]
    transcript: list[Turn]
    notes: list[Note]


class LeadPage(BaseModel):
    items: list[Lead]
    total: int
    limit: int
    offset: int


class LeadPatch(StrictModel):
    """Change the status (along the workflow) and/or the assignee (null clears it)."""

    status: LeadStatus | None = None
    assignee: Text | None = Field(default=None, min_length=1, max_length=128)


class NoteCreate(StrictModel):
    text: Text = Field(min_length=1, max_length=4000)


class AuditEntry(BaseModel):
    id: str
    actor: str
    action: str
    target: str | None
    request_id: str | None
    detail: dict[str, Any]
    created_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


class KeyCreate(StrictModel):
    name: Text = Field(min_length=1, max_length=128)
    role: Role


class ApiKey(BaseModel):
    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself: shown only in this response")


class ComplianceRequest(StrictModel):
    text: Text = Field(min_length=1, max_length=50_000)


class ComplianceFinding(BaseModel):
    rule: str
    severity: Literal["error", "warning"]
    span: list[int] = Field(min_length=2, max_length=2)
    matched: str
    message: str
    fix: str
    source: str


class ComplianceReport(BaseModel):
    passed: bool
    findings: list[ComplianceFinding]


class SearchHit(BaseModel):
    source: str
    title: str
    heading: str
    snippet: str
    score: float


class SearchResults(BaseModel):
    results: list[SearchHit]


class FailedFile(BaseModel):
    path: str
    reason: str


class IngestResult(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: int
    removed: list[str]
    failed: list[FailedFile]
    chunks_written: int
    bm25_rebuilt: bool
    repaired: int
    seconds: float


class UploadedFile(BaseModel):
    name: str
    status: Literal["added", "updated", "unchanged"]


class UploadResult(IngestResult):
    """The ingest report of an upload, and what became of each file sent."""

    files: list[UploadedFile]


class KnowledgeStatus(BaseModel):
    files: int
    chunks: int
    vectors: int
    bm25_current: bool


class AnalyticsSummary(BaseModel):
    intents: dict[str, int]
    answers: dict[str, int]
    leads_by_status: dict[str, int]
    escalations_by_type: dict[str, int]
