"""Drafts: versions with diffs, optimistic edits and approval rules."""

from __future__ import annotations

import pytest

from assistant.store import ConflictError, NotFoundError, Store

V1 = "标题：贴息政策解读\n年化利率 3.85%\n额度最高 500 万元\n"
V2 = "标题：贴息政策解读\n年化利率 3.65%\n额度最高 500 万元\n"
ERROR = {"rule": "guarantee", "severity": "error", "message": "保证收益"}
WARNING = {"rule": "tone", "severity": "warning", "message": "语气"}


def _create(store: Store, **kw: object) -> str:
    draft = store.drafts.create(
        type="policy_explainer",
        topic="贴息政策",
        created_by="editor-1",
        text=V1,
        brief={"audience": "企业主", "tone": "正式"},
        citations=[{"n": 1, "source": "corpus/policy.md"}],
        **kw,  # type: ignore[arg-type]
    )
    assert draft.latest_version == 1 and len(draft.versions) == 1
    assert draft.versions[0].diff == "" and draft.status == "draft"
    return draft.id


def test_versions_and_diff(store: Store) -> None:
    draft_id = _create(store)
    v2 = store.drafts.add_version(draft_id, text=V2, author="editor-2", claims=[{"text": "3.65%", "ok": True}])
    assert v2.version == 2
    assert "-年化利率 3.85%" in v2.diff and "+年化利率 3.65%" in v2.diff
    assert v2.diff.startswith("--- v1\n+++ v2\n")
    draft = store.drafts.get(draft_id)
    assert [v.version for v in draft.versions] == [1, 2] and draft.latest == v2
    assert draft.brief == {"audience": "企业主", "tone": "正式"}
    assert draft.versions[0].citations == [{"n": 1, "source": "corpus/policy.md"}]


def test_stale_edit_conflicts(store: Store) -> None:
    draft_id = _create(store)
    store.drafts.add_version(draft_id, text=V2, author="a", expected_version=1)
    with pytest.raises(ConflictError):
        store.drafts.add_version(draft_id, text=V1, author="b", expected_version=1)
    assert store.drafts.get(draft_id).latest_version == 2


def test_approve_blocked_by_errors_then_allowed(store: Store) -> None:
    draft_id = _create(store, findings=[ERROR, WARNING])
    with pytest.raises(ConflictError, match="compliance"):
        store.drafts.approve(draft_id, "chief")
    store.drafts.add_version(draft_id, text=V2, author="editor-1", findings=[WARNING])
    with pytest.raises(ConflictError):
        store.drafts.approve(draft_id, "chief", version=1)
    approved = store.drafts.approve(draft_id, "chief", version=2)
    assert (approved.status, approved.approved_by) == ("approved", "chief")
    assert approved.approved_at is not None
    assert store.drafts.list(status="approved").total == 1

    store.drafts.add_version(draft_id, text=V1, author="editor-1")
    reopened = store.drafts.get(draft_id)
    assert (reopened.status, reopened.approved_by, reopened.approved_at) == ("draft", None, None)


def test_list_and_missing(store: Store) -> None:
    ids = [_create(store) for _ in range(3)]
    page = store.drafts.list(limit=2)
    assert page.total == 3 and [d.id for d in page.items] == ids[::-1][:2]
    assert page.items[0].versions == ()
    store.drafts.add_version(ids[-1], text=V1, author="editor-2")
    full = store.drafts.list(limit=2, versions=True)  # one query for every version of the page
    assert [d.id for d in full.items] == [d.id for d in page.items]
    assert [d.versions for d in full.items] == [store.drafts.get(d.id).versions for d in page.items]
    assert [len(d.versions) for d in full.items] == [2, 1]
    with pytest.raises(NotFoundError):
        store.drafts.get("missing")
    with pytest.raises(NotFoundError):
        store.drafts.approve("missing", "x")
