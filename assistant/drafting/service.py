"""DraftService: brief → retrieval → draft → claim check → compliance → stored version; edits, approval, export."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from assistant.compliance import check
from assistant.drafting.brief import Brief
from assistant.drafting.claims import check_claims
from assistant.drafting.export import export
from assistant.drafting.generate import Written, stream_write, write
from assistant.drafting.sources import Retriever, TopicCheck, gather
from assistant.drafting.templates import DraftTemplate, load_template
from assistant.drafting.types import ApprovalBlocked, Citation, Claim, DraftView
from assistant.llm import ChatModel
from assistant.store import Store
from knowledge.types import SearchResult

MAX_TEXT_CHARS = 20_000


def review(text: str, citations: Sequence[Citation]) -> tuple[list[Claim], list[dict[str, Any]]]:
    """Claims checked against the citations, and the compliance findings (post context) of the text."""
    return check_claims(text, citations), [f.to_dict() for f in check(text, context="post").findings]


class DraftService:
    """Drafts for editors. Every stored version carries its claims and compliance findings, re-run on edit."""

    def __init__(
        self,
        retriever: Retriever,
        model: ChatModel,
        store: Store,
        *,
        today: Callable[[], date] = date.today,
        covers: TopicCheck | None = None,
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.store = store
        self.today = today
        self.covers = covers

    def _prepare(self, brief: Brief) -> tuple[Brief, DraftTemplate, list[SearchResult]]:
        brief = brief.normalised()
        template = load_template(brief.type)
        return brief, template, gather(self.retriever, brief, template, self.today, self.covers)

    def _store_new(self, brief: Brief, written: Written, author: str) -> DraftView:
        claims, findings = review(written.text, written.citations)
        record = self.store.drafts.create(
            type=brief.type,
            topic=brief.topic,
            created_by=author,
            text=written.text,
            brief=brief.to_dict() | {"model": self.model.model_name},
            citations=[c.to_dict() for c in written.citations],
            claims=[c.to_dict() for c in claims],
            findings=findings,
        )
        return DraftView.from_record(record)

    def create(self, brief: Brief, *, author: str) -> DraftView:
        """Write, check and store a new draft (version 1). ValueError for a bad brief or no relevant sources."""
        brief, template, passages = self._prepare(brief)
        return self._store_new(brief, write(self.model, brief, template, passages), author)

    def stream(self, brief: Brief, *, author: str) -> Iterator[str | DraftView]:
        """Text deltas as the draft is written, then the stored DraftView (its text is the deltas joined)."""
        brief, template, passages = self._prepare(brief)
        for item in stream_write(self.model, brief, template, passages):
            if isinstance(item, Written):
                yield self._store_new(brief, item, author)
            else:
                yield item

    def get(self, draft_id: str) -> DraftView:
        """The draft at its latest version, with all versions; NotFoundError when there is none."""
        return DraftView.from_record(self.store.drafts.get(draft_id))

    def list(
        self, *, status: str | None = None, type: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[DraftView]:
        """Drafts newest first, each at its latest version."""
        page = self.store.drafts.list(status=status, type=type, limit=limit, offset=offset, versions=True)
        return [DraftView.from_record(record) for record in page.items]

    def revise(self, draft_id: str, text: str, *, author: str, expected_version: int | None = None) -> DraftView:
        """Store an edit as a new version; claims and compliance are re-run against the draft's citations.

        With ``expected_version``, ConflictError when someone saved a newer version first. An edit of an
        approved draft sends it back for approval.
        """
        if not text or not text.strip():
            raise ValueError("正文不能为空 / the text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"正文不能超过{MAX_TEXT_CHARS}个字 / the text is longer than {MAX_TEXT_CHARS} characters")
        current = self.get(draft_id)
        claims, findings = review(text, current.citations)
        self.store.drafts.add_version(
            draft_id,
            text=text,
            author=author,
            citations=[c.to_dict() for c in current.citations],
            claims=[c.to_dict() for c in claims],
            findings=findings,
            expected_version=expected_version,
        )
        return self.get(draft_id)

    def approve(self, draft_id: str, *, approver: str) -> DraftView:
        """Approve the latest version, recording the approver; ApprovalBlocked while anything blocks it."""
        view = self.get(draft_id)
        if view.blocking:
            raise ApprovalBlocked(view.blocking)
        # Pin the version that was checked: a concurrent edit makes this a ConflictError, not a blind approval.
        self.store.drafts.approve(draft_id, approver, version=view.version)
        return self.get(draft_id)

    def export(self, draft_id: str, fmt: str = "markdown") -> str:
        """The latest version as "markdown" or "text" (group messages); unapproved drafts are marked so."""
        return export(self.get(draft_id), fmt)
