"""The two platforms on wechatpy: its signature check, AES crypto, message parsing and reply rendering.

Official Account: plain mode signs the query (`signature` over token, timestamp, nonce); safe mode
(`encrypt_type=aes`) also encrypts the body, signed by `msg_signature`. WeCom is always encrypted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy import parse_message as parse_oa_message
from wechatpy.crypto import WeChatCrypto as OACrypto
from wechatpy.enterprise import parse_message as parse_wecom_message
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.exceptions import InvalidSignatureException, WeChatException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from assistant.channels.platforms import BadMessage, BadSignature, Inbound, Kind, PlatformName


def _param(query: Mapping[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise BadSignature(f"missing {name}")
    return value


def _inbound(platform: PlatformName, message: Any, encrypted: bool, nonce: str) -> Inbound:
    sender = getattr(message, "source", None)
    if not sender:
        raise BadMessage("the message has no FromUserName")
    kind: Kind = "other"
    text = ""
    if message.type == "text":
        kind, text = "text", str(message.content or "")
    elif message.type == "event":
        kind = "subscribe" if str(getattr(message, "event", "")).startswith("subscribe") else "event"
    msg_id = getattr(message, "id", None)
    created = message._data.get("CreateTime", "")  # the raw value, as the platform's docs key events by it
    dedupe = f"id:{msg_id}" if msg_id else f"at:{sender}:{created}"
    return Inbound(platform, sender, dedupe, kind, text, message, encrypted, nonce)


def _parse(parse: Any, xml: str) -> Any:
    try:
        return parse(xml)
    except (ExpatError, KeyError, TypeError, ValueError) as exc:
        raise BadMessage(f"unreadable message XML: {exc}") from exc


def _decrypt(crypto: OACrypto | WeComCrypto, xml: str, signature: str, timestamp: str, nonce: str) -> str:
    """The message XML inside an encrypted body; BadSignature or BadMessage when it cannot be had."""
    try:
        return str(crypto.decrypt_message(xml, signature, timestamp, nonce))
    except InvalidSignatureException as exc:
        raise BadSignature("bad msg_signature") from exc
    except (ExpatError, KeyError, TypeError, ValueError, WeChatException) as exc:
        raise BadMessage(f"undecryptable message: {exc}") from exc


class OfficialAccount:
    """A WeChat Official Account (服务号/订阅号) in plain or safe mode."""

    name: PlatformName = "wechat"
    success = "success"

    def __init__(self, app_id: str, token: str, aes_key: str | None) -> None:
        self.app_id = app_id
        self.token = token
        self.crypto = OACrypto(token, aes_key, app_id) if aes_key else None

    def _check(self, query: Mapping[str, str]) -> None:
        try:
            check_signature(self.token, _param(query, "signature"), _param(query, "timestamp"), _param(query, "nonce"))
        except InvalidSignatureException as exc:
            raise BadSignature("bad signature") from exc

    def verify(self, query: Mapping[str, str]) -> str:
        self._check(query)
        return _param(query, "echostr")

    def open(self, query: Mapping[str, str], body: bytes) -> Inbound:
        self._check(query)
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        xml = body.decode("utf-8", "replace")
        if encrypted:
            if self.crypto is None:
                raise BadMessage("an encrypted message arrived but WECHAT_AES_KEY is not set")
            xml = _decrypt(self.crypto, xml, _param(query, "msg_signature"), query["timestamp"], query["nonce"])
        return _inbound(self.name, _parse(parse_oa_message, xml), encrypted, query.get("nonce", ""))

    def seal(self, inbound: Inbound, text: str) -> str:
        xml = TextReply(message=inbound.raw, content=text).render()
        if not inbound.encrypted or self.crypto is None:
            return str(xml)
        return str(self.crypto.encrypt_message(xml, inbound.nonce, str(int(time.time()))))


class WeComApp:
    """A WeCom (企业微信) self-built app: every message and reply is encrypted."""

    name: PlatformName = "wecom"
    success = ""

    def __init__(self, corp_id: str, token: str, aes_key: str) -> None:
        self.crypto = WeComCrypto(token, aes_key, corp_id)

    @staticmethod
    def _signed(query: Mapping[str, str]) -> tuple[str, str, str]:
        return _param(query, "msg_signature"), _param(query, "timestamp"), _param(query, "nonce")

    def verify(self, query: Mapping[str, str]) -> str:
        signature, timestamp, nonce = self._signed(query)
        try:
            return str(self.crypto.check_signature(signature, timestamp, nonce, _param(query, "echostr")))
        except InvalidSignatureException as exc:
            raise BadSignature("bad msg_signature") from exc
        except (TypeError, ValueError, WeChatException) as exc:
            raise BadMessage(f"undecryptable echostr: {exc}") from exc

    def open(self, query: Mapping[str, str], body: bytes) -> Inbound:
        signature, timestamp, nonce = self._signed(query)
        xml = _decrypt(self.crypto, body.decode("utf-8", "replace"), signature, timestamp, nonce)
        return _inbound(self.name, _parse(parse_wecom_message, xml), True, nonce)

    def seal(self, inbound: Inbound, text: str) -> str:
        xml = WeComTextReply(message=inbound.raw, content=text).render()
        return str(self.crypto.encrypt_message(xml, inbound.nonce, str(int(time.time()))))
