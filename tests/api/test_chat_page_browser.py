"""The member chat page in Debian's chromium (Playwright), at a phone viewport (390×844) and on a desktop.

Real services (hashing-embedded sample corpus, offline model, SQLite) behind uvicorn on loopback; the agent's
clock is pinned to a weekday evening, so handoffs happen out of hours. Screenshots go to pytest's temp dir, or to
FINASSIST_SCREENSHOT_DIR (`make screenshots` refreshes docs/screenshots/chat-phone.png).
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from assistant.service import Agent
from assistant.service.replies import CONSENT_TEXT
from assistant.service.sessions import conversation_of, looks_like_credential
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.api.conftest import make_settings
from tests.ui.conftest import browser  # noqa: F401  (the module-scoped chromium)
from tests.ui.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.allow_hosts(["127.0.0.1", "::1"])]

# Not a folder made at import: collecting this module must leave nothing behind in the temp directory.
KEPT_SCREENSHOTS = os.environ.get("FINASSIST_SCREENSHOT_DIR")
EVENING = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)  # a Wednesday, 21:30 in Shanghai: staff are off
QUESTION = "安心政担贷的贷款利率是多少？"
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1440, "height": 1000}},
}


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(autouse=True)
def _patient_expect() -> None:
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def start_app(
    tmp_path_factory: pytest.TempPathFactory, sample_index: KnowledgeIndex, sample_retriever: HybridRetriever
) -> Iterator[Callable[..., tuple[str, Services]]]:
    """Start the API (no UI) on a loopback port with Settings overrides: (base URL, services)."""
    running: list[tuple[LiveServer, Services]] = []

    def start(**overrides: Any) -> tuple[str, Services]:
        settings = make_settings(tmp_path_factory.mktemp("chat-page"), **overrides)
        store = build_store(settings.resolved_database_url)
        built = build_services(settings, index=sample_index, retriever=sample_retriever, store=store)
        clock = lambda: EVENING  # noqa: E731
        agent = Agent.from_settings(
            settings,
            store=store,
            retriever=sample_retriever,
            model=built.chat_model,
            guard=built.guard,
            clock=clock,
            limits=built.limits,
        )
        services = built.replace(agent=agent)
        server = LiveServer(create_app(services)).start()
        running.append((server, services))
        return server.url, services

    yield start
    for server, services in running:
        server.stop()
        services.store.close()


@pytest.fixture(scope="module")
def live(start_app: Callable[..., tuple[str, Services]]) -> tuple[str, Services]:
    return start_app()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[request.param])
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.viewport_name = request.param
    yield tab
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: FINASSIST_SCREENSHOT_DIR, or a temp dir pytest removes."""
    return Path(KEPT_SCREENSHOTS) if KEPT_SCREENSHOTS else tmp_path_factory.mktemp("shots")


def screenshot(page: Any, shots: Path, name: str) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}-{page.viewport_name}.png"))
    if page.viewport_name == "phone" and name == "chat":
        page.screenshot(path=str(shots / "chat-phone.png"))


def ask(page: Any, text: str) -> None:
    page.get_by_label("输入消息").fill(text)
    page.get_by_role("button", name="发送").click()


def bot_messages(page: Any) -> Any:
    return page.locator(".msg.bot:not(.intro) .text")


def test_question_streams_an_answer_with_citations(page: Any, live: tuple[str, Services], shots: Path) -> None:
    url, _ = live
    page.goto(f"{url}/chat")
    with page.expect_response(lambda r: r.url.endswith("/v1/chat/stream")) as streamed:
        ask(page, QUESTION)
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    answer = bot_messages(page).last
    expect(answer).to_contain_text("年化利率")
    expect(page.locator(".cites-h").last).to_contain_text("引用来源")
    first = page.locator(".cite").first
    expect(first.locator(".snip")).to_be_hidden()
    answer.locator(".ref").first.click()  # the [1] in the answer opens citation 1
    expect(first.locator(".snip")).to_be_visible()
    expect(first.locator("summary")).to_contain_text("安心政担贷")
    expect(first.locator(".src")).to_contain_text(".md")
    screenshot(page, shots, "chat")


