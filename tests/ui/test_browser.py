"""The UI in Debian's chromium (headless, driven by Playwright's Python package; no browser download).

Runs the real services (sample corpus, offline model) behind uvicorn on a loopback port, in a browser whose
locale is English (the UI must be Chinese all the same), and takes a screenshot of each tab: into a temp dir
that is removed afterwards, or into FINASSIST_SCREENSHOT_DIR (`make screenshots` refreshes docs/screenshots/).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.insights.seed import seed
from tests.ui.conftest import ADMIN, EDITOR, UIEnv

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.allow_hosts(["127.0.0.1", "::1"])]

KEPT_SCREENSHOTS = os.environ.get("FINASSIST_SCREENSHOT_DIR")
BAD = "\n\n本产品保证100%获批，年化利率低至1.88%。"
UPLOAD = """---
title: 青禾农机购置贴息计划说明
category: policy
region: 江苏
fictional: true
---

# 青禾农机购置贴息计划说明

> 本文为虚构示例资料，仅用于演示。

## 一、支持对象

在江苏省内注册、购置智能农机的农民专业合作社，可申请青禾农机购置贴息。

## 二、贴息标准

按实际支付贷款利息的40%给予贴息，单户年度贴息上限20万元。
"""


EXPECT_TIMEOUT_MS = 20_000  # two cores, three page-load events and a streamed answer: 5 s is not enough


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(autouse=True)
def _patient_expect() -> None:
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: FINASSIST_SCREENSHOT_DIR, or a temp dir pytest removes."""
    return Path(KEPT_SCREENSHOTS) if KEPT_SCREENSHOTS else tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module", autouse=True)
def _analytics_data(ui_env: UIEnv) -> Iterator[None]:
    """Conversations and leads for the analytics tab (funnel new 7 → assigned 6 → contacted 4 → qualified 2 → won 1)."""
    seed(ui_env.services.store)
    yield


def login(page: Any, url: str, key: str) -> None:
    page.goto(url)
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()


def screenshot(page: Any, shots: Path, name: str) -> None:
    """A full-page PNG without the transient toasts."""
    page.wait_for_timeout(600)  # let accordions finish opening
    page.evaluate("document.querySelectorAll('.toast-wrap').forEach(t => t.remove())")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def bars(page: Any, elem_id: str) -> list[dict[str, Any]]:
    """The bars Vega drew in a plot (SVG): each one's ARIA label (its data) and its box on the page."""
    chart = page.locator(f"#{elem_id} .mark-rect path")
    expect(chart.first).to_be_visible()
    return chart.evaluate_all(
        "paths => paths.map(p => { const b = p.getBoundingClientRect();"
        " return {label: p.getAttribute('aria-label') || '', x: b.x, top: b.y, bottom: b.y + b.height,"
        " height: b.height}; })"
    )


def value_of(label: str, field: str) -> str:
    found = re.search(rf"{field}: ([^;]+)", label)
    assert found, (field, label)
    return found.group(1).strip()


def test_login_page_and_refusals_are_chinese(page: Any, live_ui: str, ui_env: UIEnv, shots: Path) -> None:
    page.goto(live_ui)
    expect(page.locator("h1")).to_have_text("融资社区助手 · 编辑工作台")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    screenshot(page, shots, "login")
    login(page, live_ui, ui_env.staff_key)
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(
        "该密钥的角色为 staff（客户经理），编辑后台仅限 editor（编辑）或 admin（管理员）使用"
    )
    login(page, live_ui, ui_env.editor_key + "x")
    expect(page.get_by_role("alert")).to_contain_text("密钥无效或已被吊销")
    expect(page.get_by_label("主题")).to_have_count(0)


def test_logout_returns_to_the_login_page(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.editor_key)
    expect(page.locator("#ui-user")).to_contain_text(EDITOR)
    page.locator("#ui-logout").click()
    expect(page.get_by_label("API 密钥")).to_be_visible()
    expect(page.get_by_text("已退出登录")).to_be_visible()
    page.goto(live_ui)
    expect(page.get_by_label("API 密钥")).to_be_visible()
    expect(page.get_by_label("主题")).to_have_count(0)


