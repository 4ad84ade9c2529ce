"""The Official Account callback over real HTTP: URL check, plain and safe (AES) modes, signatures,
dedupe of retried deliveries, events, and the customer-service path for slow turns."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import xmltodict

from tests.channels.conftest import APP_ID, Channels, CountingAgent
from tests.channels.simulator import Received, event_xml, image_xml, sign, text_xml

QUESTION = "星火科创信用贷需要什么材料？"


def db_dump(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def rows(channels: Channels, table: str) -> int:
    with channels.services.store.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())


def test_url_verification_echoes_and_refuses_a_bad_signature(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    ok = channels.oa.verify("echo-abc")
    assert (ok.status_code, ok.text) == (200, "echo-abc")
    bad = channels.oa.verify("echo-abc", token="not-our-token")
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "bad_signature"


@pytest.mark.parametrize("aes", [False, True], ids=["plain", "aes"])
def test_text_message_gets_the_agents_answer_with_sources(
    start_channels: Callable[..., Channels], tmp_path: Path, aes: bool
) -> None:
    channels = start_channels()
    got = channels.oa.text(QUESTION, aes=aes)
    assert got.status == 200 and got.reply is not None
    if aes:
        assert "<Encrypt>" in got.body and "材料" not in got.body  # the passive reply is encrypted too
    assert got.reply["MsgType"] == "text"
    assert (got.reply["ToUserName"], got.reply["FromUserName"]) == (channels.oa.openid, channels.oa.account)
    assert got.content is not None and "来源：\n1. " in got.content
    web = channels.services.agent.reply(None, QUESTION)  # the same turn POST /v1/chat runs
    assert got.content.startswith(web.answer.strip()[:40])
    dump = db_dump(tmp_path / "channels.db")
    assert channels.oa.openid not in dump  # only its keyed hash is stored
    assert "'wechat'" in dump  # the conversation is labelled with its channel


def test_a_member_keeps_one_conversation_across_messages(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    channels.oa.text("我想申请贷款")
    consent = channels.oa.text("同意")
    assert consent.content is not None and "手机号" in consent.content
    done = channels.oa.text("我叫张三，苏州星河精密机械有限公司，电话13812345678，想贷300万买设备")
    assert done.content is not None and "138****5678" in done.content
    leads = channels.services.store.leads.list()
    assert leads.total == 1 and leads.items[0].phone_masked == "138****5678"
    assert rows(channels, "conversations") == 1


def test_bad_signature_is_refused_and_nothing_is_stored(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    xml = text_xml(channels.oa.account, channels.oa.openid, QUESTION, 42, int(time.time()))
    for aes in (False, True):
        got = channels.oa.post(xml, aes=aes, token="forged-token")
        assert got.status == 403
    assert rows(channels, "channel_messages") == 0 and rows(channels, "conversations") == 0


def test_a_tampered_encrypted_body_is_refused(start_channels: Callable[..., Channels]) -> None:
    """The query signature is right, but msg_signature does not sign the ciphertext."""
    channels = start_channels()
    xml = text_xml(channels.oa.account, channels.oa.openid, QUESTION, 43, int(time.time()))
    timestamp, nonce = str(int(time.time())), "n1"
    encrypt = xmltodict.parse(channels.oa.crypto.encrypt_message(xml, nonce, timestamp))["xml"]["Encrypt"]
    query = {
        "signature": sign(channels.oa.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": "0" * 40,
    }
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    response = httpx.post(f"{channels.url}/channels/wechat", params=query, content=body, timeout=30)
    assert response.status_code == 403
    assert rows(channels, "channel_messages") == 0


def test_malformed_xml_is_a_400(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    assert channels.oa.post("<xml><ToUserName>broken").status == 400
    assert channels.oa.post("<xml><MsgType>text</MsgType></xml>").status == 400  # no sender
    assert rows(channels, "channel_messages") == 0


def test_a_retried_msgid_is_answered_once(start_channels: Callable[..., Channels], db_url: str) -> None:
    channels = start_channels(database_url=db_url)
    counting = CountingAgent(channels.services.agent)
    channels.services.agent = counting  # type: ignore[assignment]
    replies = [channels.oa.text(QUESTION, msg_id=777001, aes=True) for _ in range(3)]
    assert len(counting.calls) == 1
    assert len({r.content for r in replies}) == 1 and replies[0].content
    assert rows(channels, "turns") == 2  # one user turn, one assistant turn


def test_events_and_non_text_messages(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    counting = CountingAgent(channels.services.agent)
    channels.services.agent = counting  # type: ignore[assignment]
    oa, now = channels.oa, int(time.time())
    welcome = oa.post(event_xml(oa.account, oa.openid, "subscribe", now))
    assert welcome.content is not None and "欢迎" in welcome.content
    again = oa.post(event_xml(oa.account, oa.openid, "subscribe", now))  # the same event retried
    assert again.content == welcome.content
    image = oa.post(image_xml(oa.account, oa.openid, oa.next_id(), now), aes=True)
    assert image.content is not None and "文字" in image.content
    long = oa.text("贷" * 2001)  # over MAX_MESSAGE_CHARS: told so, the agent not called
    assert long.content is not None and "过长" in long.content
    gone = oa.post(event_xml(oa.account, oa.openid, "unsubscribe", now + 1))
    assert (gone.status, gone.body) == (200, "success")
    assert counting.calls == []


def test_unconfigured_channels_answer_404(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels(wechat_app_id=None, wecom_corp_id=None)
    assert channels.oa.verify().status_code == 404
    assert channels.oa.text(QUESTION).status == 404
    assert channels.wecom.verify().status_code == 404
    assert channels.wecom.text(QUESTION).status == 404


def test_a_slow_turn_is_sent_through_the_customer_service_api(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels(channel_reply_budget=0.2)
    api = channels.api
    slow = CountingAgent(channels.services.agent, delay=0.8)
    channels.services.agent = slow  # type: ignore[assignment]
    first = channels.oa.text(QUESTION, msg_id=900001, aes=True)
    assert (first.status, first.body) == (200, "success")
    retry = channels.oa.text(QUESTION, msg_id=900001, aes=True)  # the platform's retry: no second turn
    assert (retry.status, retry.body) == (200, "success")
    assert api.delivered.wait(30)
    assert len(slow.calls) == 1
    sent = api.sent[0]
    assert sent["path"] == "/cgi-bin/message/custom/send" and sent["touser"] == channels.oa.openid
    assert sent["msgtype"] == "text" and "来源：" in sent["text"]["content"]
    assert len(api.tokens_issued) == 1

    api.delivered.clear()
    channels.oa.text("你们的客户经理乱收费，我要投诉")
    assert api.delivered.wait(30)
    assert len(api.tokens_issued) == 1 and api.sent[1]["token"] == api.tokens_issued[0]  # reused from the store

    api.expire_tokens()  # the platform no longer knows the stored token: 40001/42001, fetch and resend
    api.delivered.clear()
    channels.oa.text("转人工")
    assert api.delivered.wait(30)
    assert len(api.tokens_issued) == 2 and api.rejected == [42001]
    assert api.sent[2]["token"] == api.tokens_issued[1]
    name = f"wechat:{APP_ID}"
    assert channels.services.store.channel_tokens.get(name) == api.tokens_issued[1]


def test_a_retry_while_the_first_delivery_runs_gets_the_same_reply(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels(channel_reply_budget=4.0)
    slow = CountingAgent(channels.services.agent, delay=1.0)
    channels.services.agent = slow  # type: ignore[assignment]
    results: list[Received] = []
    first = threading.Thread(target=lambda: results.append(channels.oa.text(QUESTION, msg_id=55501)))
    first.start()
    assert wait_until(lambda: len(slow.calls) == 1)
    retry = channels.oa.text(QUESTION, msg_id=55501)  # waits for the running turn instead of starting one
    first.join()
    assert results[0].content and "来源：" in results[0].content
    assert retry.content == results[0].content
    assert len(slow.calls) == 1 and channels.api.sent == []


def wait_until(predicate: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
