"""Keyed hashes that stand for a platform's sender (the conversation id) and for one delivered message (the
dedupe key): the raw openid/userid is never stored."""

from __future__ import annotations

import hashlib
import hmac

CONVERSATION_PREFIX = {"wechat": "wx", "wecom": "wc"}


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def conversation_id(key: bytes, platform: str, sender: str) -> str:
    """`wx-<hash>` / `wc-<hash>`: the same sender always continues the same conversation."""
    return f"{CONVERSATION_PREFIX[platform]}-{_digest(key, 'conversation', platform, sender)[:48]}"


def message_key(key: bytes, platform: str, dedupe: str) -> str:
    return _digest(key, "message", platform, dedupe)
