"""Member sessions: the server issues each conversation an unguessable token, and a turn must present it.

A member's `session_id` (what `POST /v1/chat` returns and the member sends back) is `<conversation id>.<secret>`:
the conversation id (32 hex characters) is what staff see on leads and escalations; the secret is 128 random bits
(`secrets.token_urlsafe(16)`, 22 characters). Only the secret's SHA-256 is stored (`conversations.token_hash`),
and it is compared with `hmac.compare_digest`. A session id the server did not issue - unknown, malformed, with a
wrong secret, or naming a conversation that has no token (a channel's, or one older than the tokens) - is refused
with SessionRefused; it is never adopted as a new conversation. See docs/member-sessions.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from assistant.store import ConflictError, ConversationRecord, Store
from assistant.store.models import new_id

SEPARATOR = "."
_CREDENTIAL_RE = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{22})")
REFUSED_MESSAGE = (
    "this session is unknown or its token does not match; send the message without session_id to start a new "
    "conversation, and send back the session_id the server returned to continue it"
)


class SessionRefused(Exception):
    """A turn named a session it cannot prove it holds (HTTP 401, CLI exit 2)."""

    def __init__(self, message: str = REFUSED_MESSAGE) -> None:
        super().__init__(message)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_credential(value: str | None) -> bool:
    """True for a value of the session id's shape (whether or not the server issued it)."""
    return bool(value) and _CREDENTIAL_RE.fullmatch(value or "") is not None


def conversation_of(credential: str) -> str:
    """The conversation id inside a session id (what staff see)."""
    return credential.split(SEPARATOR, 1)[0]


class MemberSessions:
    """Opens the conversation a member's session id names, or starts a new one with a fresh session id."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self, channel: str) -> tuple[ConversationRecord, str]:
        """A new conversation and its session id (shown to the member once, stored only as a hash)."""
        for _ in range(3):
            conversation_id, secret = new_id(), secrets.token_urlsafe(16)
            try:
                record = self.store.conversations.create(
                    conversation_id, channel=channel, token_hash=token_hash(secret)
                )
            except ConflictError:  # a 128-bit id collision: practically never
                continue
            return record, f"{conversation_id}{SEPARATOR}{secret}"
        raise ConflictError("could not start a conversation")

    def open(self, credential: str | None, channel: str) -> tuple[ConversationRecord, str]:
        """The conversation `credential` proves, or a new one when it is None; SessionRefused otherwise."""
        if credential is None:
            return self.start(channel)
        match = _CREDENTIAL_RE.fullmatch(credential)
        if match is None:
            raise SessionRefused()
        record = self.store.conversations.find(match.group(1))
        expected = record.token_hash if record is not None else None
        # Compared in constant time, and compared even for an unknown id, so timing tells nothing either way.
        offered = token_hash(match.group(2))
        if not hmac.compare_digest(expected or "0" * 64, offered) or record is None or expected is None:
            raise SessionRefused()
        return record, credential