def test_handoff_out_of_hours_shows_the_working_hours(page: Any, live: tuple[str, Services]) -> None:
    url, services = live
    page.goto(f"{url}/chat")
    page.get_by_role("button", name="转人工").click()
    expect(bot_messages(page).last).to_contain_text("已为您转接人工服务")
    expect(page.locator(".msg.note").last).to_contain_text("已转交客户关系专员（转人工）")
    expect(page.locator("#hours")).to_contain_text("现在是非工作时间，人工服务时间：工作日9:00—18:00")
    session_id = page.evaluate("JSON.parse(localStorage.getItem('finassist.chat.v1')).session.session_id")
    conversation_id = conversation_of(session_id)
    assert [e.type for e in services.store.escalations.list(conversation_id=conversation_id).items] == ["human"]
    page.reload()
    expect(page.locator("#hours")).to_be_visible()
    ask(page, "你好")
    expect(page.locator("#hours")).to_be_hidden()  # the notice belongs to the latest handoff
    expect(page.locator(".msg.note.off")).to_have_count(1)  # the transcript keeps it


def test_apply_with_consent_and_the_form(page: Any, live: tuple[str, Services]) -> None:
    url, services = live
    page.goto(f"{url}/chat")
    page.get_by_role("button", name="我要申请").click()
    consent = page.locator("#consent")
    expect(consent).to_be_visible()
    expect(page.locator("#consent-text")).to_have_text(CONSENT_TEXT)  # the agent's wording, from the server
    agree = page.get_by_role("button", name="同意并填写")
    expect(agree).to_be_disabled()
    page.get_by_label("我已阅读并同意上述说明").check()
    agree.click()
    form = page.locator("#lead")
    expect(form).to_be_visible()
    expect(consent).to_be_hidden()

    page.get_by_label("您的称呼").fill("王五")
    page.get_by_label("企业名称").fill("张记餐馆")
    page.get_by_label("手机号").fill("1391234")
    page.get_by_label("融资金额").fill("300")
    page.get_by_label("资金用途").fill("采购设备，扩大生产")
    sent = page.locator(".msg.user").count()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#e-phone")).to_contain_text("11位中国大陆手机号")
    expect(page.get_by_label("手机号")).to_be_focused()
    assert page.locator(".msg.user").count() == sent  # nothing was sent

    page.get_by_label("手机号").fill("139 1234 5678")
    page.get_by_label("融资金额").fill("三百")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#e-amount")).to_contain_text("万元")
    expect(page.locator("#e-phone")).to_be_hidden()
    page.get_by_label("融资金额").fill("300")
    expect(page.locator("#e-amount")).to_be_hidden()  # cleared while typing
    page.get_by_role("button", name="提交").click()
    expect(bot_messages(page).last).to_contain_text("您的融资需求已登记")
    expect(bot_messages(page).last).to_contain_text("139****5678")
    expect(form).to_be_hidden()
    expect(page.locator(".msg.user").last).to_contain_text("手机号：139****5678")  # the device keeps it masked

    session_id = page.evaluate("JSON.parse(localStorage.getItem('finassist.chat.v1')).session.session_id")
    conversation_id = conversation_of(session_id)
    [lead] = [lead for lead in services.store.leads.list(limit=500).items if lead.conversation_id == conversation_id]
    assert (lead.name, lead.company, lead.amount, lead.purpose) == ("王五", "张记餐馆", 3_000_000, "采购设备，扩大生产")
    assert lead.consent_id is not None


def test_refusing_consent_collects_nothing(page: Any, live: tuple[str, Services]) -> None:
    url, services = live
    page.goto(f"{url}/chat")
    page.get_by_role("button", name="我要申请").click()
    page.get_by_role("button", name="不同意").click()
    expect(bot_messages(page).last).to_contain_text("不会收集或保存您的任何个人信息")
    expect(page.locator("#consent")).to_be_hidden()
    expect(page.locator("#lead")).to_be_hidden()
    session_id = page.evaluate("JSON.parse(localStorage.getItem('finassist.chat.v1')).session.session_id")
    conversation_id = conversation_of(session_id)
    assert not [lead for lead in services.store.leads.list(limit=500).items if lead.conversation_id == conversation_id]


def test_reload_keeps_the_conversation_and_its_session(page: Any, live: tuple[str, Services]) -> None:
    url, services = live
    page.goto(f"{url}/chat")
    ask(page, QUESTION)
    expect(page.locator(".cite")).not_to_have_count(0)
    session_id = page.evaluate("JSON.parse(localStorage.getItem('finassist.chat.v1')).session.session_id")
    page.reload()
    expect(page.locator(".msg.user")).to_have_text([QUESTION])
    expect(bot_messages(page).last).to_contain_text("年化利率")
    expect(page.locator(".cite")).not_to_have_count(0)
    ask(page, "需要什么材料？")
    expect(page.locator("body.busy")).to_have_count(0)  # the reply is in (and stored)
    expect(bot_messages(page)).to_have_count(2)
    kept = page.evaluate("JSON.parse(localStorage.getItem('finassist.chat.v1')).session.session_id")
    assert kept == session_id and looks_like_credential(session_id)  # the session id the server issued
    assert len(services.store.conversations.transcript(conversation_of(session_id))) == 4


