"""A loopback stand-in for the WeChat and WeCom servers: it signs and encrypts callbacks exactly as the
platforms do (with wechatpy's crypto), posts them over HTTP and decrypts the passive replies."""

from __future__ import annotations

import base64
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto as OACrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrp
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner


def new_aes_key() -> str:
    """An EncodingAESKey: 43 characters of base64 for 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()[:-1]


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def stamp() -> tuple[str, str]:
    return str(int(time.time())), uuid.uuid4().hex[:10]


def text_xml(to: str, sender: str, content: str, msg_id: int | None, created: int, extra: str = "") -> str:
    msg_id_xml = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>{msg_id_xml}{extra}</xml>"
    )


def event_xml(to: str, sender: str, event: str, created: int, extra: str = "") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{extra}</xml>"
    )


def image_xml(to: str, sender: str, msg_id: int, created: int, extra: str = "") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[http://127.0.0.1/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
        f"<MsgId>{msg_id}</MsgId>{extra}</xml>"
    )


@dataclass
class Received:
    """A callback's answer as the platform reads it: status, raw body and the decrypted reply fields."""

    status: int
    body: str
    reply: dict[str, Any] | None = None

    @property
    def content(self) -> str | None:
        return None if self.reply is None else str(self.reply.get("Content"))


@dataclass
class OfficialAccountSim:
    base_url: str
    app_id: str
    token: str
    aes_key: str | None = None
    account: str = "gh_sim_account"
    openid: str = "oSimUser0001"
    _ids: list[int] = field(default_factory=lambda: [int(time.time() * 1000)])

    @property
    def crypto(self) -> OACrypto:
        assert self.aes_key is not None
        return OACrypto(self.token, self.aes_key, self.app_id)

    def next_id(self) -> int:
        self._ids[0] += 1
        return self._ids[0]

    def verify(self, echostr: str = "echo-12345", *, token: str | None = None) -> httpx.Response:
        timestamp, nonce = stamp()
        query = {"signature": sign(token or self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        return httpx.get(f"{self.base_url}/channels/wechat", params={**query, "echostr": echostr}, timeout=30)

    def post(self, xml: str, *, aes: bool = False, token: str | None = None, timeout: float = 30) -> Received:
        timestamp, nonce = stamp()
        query = {
            "signature": sign(token or self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.openid,
        }
        body = xml
        if aes:
            sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
            query |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
            to = f"<ToUserName><![CDATA[{self.account}]]></ToUserName>"
            body = f"<xml>{to}<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        response = httpx.post(f"{self.base_url}/channels/wechat", params=query, content=body.encode(), timeout=timeout)
        return Received(response.status_code, response.text, self._open(response.text, aes))

    def _open(self, body: str, aes: bool) -> dict[str, Any] | None:
        if not body.startswith("<xml>"):
            return None
        if aes:
            outer = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return dict(xmltodict.parse(body)["xml"])

    def text(
        self, content: str, *, msg_id: int | None = None, aes: bool = False, created: int | None = None
    ) -> Received:
        xml = text_xml(self.account, self.openid, content, msg_id or self.next_id(), created or int(time.time()))
        return self.post(xml, aes=aes)


@dataclass
class WeComSim:
    base_url: str
    corp_id: str
    token: str
    aes_key: str
    agent_id: int = 1000002
    userid: str = "zhangsan"
    _ids: list[int] = field(default_factory=lambda: [int(time.time() * 1000)])

    @property
    def crypto(self) -> WeComCrypto:
        return WeComCrypto(self.token, self.aes_key, self.corp_id)

    def next_id(self) -> int:
        self._ids[0] += 1
        return self._ids[0]

    def verify(self, echostr: str = "wecom-echo-777", *, token: str | None = None) -> httpx.Response:
        timestamp, nonce = stamp()
        key = base64.b64decode(self.aes_key + "=")
        encrypted = WeComPrp(key).encrypt(echostr, self.corp_id).decode()
        query = {
            "msg_signature": sign(token or self.token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": encrypted,
        }
        return httpx.get(f"{self.base_url}/channels/wecom", params=query, timeout=30)

    def post(self, xml: str, *, token: str | None = None, timeout: float = 30) -> Received:
        timestamp, nonce = stamp()
        crypto = WeComCrypto(token or self.token, self.aes_key, self.corp_id)
        sealed = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        query = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><AgentID><![CDATA[{self.agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        )
        response = httpx.post(f"{self.base_url}/channels/wecom", params=query, content=body.encode(), timeout=timeout)
        reply = None
        if response.text.startswith("<xml>"):
            outer = xmltodict.parse(response.text)["xml"]
            plain = self.crypto.decrypt_message(
                response.text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
            )
            reply = dict(xmltodict.parse(plain)["xml"])
        return Received(response.status_code, response.text, reply)

    def text(self, content: str, *, msg_id: int | None = None) -> Received:
        agent = f"<AgentID>{self.agent_id}</AgentID>"
        return self.post(
            text_xml(self.corp_id, self.userid, content, msg_id or self.next_id(), int(time.time()), agent)
        )
