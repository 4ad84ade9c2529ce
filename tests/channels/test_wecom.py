"""The WeCom app callback over real HTTP: encrypted URL check, encrypted messages and replies, signatures,
and the message/send path (agentid, gettoken) for slow turns."""

from __future__ import annotations

from collections.abc import Callable

from tests.channels.conftest import CORP_ID, Channels, CountingAgent
from tests.channels.test_wechat import QUESTION, rows


def test_url_verification_decrypts_the_echostr(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    ok = channels.wecom.verify("wecom-echo-1")
    assert (ok.status_code, ok.text) == (200, "wecom-echo-1")
    assert channels.wecom.verify("wecom-echo-1", token="forged").status_code == 403


def test_text_message_gets_an_encrypted_passive_reply(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    got = channels.wecom.text(QUESTION)
    assert got.status == 200 and "<Encrypt>" in got.body and got.reply is not None
    assert got.reply["ToUserName"] == channels.wecom.userid and got.reply["FromUserName"] == CORP_ID
    assert got.content is not None and "来源：\n1. " in got.content


def test_bad_signature_and_retries(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels()
    counting = CountingAgent(channels.services.agent)
    channels.services.agent = counting  # type: ignore[assignment]
    xml = "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
    xml += "<MsgType>text</MsgType><Content>你好</Content><MsgId>5</MsgId></xml>"
    assert channels.wecom.post(xml, token="forged").status == 403
    assert rows(channels, "channel_messages") == 0
    replies = [channels.wecom.text(QUESTION, msg_id=31337) for _ in range(3)]
    assert len(counting.calls) == 1 and len({r.content for r in replies}) == 1


def test_a_slow_turn_goes_through_message_send(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels(channel_reply_budget=0.2)
    channels.services.agent = CountingAgent(channels.services.agent, delay=0.8)  # type: ignore[assignment]
    first = channels.wecom.text(QUESTION)
    assert (first.status, first.body) == (200, "")
    assert channels.api.delivered.wait(30)
    sent = channels.api.sent[0]
    assert sent["path"] == "/cgi-bin/message/send"
    assert (sent["touser"], sent["agentid"], sent["msgtype"]) == (channels.wecom.userid, 1000002, "text")
    assert channels.api.tokens_issued and "来源：" in sent["text"]["content"]


def test_a_token_near_its_expiry_is_fetched_again(start_channels: Callable[..., Channels]) -> None:
    channels = start_channels(channel_reply_budget=0.2)
    channels.api.expires_in = 200  # inside the 5-minute safety margin: never reused
    channels.services.agent = CountingAgent(channels.services.agent, delay=0.6)  # type: ignore[assignment]
    for n in range(2):
        channels.api.delivered.clear()
        channels.wecom.text(QUESTION if n == 0 else "转人工")
        assert channels.api.delivered.wait(30)
    assert len(channels.api.tokens_issued) == 2 and channels.api.rejected == []
    assert [s["token"] for s in channels.api.sent] == channels.api.tokens_issued