def test_server_text_is_never_markup(page: Any, live: tuple[str, Services]) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    url, _ = live
    page.goto(f"{url}/chat")
    ask(page, '<img src=x onerror="alert(1)"><b>粗体</b>')
    expect(bot_messages(page)).to_have_count(1)
    expect(page.locator(".msg.user").last).to_contain_text("<b>粗体</b>")
    expect(page.locator("#log img, #log b")).to_have_count(0)
    assert dialogs == []


def test_rate_limit_shows_a_clear_message(
    page: Any, start_app: Callable[..., tuple[str, Services]], shots: Path
) -> None:
    url, _ = start_app(chat_rate_limit="2/minute")
    page.goto(f"{url}/chat")
    for n in (1, 2):
        ask(page, "你好")
        expect(bot_messages(page)).to_have_count(n)
    ask(page, "你好")
    expect(page.locator("#error")).to_contain_text("您发送消息太频繁了，请")
    expect(page.locator("#error")).to_contain_text("秒后再试")
    expect(page.get_by_role("button", name="重试")).to_be_visible()
    expect(bot_messages(page)).to_have_count(2)
    screenshot(page, shots, "chat-429")


def test_network_loss_then_retry(page: Any, live: tuple[str, Services]) -> None:
    url, _ = live
    page.goto(f"{url}/chat")
    page.context.set_offline(True)
    ask(page, "你好")
    expect(page.locator("#error")).to_contain_text("网络连接失败，请检查网络后重试")
    expect(page.locator("#net")).to_be_visible()
    page.context.set_offline(False)
    expect(page.locator("#net")).to_be_hidden()
    page.get_by_role("button", name="重试").click()
    expect(bot_messages(page)).to_have_count(1)
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator(".msg.user")).to_have_count(1)  # the retry does not repeat the member's bubble


def test_a_stream_cut_mid_answer_asks_for_a_retry(page: Any, live: tuple[str, Services]) -> None:
    url, _ = live
    cut = 'event: token\r\ndata: {"text": "根据"}\r\n\r\n'  # a token, then the connection ends: no final
    page.route("**/v1/chat/stream", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=cut))
    page.goto(f"{url}/chat")
    ask(page, QUESTION)
    expect(page.locator("#error")).to_contain_text("网络中断，回答没有完整收到，请重试")
    expect(bot_messages(page)).to_have_count(0)  # the partial answer is not kept
    page.unroute("**/v1/chat/stream")
    page.get_by_role("button", name="重试").click()
    expect(bot_messages(page).last).to_contain_text("年化利率")


class HostPage:
    """A page on another origin (loopback, its own port) that embeds the widget with one script tag."""

    def __init__(self) -> None:
        self.html = b""
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(owner.html)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def embed(self, app_url: str) -> None:
        tag = f'<script src="{app_url}/chat/widget.js" data-title="融资咨询" data-color="#c0392b"></script>'
        self.html = f"<!doctype html><html><body><h1>会员之家</h1>{tag}</body></html>".encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def hosts() -> Iterator[tuple[HostPage, HostPage]]:
    allowed, foreign = HostPage(), HostPage()
    yield allowed, foreign
    allowed.close()
    foreign.close()


def test_widget_embeds_the_page_only_on_allowed_origins(
    page: Any, start_app: Callable[..., tuple[str, Services]], hosts: tuple[HostPage, HostPage]
) -> None:
    allowed, foreign = hosts
    url, _ = start_app(chat_allowed_origins=allowed.origin)
    allowed.embed(url)
    foreign.embed(url)

    page.goto(allowed.origin)
    bubble = page.get_by_role("button", name="融资咨询")
    bubble.click()
    frame = page.frame_locator("iframe[title='融资咨询']")
    expect(frame.locator("#title")).to_have_text("融资咨询")
    assert frame.locator(".bar").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(192, 57, 43)"
    frame.get_by_label("输入消息").fill(QUESTION)
    frame.get_by_role("button", name="发送").click()
    expect(frame.locator(".msg.bot:not(.intro) .text").last).to_contain_text("年化利率")
    frame.get_by_role("button", name="关闭").click()
    expect(page.locator("[data-finassist=panel]")).to_be_hidden()

    page.goto(foreign.origin)
    page.get_by_role("button", name="融资咨询").click()
    expect(page.locator("iframe[title='融资咨询']")).to_be_attached()
    page.wait_for_timeout(1500)  # give a refused frame the time a loaded one would need
    child = page.frame_locator("iframe[title='融资咨询']").locator("#title")
    expect(child).to_have_count(0)  # frame-ancestors refused it
