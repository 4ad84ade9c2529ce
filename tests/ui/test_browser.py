"""The UI in Debian's chromium (headless, driven by Playwright's Python package; no browser download).

Runs the real services (sample corpus, offline model) behind uvicorn on a loopback port and takes a screenshot of
each tab: into a temp dir, or into FINASSIST_SCREENSHOT_DIR (`make screenshots` refreshes docs/screenshots/).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import EDITOR, UIEnv

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.allow_hosts(["127.0.0.1", "::1"])]

SCREENSHOTS = Path(os.environ.get("FINASSIST_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="finassist-shots-"))
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


def login(page: Any, url: str, key: str, name: str = EDITOR) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(key)
    page.get_by_role("button", name="登录").click()


def screenshot(page: Any, name: str) -> None:
    """A full-page PNG without the transient toasts."""
    page.wait_for_timeout(600)  # let accordions finish opening
    page.evaluate("document.querySelectorAll('.toast-wrap').forEach(t => t.remove())")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_login_refuses_staff_keys(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.staff_key, name="staff-zhao")
    expect(page.get_by_text("Incorrect credentials").or_(page.get_by_text("凭据不正确"))).to_be_visible()
    expect(page.get_by_label("主题")).to_have_count(0)


def test_logout_returns_to_the_login_page(page: Any, live_ui: str, ui_env: UIEnv) -> None:
    login(page, live_ui, ui_env.editor_key)
    expect(page.locator("#ui-user")).to_contain_text(EDITOR)
    page.locator("#ui-logout").click()
    expect(page.get_by_label("密码")).to_be_visible()
    page.goto(live_ui)
    expect(page.get_by_label("密码")).to_be_visible()
    expect(page.get_by_label("主题")).to_have_count(0)


def test_draft_generate_flag_fix_approve_export(page: Any, live_ui: str, ui_env: UIEnv) -> None:
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
    screenshot(page, "drafts")

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


def test_upload_a_document_and_find_it(page: Any, live_ui: str, ui_env: UIEnv, tmp_path: Path) -> None:
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
    screenshot(page, "knowledge")


def test_chat_preview_shows_citations_and_escalation(page: Any, live_ui: str, ui_env: UIEnv) -> None:
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
    screenshot(page, "chat")


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
