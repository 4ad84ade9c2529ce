"""Drafting data: citations, checked claims, the draft as editors see it, and the drafting errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from assistant.store import DraftRecord
from knowledge.types import SearchResult

ClaimKind = Literal["rate", "amount", "term", "date", "condition"]
CLAIM_LABELS = {"rate": "利率", "amount": "金额/数量", "term": "期限", "date": "日期", "condition": "条件"}


class ApprovalBlocked(Exception):
    """Approval refused: compliance errors or unsupported claims remain (``reasons`` says which)."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("审批被拒绝 / approval blocked: " + "；".join(self.reasons))


class NoSourcesError(ValueError):
    """The knowledge base has nothing relevant to the brief's topic, so no grounded draft can be written."""


@dataclass(frozen=True)
class Citation:
    """Source ``[n]`` of a draft: the chunk it points at (its full text is kept for re-checking edits)."""

    n: int
    source: str
    title: str
    heading: str
    snippet: str
    text: str

    @classmethod
    def of(cls, n: int, passage: SearchResult) -> Citation:
        return cls(n, passage.source, passage.title, passage.heading, passage.snippet, passage.text)

    @property
    def evidence_text(self) -> str:
        """What a claim citing this source is checked against: title, heading path and chunk text."""
        return f"{self.title}\n{self.heading}\n{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "snippet": self.snippet,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(
            int(data["n"]),
            str(data.get("source", "")),
            str(data.get("title", "")),
            str(data.get("heading", "")),
            str(data.get("snippet", "")),
            str(data.get("text", "")),
        )


@dataclass(frozen=True)
class Claim:
    """A checkable statement in the draft (a rate, amount, term, date or condition) and its verdict.

    ``span`` indexes the draft text so the UI can highlight it; ``citation`` is the source that supports it
    (or, when unsupported, the first source the sentence cites); ``message`` explains an unsupported claim.
    """

    kind: ClaimKind
    text: str
    span: tuple[int, int]
    supported: bool
    citation: int | None = None
    evidence: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "span": [self.span[0], self.span[1]],
            "supported": self.supported,
            "citation": self.citation,
            "evidence": self.evidence,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        start, end = data["span"]
        return cls(
            kind=data["kind"],
            text=str(data["text"]),
            span=(int(start), int(end)),
            supported=bool(data["supported"]),
            citation=data.get("citation"),
            evidence=data.get("evidence"),
            message=data.get("message"),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class DraftView:
    """A draft at its latest version, with everything an editor needs to review it."""

    id: str
    type: str
    topic: str
    status: str
    version: int
    text: str
    citations: list[Citation]
    claims: list[Claim]
    findings: list[dict[str, Any]]
    versions: list[dict[str, Any]] = field(default_factory=list)
    approved_by: str | None = None
    approved_at: datetime | None = None
    brief: dict[str, Any] = field(default_factory=dict)
    created_by: str = ""

    @property
    def blocking(self) -> list[str]:
        """Why approval is refused: every error-level compliance finding and every unsupported claim."""
        reasons = [
            f"合规错误［{f.get('rule', '')}］“{f.get('matched', '')}”：{f.get('message', '')}"
            for f in self.findings
            if f.get("severity") == "error"
        ]
        reasons += [c.message or f"正文中的“{c.text}”没有资料支持" for c in self.claims if not c.supported]
        return reasons

    @property
    def unsupported(self) -> list[Claim]:
        return [c for c in self.claims if not c.supported]

    def citation(self, n: int) -> Citation | None:
        return next((c for c in self.citations if c.n == n), None)

    def to_dict(self) -> dict[str, Any]:
        """The HTTP shape."""
        return {
            "id": self.id,
            "type": self.type,
            "topic": self.topic,
            "status": self.status,
            "version": self.version,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "claims": [c.to_dict() for c in self.claims],
            "findings": list(self.findings),
            "versions": list(self.versions),
            "approved_by": self.approved_by,
            "approved_at": _iso(self.approved_at),
            "brief": dict(self.brief),
            "blocking": self.blocking,
        }

    @classmethod
    def from_record(cls, record: DraftRecord) -> DraftView:
        """The view of a stored draft (its latest version; empty text/citations when versions were not loaded)."""
        latest = record.latest
        return cls(
            id=record.id,
            type=record.type,
            topic=record.topic,
            status=record.status,
            version=record.latest_version,
            text=latest.text if latest else "",
            citations=[Citation.from_dict(c) for c in latest.citations] if latest else [],
            claims=[Claim.from_dict(c) for c in latest.claims] if latest else [],
            findings=list(latest.findings) if latest else [],
            versions=[
                {"version": v.version, "author": v.author, "created_at": v.created_at.isoformat(), "diff": v.diff}
                for v in record.versions
            ],
            approved_by=record.approved_by,
            approved_at=record.approved_at,
            brief=dict(record.brief),
            created_by=record.created_by,
        )
