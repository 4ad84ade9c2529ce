"""The platforms' callback protocol: verify a GET (echostr), open a POST (check, decrypt, parse) and seal a
passive reply; the two platforms themselves, on wechatpy, are in ``assistant.channels.wechat``, imported only
when one is configured (wechatpy and the requests stack it loads cost a quarter of a second of start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from assistant.config import Settings

PlatformName = Literal["wechat", "wecom"]
Kind = Literal["text", "subscribe", "event", "other"]


class BadSignature(Exception):
    """The request was not signed with our token (answer 403, store nothing)."""


class BadMessage(Exception):
    """The body is not a message we can read (malformed XML, wrong app id, missing fields: answer 400)."""


@dataclass(frozen=True)
class Inbound:
    """One message as the gateway needs it; `raw` is wechatpy's message (for rendering the reply)."""

    platform: PlatformName
    sender: str  # openid / userid: only ever stored as a keyed hash
    dedupe: str  # MsgId, or sender + CreateTime for events
    kind: Kind
    text: str
    raw: Any
    encrypted: bool
    nonce: str


class Platform(Protocol):
    name: PlatformName
    success: str  # the body that says "received, no passive reply"

    def verify(self, query: Mapping[str, str]) -> str: ...

    def open(self, query: Mapping[str, str], body: bytes) -> Inbound: ...

    def seal(self, inbound: Inbound, text: str) -> str: ...


def secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def configured_platforms(settings: Settings) -> dict[str, Platform]:
    """The platforms whose credentials are set (the others' callbacks answer 404)."""
    found: dict[str, Platform] = {}
    token = secret(settings.wechat_token)
    if settings.wechat_app_id and token:
        from assistant.channels.wechat import OfficialAccount

        found["wechat"] = OfficialAccount(settings.wechat_app_id, token, secret(settings.wechat_aes_key))
    wecom_token, wecom_key = secret(settings.wecom_token), secret(settings.wecom_aes_key)
    if settings.wecom_corp_id and wecom_token and wecom_key:
        from assistant.channels.wechat import WeComApp

        found["wecom"] = WeComApp(settings.wecom_corp_id, wecom_token, wecom_key)
    return found
