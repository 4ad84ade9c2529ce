"""Draft → edited versions (diff kept) → approve (blocked while errors remain) → export."""

from __future__ import annotations

import pytest

from assistant.drafting import ApprovalBlocked, Brief, DraftService, DraftView
from assistant.store import ConflictError, NotFoundError

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

RIGHT, WRONG = "年化利率3.5%—4.8%", "年化利率3.2%—4.8%"


@pytest.fixture
def draft(service: DraftService) -> DraftView:
    view = service.create(Brief("product_intro", "安心政担贷"), author="editor:zhang")
    assert RIGHT in view.text and not view.blocking
    return view


def test_planted_wrong_rate_blocks_approval_until_fixed(service: DraftService, draft: DraftView) -> None:
    edited = service.revise(draft.id, draft.text.replace(RIGHT, WRONG), author="editor:li")
    assert edited.version == 2 and edited.status == "draft"
    [bad] = edited.unsupported
    assert bad.kind == "rate" and bad.text == "年化利率3.2%—4.8%"
    assert edited.text[bad.span[0] : bad.span[1]] == bad.text  # flagged in place
    assert bad.message == f"正文中的“年化利率3.2%—4.8%”在引用[{bad.citation}]中找不到"
    assert edited.blocking == [bad.message]

    with pytest.raises(ApprovalBlocked) as blocked:
        service.approve(draft.id, approver="editor:wang")
    assert blocked.value.reasons == [bad.message]
    assert service.get(draft.id).status == "draft"

    fixed = service.revise(draft.id, edited.text.replace(WRONG, RIGHT), author="editor:li")
    assert fixed.version == 3 and not fixed.blocking
    approved = service.approve(draft.id, approver="editor:wang")
    assert approved.status == "approved" and approved.approved_by == "editor:wang" and approved.approved_at
    assert approved.version == 3


def test_compliance_error_blocks_approval(service: DraftService, draft: DraftView) -> None:
    edited = service.revise(draft.id, draft.text + "\n\n零风险，保证通过！", author="editor:li")
    errors = [f for f in edited.findings if f["severity"] == "error"]
    assert errors and all(edited.text[f["span"][0] : f["span"][1]] == f["matched"] for f in errors)
    assert len(edited.blocking) == len(errors) and all("合规错误" in r for r in edited.blocking)
    with pytest.raises(ApprovalBlocked):
        service.approve(draft.id, approver="editor:wang")


def test_versions_keep_diffs_and_authors(service: DraftService, draft: DraftView) -> None:
    service.revise(draft.id, draft.text.replace("产品要点一览", "一文看懂"), author="editor:li")
    view = service.get(draft.id)
    assert [v["version"] for v in view.versions] == [1, 2]
    assert [v["author"] for v in view.versions] == ["editor:zhang", "editor:li"]
    assert view.versions[0]["diff"] == ""
    assert "-# 安心政担贷：产品要点一览" in view.versions[1]["diff"]
    assert "+# 安心政担贷：一文看懂" in view.versions[1]["diff"]
    assert view.citations == draft.citations  # edits are checked against the original sources


def test_stale_edit_and_unknown_draft(service: DraftService, draft: DraftView) -> None:
    service.revise(draft.id, draft.text + "\n", author="a", expected_version=1)
    with pytest.raises(ConflictError):
        service.revise(draft.id, draft.text, author="b", expected_version=1)
    with pytest.raises(NotFoundError):
        service.get("0" * 32)
    with pytest.raises(ValueError, match="正文不能为空"):
        service.revise(draft.id, "  ", author="a")


def test_editing_an_approved_draft_needs_approval_again(service: DraftService, draft: DraftView) -> None:
    service.approve(draft.id, approver="editor:wang")
    view = service.revise(draft.id, draft.text.replace("产品要点一览", "产品速览"), author="editor:li")
    assert view.status == "draft" and view.approved_by is None


def test_export(service: DraftService, draft: DraftView) -> None:
    preview = service.export(draft.id, "markdown")
    assert preview.startswith("> 【草稿，尚未审核通过，请勿发布】")
    service.approve(draft.id, approver="editor:wang")
    markdown = service.export(draft.id)
    assert markdown.startswith("# 安心政担贷") and "**参考资料**" in markdown
    assert "[1] 《安心政担贷（政府性融资担保贷款）产品说明》（products/anxin-guarantee-loan.md）" in markdown
    text = service.export(draft.id, "text")
    assert "[1]" not in text and "#" not in text and "**" not in text
    assert text.startswith("【安心政担贷：产品要点一览】") and "· 贷款额度：10万元—1000万元" in text
    assert "资料来源：《安心政担贷（政府性融资担保贷款）产品说明》" in text
    with pytest.raises(ValueError, match="未知的导出格式"):
        service.export(draft.id, "pdf")


def test_stream_yields_deltas_then_the_stored_draft(service: DraftService) -> None:
    items = list(service.stream(Brief("event_notice", "项目路演报名"), author="editor:zhang"))
    *deltas, final = items
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert isinstance(final, DraftView) and "".join(deltas) == final.text
    assert service.get(final.id).text == final.text


def test_list_and_to_dict(service: DraftService, draft: DraftView) -> None:
    other = service.create(Brief("event_notice", "项目路演报名"), author="editor:zhang")
    service.approve(other.id, approver="editor:wang")
    assert {v.id for v in service.list()} == {draft.id, other.id}
    assert [v.id for v in service.list(status="approved")] == [other.id]
    assert [v.id for v in service.list(type="product_intro")] == [draft.id]
    data = service.get(draft.id).to_dict()
    assert {"id", "text", "citations", "claims", "findings", "version", "status", "type", "topic", "versions"} <= set(
        data
    )
    assert {"approved_by", "approved_at"} <= set(data)
    assert set(data["citations"][0]) == {"n", "source", "title", "heading", "snippet", "text"}
    assert set(data["claims"][0]) == {"kind", "text", "span", "supported", "citation", "evidence", "message"}
