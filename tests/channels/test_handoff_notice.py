"""Staff cards on handoff: a loopback WeCom robot receives the markdown card after the member's turn;
a failing or absent robot never fails the turn, and every attempt is counted in /metrics."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.agent_processes import AgentProcesses
from api.app import create_app
from assistant.config import Settings
from assistant.services import build_services
from knowledge.ingest import ingest
from tests.api.live import serve_in_thread
from tests.channels.conftest import Channels
from tests.conftest import CORPUS
from tests.support.webhook_receiver import WebhookReceiver

STAFF_URL = "https://staff.example.test"
ARRIVAL_S = 10.0  # generous on a shared machine: the latency itself is measured by bench/channels.py


@pytest.fixture
def robot() -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    with serve_in_thread(receiver.app()) as url:
        yield receiver, f"{url}/cgi-bin/webhook/send?key=robot-key"


def chat(channels: Channels, message: str, session_id: str | None = None) -> dict[str, object]:
    body = {"message": message, **({"session_id": session_id} if session_id else {})}
    response = httpx.post(f"{channels.url}/v1/chat", json=body, timeout=30)
    assert response.status_code == 200
    return dict(response.json())


def counted(channels: Channels, outcome: str) -> float:
    text = httpx.get(f"{channels.url}/metrics", timeout=30).text
    found = re.search(rf'^finassist_staff_notifications_total\{{outcome="{outcome}"\}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def wait_for(predicate: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_complaint_reaches_staff_as_a_card(
    start_channels: Callable[..., Channels], robot: tuple[WebhookReceiver, str]
) -> None:
    receiver, hook = robot
    channels = start_channels(wecom_webhook_url=hook, public_base_url=STAFF_URL)
    sent_before = counted(channels, "sent")
    reply = chat(channels, "你们的客户经理乱收费，骗子！我要投诉")
    assert reply["escalation"] is not None
    assert receiver.arrived.wait(ARRIVAL_S)
    card = receiver.cards[0]
    assert card["msgtype"] == "markdown"
    content = card["markdown"]["content"]
    assert "会员投诉" in content and "（complaint）" in content and '优先级：<font color="warning">高' in content
    assert "电话：未留" in content and "摘要：转人工原因：会员投诉" in content
    assert f"({STAFF_URL}/v1/escalations?type=complaint&open_only=true)" in content
    assert counted(channels, "sent") == sent_before + 1


def test_a_lead_card_has_the_masked_phone_and_the_lead_page(
    start_channels: Callable[..., Channels], robot: tuple[WebhookReceiver, str]
) -> None:
    receiver, hook = robot
    channels = start_channels(wecom_webhook_url=hook, public_base_url=STAFF_URL)
    first = chat(channels, "我想申请贷款")
    session = str(first["session_id"])
    chat(channels, "同意", session)
    done = chat(channels, "我叫张三，苏州星河精密机械有限公司，电话13812345678，想贷300万买设备", session)
    assert wait_for(lambda: len(receiver.cards) == 1)
    lead = receiver.cards[0]["markdown"]["content"]  # one card: the lead and the application it opened
    lead_id = channels.services.store.leads.list().items[0].id
    assert "新线索" in lead and "（lead；application：融资申请意向）" in lead
    assert "电话：138****5678" in lead and "13812345678" not in lead
    assert "张三" in lead and "约300万元" in lead and f"({STAFF_URL}/v1/leads/{lead_id})" in lead
    assert done["escalation"] is not None


def test_a_handoff_over_wechat_notifies_staff(
    start_channels: Callable[..., Channels], robot: tuple[WebhookReceiver, str]
) -> None:
    receiver, hook = robot
    channels = start_channels(wecom_webhook_url=hook, public_base_url=STAFF_URL)
    got = channels.oa.text("转人工", aes=True)
    assert got.content
    assert receiver.arrived.wait(ARRIVAL_S * 10)
    assert "会员要求转人工" in receiver.cards[0]["markdown"]["content"]


def test_a_failing_robot_is_retried_and_counted(
    start_channels: Callable[..., Channels], robot: tuple[WebhookReceiver, str]
) -> None:
    receiver, hook = robot
    receiver.fail_next = 3  # one whole delivery (three attempts) fails: errcode 45009 in an HTTP 200
    channels = start_channels(wecom_webhook_url=hook, notify_attempts=3, notify_retry_seconds=0.2)
    before = {o: counted(channels, o) for o in ("sent", "retried", "failed")}
    assert chat(channels, "转人工")["escalation"] is not None
    assert receiver.arrived.wait(30)  # the second delivery
    assert wait_for(lambda: channels.services.store.notices.list(status="sent") != [])
    notice = channels.services.store.notices.list()[0]
    assert notice.deliveries == 2 and notice.status == "sent"
    after = {o: counted(channels, o) for o in ("sent", "retried", "failed")}
    assert {o: after[o] - before[o] for o in after} == {"sent": 1, "retried": 2, "failed": 1}
    assert receiver.attempts == 4


def test_an_absent_robot_never_fails_the_turn(start_channels: Callable[..., Channels]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channels = start_channels(wecom_webhook_url=f"http://127.0.0.1:{port}/hook", notify_retry_seconds=60)
    failed = counted(channels, "failed")
    reply = chat(channels, "转人工")
    assert reply["escalation"] is not None and reply["answer"]
    assert wait_for(lambda: counted(channels, "failed") == failed + 1)
    notice = channels.services.store.notices.list()[0]
    assert notice.status == "pending" and notice.deliveries == 1 and notice.last_error


def test_a_handoff_in_an_agent_worker_process_is_sent_and_counted_by_the_server(
    tmp_path: Path, robot: tuple[WebhookReceiver, str]
) -> None:
    """With agent processes (the offline default on two cores) the worker only queues the card: the server
    process sends it, so its attempts appear in the server's /metrics."""
    receiver, hook = robot
    settings = Settings(
        data_dir=tmp_path / "data",
        embedding_backend="hashing",
        chat_rate_limit="off",
        wecom_webhook_url=hook,
        _env_file=None,  # type: ignore[call-arg]
    )
    services = build_services(settings)
    pool = AgentProcesses(settings, 1)
    try:
        assert ingest(services.index, [CORPUS]).ok
        pool.start()  # before serving (the app's startup would start it, slower than the server's start check)
        with serve_in_thread(create_app(services, agent_processes=pool)) as url:
            channels = Channels(url, services, None, None, None)  # type: ignore[arg-type]
            sent = counted(channels, "sent")
            assert chat(channels, "转人工")["escalation"] is not None
            assert receiver.arrived.wait(30)
            assert "会员要求转人工" in receiver.cards[0]["markdown"]["content"]
            assert wait_for(lambda: counted(channels, "sent") == sent + 1)
    finally:
        pool.close()
        services.close()
