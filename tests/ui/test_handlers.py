"""The tabs' handlers called directly (no browser) over real services: drafts, knowledge and chat preview."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest

from tests.ui.conftest import EDITOR, UIEnv
from ui.auth import EditorAuth, NotAuthorized
from ui.chat_tab import PREVIEW_CHANNEL, ChatController
from ui.drafts_tab import DraftsController
from ui.knowledge_tab import KnowledgeController

BAD = "\n\n本产品保证100%获批，年化利率低至1.88%。"
BRIEF = ("product_intro", "星火科创信用贷", "", None, "", "short")
NOBODY = SimpleNamespace(username="mallory")


@pytest.fixture
def drafts(ui_env: UIEnv, tmp_path: Path) -> DraftsController:
    return DraftsController(ui_env.services.drafts, EditorAuth(ui_env.services.store.api_keys), tmp_path)


def generated(ctl: DraftsController, request: Any) -> tuple[Any, ...]:
    outputs = list(ctl.generate(*BRIEF, request))
    assert len(outputs) > 2  # a placeholder, streamed text, then the stored draft
    streamed = [o[2] for o in outputs[1:-1]]
    assert streamed == sorted(streamed, key=len)  # the text grows as it streams
    return outputs[-1]


def test_draft_lifecycle(drafts: DraftsController, ui_env: UIEnv) -> None:
    request = ui_env.request()
    shown, header, text, _marked, issues, citations, versions = generated(drafts, request)
    assert shown["version"] == 1 and "没有阻止审批的问题" in header and "未发现" in issues
    assert "[1]" in citations and "fa-passage" in citations and "第 1 版" in versions

    bad = drafts.save(shown, text + BAD, request)
    assert bad[0]["version"] == 2
    assert '<mark class="fa-mark fa-error"' in bad[3] and "建议修改：" in bad[4] and "无依据陈述" in bad[4]
    assert "审批前需处理" in bad[1]

    with pytest.warns(UserWarning, match="暂不能审批"):
        blocked = drafts.approve(bad[0], request)
    assert "审批前需处理" in blocked[1]
    assert ui_env.services.drafts.get(shown["id"]).status != "approved"

    fixed = drafts.save(bad[0], text, request)
    assert fixed[0]["version"] == 3 and "未发现" in fixed[4]
    approved = drafts.approve(fixed[0], request)
    assert "已审批" in approved[1] and f"已由 {EDITOR}" in approved[1]
    assert ui_env.services.drafts.get(shown["id"]).approved_by == EDITOR

    file_update, preview_update = drafts.export(approved[0], "markdown", request)
    assert Path(file_update["value"]).read_text(encoding="utf-8") == preview_update["value"]
    assert "参考资料" in preview_update["value"]
    assert any(shown["id"] == value for _, value in drafts.draft_choices())


def test_stale_version_is_reloaded_instead_of_overwritten(drafts: DraftsController, ui_env: UIEnv) -> None:
    request = ui_env.request()
    shown, *_ , text = generated(drafts, request)[:3]  # fmt: skip
    ui_env.services.drafts.revise(shown["id"], text + "\n\n补充说明。", author="someone-else")
    with pytest.warns(UserWarning, match="已被他人更新到第 2 版"):
        reloaded = drafts.save(shown, text + BAD, request)
    assert reloaded[0]["version"] == 2 and "补充说明" in reloaded[2]  # the other editor's version is kept
    with pytest.warns(UserWarning, match="已被他人更新到第 2 版"):
        assert drafts.approve(shown, request)[0]["version"] == 2
    assert ui_env.services.drafts.get(shown["id"]).status != "approved"


def test_draft_handlers_refuse_anonymous_and_bad_input(drafts: DraftsController, ui_env: UIEnv) -> None:
    with pytest.raises(NotAuthorized):
        next(drafts.generate(*BRIEF, NOBODY))
    with pytest.raises(NotAuthorized):
        drafts.save({"id": "x", "version": 1}, "text", None)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="主题不能为空"):
        next(drafts.generate("product_intro", "  ", "", None, "", None, ui_env.request()))
    with pytest.raises(gr.Error, match="请先生成或打开"):
        drafts.approve(None, ui_env.request())
    with pytest.raises(gr.Error, match="找不到草稿"):
        drafts.open("no-such-draft", ui_env.request())


def test_upload_ingests_and_search_finds_it(ui_env: UIEnv, tmp_path: Path) -> None:
    ctl = KnowledgeController(
        ui_env.services.index, ui_env.services.retriever, EditorAuth(ui_env.services.store.api_keys)
    )
    doc = tmp_path / "qinghe-agri.md"
    doc.write_text(
        "---\ntitle: 青禾农机贴息计划说明\n---\n\n# 青禾农机贴息计划\n\n青禾农机贴息计划为购置农机的合作社贴息2%。\n\n"
        "| 项目 | 标准 |\n| --- | --- |\n| **贴息比例** | 2% |\n"
    )
    junk = tmp_path / "virus.exe"
    junk.write_bytes(b"MZ")
    seen: list[Any] = []
    refused, _ = ctl.upload([str(doc), str(junk)], ui_env.request())  # the core's rule: all or nothing
    assert "virus.exe" in refused and "均未保存" in refused
    assert not (ui_env.services.index.data_dir / "uploads" / "qinghe-agri.md").exists()
    report, status = ctl.upload([str(doc)], ui_env.request(), lambda *a, **k: seen.append(a))
    assert "新增 1 个" in report
    assert (ui_env.services.index.data_dir / "uploads" / "qinghe-agri.md").exists()
    assert seen[-1] == ((1, 1),)
    assert "文件" in status
    found = ctl.search("青禾农机贴息比例", 3, ui_env.request())
    assert "青禾农机贴息计划说明" in found and "相关度：" in found
    first = found.split('class="fa-passage">')[1].split("</div>")[0]
    assert "|" not in first and "**" not in first and "---" not in first and "得分" not in found
    with pytest.raises(NotAuthorized):
        ctl.search("青禾", 3, NOBODY)


def test_chat_preview_streams_and_shows_citations(ui_env: UIEnv) -> None:
    ctl = ChatController(ui_env.services.agent, EditorAuth(ui_env.services.store.api_keys))
    assert ctl.agent is not ui_env.services.agent and ctl.agent.channel == PREVIEW_CHANNEL
    handed = list(ctl.send("我想找人工客服", [], None, ui_env.request()))[-1]
    history, session, citations, meta, cleared = handed
    assert session["id"] and cleared == "" and "没有引用来源" in citations
    assert history[-1]["metadata"]["title"] == "已转交工作人员（转人工）"
    assert "本会话已转交工作人员" in meta and session["escalations"][0]["type"] == "human"

    outputs = list(ctl.send("星火科创信用贷的年化利率是多少？", history, session, ui_env.request()))
    assert len(outputs) > 1  # streamed
    history, session, citations, meta, _ = outputs[-1]
    assert history[3] == {"role": "user", "content": "星火科创信用贷的年化利率是多少？"}
    assert "3.45%" in history[4]["content"] and history[5]["metadata"]["title"] == "引用来源 1 条"
    assert "xinghuo-tech-credit-loan.md" in citations
    assert "最新意图：咨询" in meta and "本会话已转交工作人员" in meta  # the hand-off stays listed
    conversation_id = session["id"].split(".")[0]  # the session id is `<conversation id>.<token>`
    assert ui_env.services.store.conversations.get(conversation_id).channel == PREVIEW_CHANNEL

    evil = list(ctl.send("<img src=x onerror=alert(1)>", [], None, ui_env.request()))[-1][0]
    assert all("<img" not in m["content"] for m in evil)
    with pytest.raises(NotAuthorized):
        next(ctl.send("你好", [], None, NOBODY))
    assert ctl.reset(ui_env.request())[:2] == ([], None)


def test_build_ui_needs_only_the_services_it_declares(ui_env: UIEnv) -> None:
    from ui.app import build_ui

    parts = {
        name: getattr(ui_env.services, name) for name in ("settings", "index", "retriever", "store", "agent", "drafts")
    }
    parts["chat_model"] = ui_env.services.chat_model
    assert isinstance(build_ui(SimpleNamespace(**parts)), gr.Blocks)


def test_exports_leave_no_temp_folders(ui_env: UIEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the UI made a finassist-ui-export-* folder each time, and nothing removed it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    auth = EditorAuth(ui_env.services.store.api_keys)
    idle = DraftsController(ui_env.services.drafts, auth)
    assert list(tmp_path.iterdir()) == []  # nothing made until something is exported
    ctl = DraftsController(ui_env.services.drafts, auth)
    request = ui_env.request()
    shown = generated(ctl, request)[0]
    file_update, _ = ctl.export(shown, "text", request)
    assert Path(file_update["value"]).parent.parent == tmp_path
    ctl.close()
    assert list(tmp_path.iterdir()) == []
    del idle


def test_a_topic_the_knowledge_base_lacks_is_refused_with_a_reason(drafts: DraftsController, ui_env: UIEnv) -> None:
    before = len(ui_env.services.drafts.list(limit=100))
    brief = ("product_intro", "火星移民旅游攻略", "", None, "", None)
    last = list(drafts.generate(*brief, ui_env.request()))[-1]
    assert last[0] is None and "fa-note-warn" in last[1] and "知识库中没有关于“火星移民旅游攻略”的资料" in last[1]
    assert "nothing in the knowledge base" not in last[1]  # Chinese only
    assert "最接近的资料" in last[1] or "还没有可用的资料" in last[1]  # the core names what it has nearest
    assert len(ui_env.services.drafts.list(limit=100)) == before  # nothing stored


def test_the_knowledge_tab_lists_flagged_documents_from_its_source(ui_env: UIEnv) -> None:
    doc = SimpleNamespace(source="x.md", title="可疑文档", rules=("contact",), sentences=("加微信转账",), member=False)
    seen: list[Any] = []
    auth = EditorAuth(ui_env.services.store.api_keys)
    ctl = KnowledgeController(ui_env.services.index, ui_env.services.retriever, auth, lambda i: seen.append(i) or [doc])
    assert "可疑文档" in ctl.flagged(ui_env.request()) and seen == [ui_env.services.index]
    assert KnowledgeController(ui_env.services.index, ui_env.services.retriever, auth).flagged(ui_env.request()) == ""
    with pytest.raises(NotAuthorized):
        ctl.flagged(NOBODY)
