"""Browser sessions bound to an API key's id (the editors' UI logs in with a key, then holds a session token).

A token is ``<key id>.<issued at, unix seconds>.<signature>``, the signature an HMAC keyed by the key's stored
digest (``ApiKeyRepo.sign``). Nothing lives in process memory, so every worker accepts every worker's tokens;
each request re-reads the key by its id, so revoking it ends its sessions at once, and a second key of the same
name never inherits one. A token also ends after ``SESSION_TTL``.
"""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Any, Protocol

SESSION_TTL = timedelta(hours=12)
_PURPOSE = "finassist-ui-session"


class SigningKeys(Protocol):
    """The part of ``store.api_keys`` sessions use."""

    def sign(self, key_id: str, message: str) -> tuple[Any, str] | None: ...


def _message(key_id: str, issued: int) -> str:
    return f"{_PURPOSE}|{key_id}|{issued}"


def issue(keys: SigningKeys, key_id: str, *, now: float | None = None) -> str | None:
    """A session token for the active key ``key_id`` (None when it is unknown or revoked)."""
    issued = int(time.time() if now is None else now)
    signed = keys.sign(key_id, _message(key_id, issued))
    if signed is None:
        return None
    return f"{key_id}.{issued}.{signed[1]}"


def resolve(keys: SigningKeys, token: str | None, *, now: float | None = None, ttl: timedelta = SESSION_TTL) -> Any:
    """The key record behind a valid, unexpired token of an active key; None for anything else."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
        return None
    key_id, issued_text, signature = parts
    issued = int(issued_text)
    age = (time.time() if now is None else now) - issued
    if age < 0 or age > ttl.total_seconds():
        return None
    signed = keys.sign(key_id, _message(key_id, issued))
    if signed is None or not hmac.compare_digest(signed[1], signature):
        return None
    return signed[0]