def test_gradio_strings_and_toasts_are_chinese_and_go_away(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.editor_key)
    expect(page.locator("#ui-user")).to_contain_text(EDITOR)
    assert page.evaluate("navigator.language") == "zh-CN"
    page.get_by_role("tab", name="知识库").click()
    expect(page.locator("#kb-files")).to_contain_text("将文件拖放到此处")  # Gradio's own text, not "Drop File Here"
    page.get_by_role("tab", name="草稿").click()
    page.get_by_role("button", name="保存修改并重新检查").click()  # no draft open: an error toast
    toast = page.locator(".toast-body")
    expect(toast).to_contain_text("请先生成或打开一篇草稿")
    title = toast.first.locator(".toast-title")
    shown_title = title.evaluate("t => getComputedStyle(t, '::before').content + '|' + getComputedStyle(t).fontSize")
    assert shown_title == '"错误"|0px', shown_title  # Gradio's English "Error" hidden, the Chinese title shown
    box, logout = toast.first.bounding_box(), page.locator("#ui-logout").bounding_box()
    user = page.locator("#ui-user").bounding_box()
    for control in (logout, user):  # the toast never covers the top bar's controls
        apart_x = box["x"] >= control["x"] + control["width"] or control["x"] >= box["x"] + box["width"]
        apart_y = box["y"] >= control["y"] + control["height"] or control["y"] >= box["y"] + box["height"]
        assert apart_x or apart_y, (box, control)
    page.get_by_role("tab", name="知识库").click()
    expect(toast).to_have_count(0)  # closed on switching tabs
    page.get_by_role("tab", name="草稿").click()
    page.get_by_role("button", name="审批通过").click()
    expect(toast).to_have_count(1)
    expect(toast).to_have_count(0, timeout=30_000)  # and it goes away by itself


def test_analytics_charts_start_at_zero_in_workflow_order(page: Any, live_ui: str, ui_env: UIEnv, shots: Path) -> None:
    login(page, live_ui, ui_env.admin_key)
    expect(page.locator("#ui-user")).to_contain_text(ADMIN)
    page.get_by_role("tab", name="数据分析").click()
    expect(page.locator("#an-stats")).to_contain_text("3 小时")
    funnel = bars(page, "an-funnel")
    funnel.sort(key=lambda bar: bar["x"])
    assert [value_of(b["label"], "阶段") for b in funnel] == ["新线索", "已分配", "已联系", "已确认意向", "成交"]
    counts = [int(value_of(b["label"], "线索数")) for b in funnel]
    assert counts == [7, 6, 4, 2, 1]
    bottoms = {round(b["bottom"]) for b in funnel}
    assert len(bottoms) == 1  # one baseline
    per_lead = [b["height"] / n for b, n in zip(funnel, counts, strict=True)]
    assert max(per_lead) - min(per_lead) < 1.5  # heights proportional to counts: the axis starts at zero
    assert funnel[-1]["height"] > 10  # a stage with one lead has a bar
    answers = sorted(bars(page, "an-answers"), key=lambda bar: bar["x"])
    answered = [int(value_of(b["label"], "次数")) for b in answers]
    assert [value_of(b["label"], "结果") for b in answers] == ["已回答", "未回答"]
    assert abs(answers[0]["height"] / answered[0] - answers[1]["height"] / answered[1]) < 1.5
    expect(page.locator("#an-funnel")).to_contain_text("0")  # the axis' first tick
    screenshot(page, shots, "analytics")


def test_editors_see_no_analytics(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.editor_key)
    expect(page.locator("#ui-user")).to_contain_text(EDITOR)
    expect(page.get_by_role("tab", name="知识库")).to_be_visible()
    expect(page.get_by_role("tab", name="数据分析")).to_have_count(0)


def test_a_draft_topic_the_knowledge_base_lacks_is_refused(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.editor_key)
    page.get_by_label("主题").fill("火星移民旅游攻略")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.locator(".fa-note-warn").first).to_contain_text(
        "知识库中没有关于“火星移民旅游攻略”的资料", timeout=40_000
    )
    assert page.locator("#draft-text textarea").input_value() == ""


