"""Content drafts with numbered versions (each with a unified diff against its predecessor) and approval."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.base import Repository, check_paging, count, equals, load
from assistant.store.errors import ConflictError
from assistant.store.models import Draft, DraftVersion, new_id, utcnow
from assistant.store.records import DraftRecord, DraftVersionRecord, Page


def unified_diff(previous: str, current: str, from_version: int, to_version: int) -> str:
    return "".join(
        difflib.unified_diff(
            previous.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=f"v{from_version}",
            tofile=f"v{to_version}",
        )
    )


def blocking_findings(findings: list[Any]) -> list[Any]:
    """Compliance findings with severity "error" (they block approval)."""
    return [f for f in findings if isinstance(f, dict) and f.get("severity") == "error"]


class DraftRepo(Repository):
    def create(
        self,
        *,
        type: str,
        topic: str,
        created_by: str,
        text: str,
        brief: dict[str, Any] | None = None,
        citations: list[Any] | None = None,
        claims: list[Any] | None = None,
        findings: list[Any] | None = None,
    ) -> DraftRecord:
        """A new draft whose generated text is version 1."""
        with self._tx.write() as session:
            now = utcnow()
            draft = Draft(
                id=new_id(),
                type=type,
                topic=topic,
                brief=dict(brief or {}),
                status="draft",
                latest_version=0,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
            session.add(draft)
            session.flush()
            self._append(session, draft, text, created_by, citations, claims, findings)
            return self._detail(session, draft)

    def add_version(
        self,
        draft_id: str,
        *,
        text: str,
        author: str,
        citations: list[Any] | None = None,
        claims: list[Any] | None = None,
        findings: list[Any] | None = None,
        expected_version: int | None = None,
    ) -> DraftVersionRecord:
        """Append an edit. With `expected_version`, ConflictError if someone saved a newer version first.

        A new version of an approved draft sends it back to `draft` status (it needs approval again).
        """
        with self._tx.write() as session:
            draft = load(session, Draft, draft_id, "draft", lock=True)
            if expected_version is not None and draft.latest_version != expected_version:
                raise ConflictError(f"draft {draft_id!r} is at version {draft.latest_version}, not {expected_version}")
            version = self._append(session, draft, text, author, citations, claims, findings)
            if draft.status == "approved":
                draft.status, draft.approved_by, draft.approved_at = "draft", None, None
            session.flush()
            return DraftVersionRecord.of(version)

    def get(self, draft_id: str) -> DraftRecord:
        """The draft with all its versions, oldest first."""
        with self._tx.read() as session:
            return self._detail(session, load(session, Draft, draft_id, "draft"))

    def approve(self, draft_id: str, approved_by: str, *, version: int | None = None) -> DraftRecord:
        """Approve the latest version; ConflictError if `version` is stale or error findings remain."""
        with self._tx.write() as session:
            draft = load(session, Draft, draft_id, "draft", lock=True)
            if version is not None and version != draft.latest_version:
                raise ConflictError(f"draft {draft_id!r} is at version {draft.latest_version}, not {version}")
            latest = session.get(DraftVersion, (draft_id, draft.latest_version))
            if latest is not None and blocking_findings(latest.findings):
                raise ConflictError(f"draft {draft_id!r} still has compliance errors; fix them before approval")
            if draft.status != "approved":
                now = utcnow()
                draft.status, draft.approved_by, draft.approved_at = "approved", approved_by, now
                draft.updated_at = now
            session.flush()
            return self._detail(session, draft)

    @staticmethod
    def _append(
        session: Session,
        draft: Draft,
        text: str,
        author: str,
        citations: list[Any] | None,
        claims: list[Any] | None,
        findings: list[Any] | None,
    ) -> DraftVersion:
        previous = session.get(DraftVersion, (draft.id, draft.latest_version)) if draft.latest_version else None
        number = draft.latest_version + 1
        version = DraftVersion(
            draft_id=draft.id,
            version=number,
            text=text,
            citations=list(citations or []),
            claims=list(claims or []),
            findings=list(findings or []),
            author=author,
            created_at=utcnow(),
            diff=unified_diff(previous.text, text, number - 1, number) if previous else "",
        )
        session.add(version)
        draft.latest_version = number
        draft.updated_at = version.created_at
        return version

    @staticmethod
    def _detail(session: Session, draft: Draft) -> DraftRecord:
        session.flush()
        versions = session.scalars(
            select(DraftVersion).where(DraftVersion.draft_id == draft.id).order_by(DraftVersion.version)
        )
        return DraftRecord.of(draft, versions=tuple(DraftVersionRecord.of(v) for v in versions))

    # Kept last: below it, `list[...]` in annotations would name this method, not the builtin.
    def list(
        self,
        *,
        status: str | None = None,
        type: str | None = None,
        limit: int = 50,
        offset: int = 0,
        versions: bool = False,
    ) -> Page[DraftRecord]:
        """Newest first; with `versions`, each with all its versions (one more query for the whole page)."""
        check_paging(limit, offset)
        query = (
            select(Draft)
            .where(*equals((Draft.status, status), (Draft.type, type)))
            .order_by(Draft.created_at.desc(), Draft.id)
        )
        with self._tx.read() as session:
            drafts = session.scalars(query.limit(limit).offset(offset)).all()
            found: dict[str, list[DraftVersionRecord]] = {}
            if versions and drafts:
                in_page = select(DraftVersion).where(DraftVersion.draft_id.in_([d.id for d in drafts]))
                for version in session.scalars(in_page.order_by(DraftVersion.draft_id, DraftVersion.version)):
                    found.setdefault(version.draft_id, []).append(DraftVersionRecord.of(version))
            items = [DraftRecord.of(d, versions=tuple(found.get(d.id, ()))) for d in drafts]
            return Page(items, count(session, query), limit, offset)