def test_draft_generate_flag_fix_approve_export(page: Any, live_ui: str, ui_env: UIEnv, shots: Path) -> None:
    login(page, live_ui, ui_env.editor_key)
    expect(page.locator("#ui-user")).to_contain_text(EDITOR)
    page.get_by_label("主题").fill("星火科创信用贷")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.locator("#draft-issues")).to_contain_text("未发现合规问题", timeout=40_000)
    editor = page.locator("#draft-text textarea")
    original = editor.input_value()
    assert "星火科创信用贷" in original and "[1]" in original
    expect(page.locator("#draft-citations")).to_contain_text("[1] 星火科创信用贷产品说明")

    editor.fill(original + BAD)
    page.get_by_role("button", name="保存修改并重新检查").click()
    expect(page.locator("#draft-marked mark.fa-error").filter(has_text="获批")).to_be_visible()
    expect(page.locator("#draft-issues")).to_contain_text("建议修改：删除获批承诺")
    expect(page.locator("#draft-issues .fa-issue.fa-claim").filter(has_text="1.88%")).to_be_visible()  # no source
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_text("暂不能审批")).to_be_visible()
    expect(page.get_by_text("审批前需处理")).to_be_visible()
    screenshot(page, shots, "drafts")

    editor.fill(original)
    page.get_by_role("button", name="保存修改并重新检查").click()
    expect(page.locator("#draft-issues")).to_contain_text("未发现合规问题")
    expect(page.locator("#draft-marked mark")).to_have_count(0)
    page.get_by_role("button", name="审批通过").click()
    expect(page.locator(".fa-status-approved")).to_be_visible()
    expect(page.get_by_text(f"已由 {EDITOR}")).to_be_visible()

    page.get_by_text("版本历史").click()
    expect(page.locator("#draft-versions")).to_contain_text("第 3 版")
    expect(page.locator("#draft-versions")).to_contain_text("第 1 版")

    page.get_by_role("button", name="导出", exact=True).click()
    expect(page.locator("#draft-export-file")).to_contain_text(".md")
    with page.expect_download() as download:
        page.locator("#draft-export-file a").first.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "参考资料" in exported and "尚未审核通过" not in exported and "获批" not in exported

    drafts = ui_env.services.drafts.list(limit=5)
    assert drafts[0].status == "approved" and drafts[0].approved_by == EDITOR and drafts[0].version == 3


def test_upload_a_document_and_find_it(page: Any, live_ui: str, ui_env: UIEnv, tmp_path: Path, shots: Path) -> None:
    doc = tmp_path / "qinghe-farm-machinery.md"
    doc.write_text(UPLOAD, encoding="utf-8")
    files_before = ui_env.services.index.status()["files"]
    login(page, live_ui, ui_env.editor_key)
    page.get_by_role("tab", name="知识库").click()
    expect(page.locator("#kb-status")).to_contain_text(f"{files_before}文件")
    page.locator("#kb-files input[type=file]").set_input_files(str(doc))
    expect(page.locator("#kb-files")).to_contain_text("qinghe-farm-machinery.md")
    page.get_by_role("button", name="导入知识库").click()
    expect(page.locator("#kb-report")).to_contain_text("新增 1 个", timeout=40_000)
    expect(page.locator("#kb-status")).to_contain_text(f"{files_before + 1}文件")

    page.get_by_label("搜索内容").fill("青禾农机购置贴息")
    page.get_by_role("button", name="搜索", exact=True).click()
    first = page.locator("#kb-results .fa-result").first
    expect(first).to_contain_text("青禾农机购置贴息计划说明")
    expect(first).to_contain_text("qinghe-farm-machinery.md")
    screenshot(page, shots, "knowledge")


def test_chat_preview_shows_citations_and_escalation(page: Any, live_ui: str, ui_env: UIEnv, shots: Path) -> None:
    login(page, live_ui, ui_env.editor_key)
    page.get_by_role("tab", name="对话预览").click()
    box = page.locator("#chat-input textarea")
    box.fill("我想找人工客服")
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#chat-meta")).to_contain_text("本会话已转交工作人员", timeout=40_000)
    expect(page.locator("#chat-log")).to_contain_text("已转交工作人员（转人工）")

    box.fill("星火科创信用贷的年化利率是多少？")
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#chat-citations")).to_contain_text("星火科创信用贷产品说明")
    expect(page.locator("#chat-citations")).to_contain_text("products/xinghuo-tech-credit-loan.md")
    expect(page.locator("#chat-log")).to_contain_text("3.45%")
    expect(page.locator("#chat-log")).to_contain_text("引用来源 1 条")
    expect(page.locator("#chat-meta")).to_contain_text("转人工：")
    screenshot(page, shots, "chat")


def test_model_and_user_text_is_escaped(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, live_ui, ui_env.editor_key)
    page.get_by_role("tab", name="对话预览").click()
    page.locator("#chat-input textarea").fill('<img src=x onerror="alert(1)"><b>粗体</b>')
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#chat-log")).to_contain_text("<b>粗体</b>")
    expect(page.locator("#chat-log img[src=x]")).to_have_count(0)
    expect(page.locator("#chat-log b")).to_have_count(0)
    assert dialogs == []
