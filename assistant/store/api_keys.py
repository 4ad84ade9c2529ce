"""API keys: `fa_<prefix>_<secret>`, shown once; only a SHA-256 digest of the whole key is stored.

A plain (unsalted) SHA-256 is enough here because the secret is 256 random bits, not a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Literal

from sqlalchemy import select, update

from assistant.store.audit import add_entry
from assistant.store.base import Repository, load
from assistant.store.models import API_ROLES, ApiKey, new_id, utcnow
from assistant.store.records import ApiKeyRecord

Role = Literal["staff", "editor", "admin"]
KEY_SCHEME = "fa"
# last_used_at is refreshed at most this often, so authentication is not a write on every request.
TOUCH_INTERVAL = timedelta(seconds=60)
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _prefix_of(plaintext: str) -> str | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1]


class ApiKeyRepo(Repository):
    def create(
        self, name: str, role: Role, *, actor: str | None = None, request_id: str | None = None
    ) -> tuple[ApiKeyRecord, str]:
        """A new key; the plaintext is returned here once and never stored. With `actor`, the `key.create`
        audit row is written in the same transaction."""
        if role not in API_ROLES:
            raise ValueError(f"role must be one of {API_ROLES}")
        prefix = secrets.token_hex(4)  # hex, so it never contains the "_" separator
        plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        with self._tx.write() as session:
            row = ApiKey(
                id=new_id(),
                name=name,
                role=role,
                key_hash=hash_key(plaintext),
                prefix=prefix,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            if actor is not None:
                detail = {"name": name, "role": role}
                add_entry(
                    session, actor=actor, action="key.create", target=row.id, request_id=request_id, detail=detail
                )
            return ApiKeyRecord.of(row), plaintext

    def authenticate(self, plaintext: str) -> ApiKeyRecord | None:
        """The active key matching `plaintext`, or None (unknown, malformed or revoked)."""
        prefix = _prefix_of(plaintext)
        with self._tx.read() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) if prefix else None
            stored = row.key_hash if row is not None else _DUMMY_HASH
            matches = hmac.compare_digest(stored, hash_key(plaintext))
            if row is None or not matches or row.revoked_at is not None:
                return None
            record = ApiKeyRecord.of(row)
        now = utcnow()
        if record.last_used_at is None or now - record.last_used_at >= TOUCH_INTERVAL:
            with self._tx.write() as session:
                session.execute(update(ApiKey).where(ApiKey.id == record.id).values(last_used_at=now))
            record = replace(record, last_used_at=now)
        return record

    def revoke(self, key_id: str, *, actor: str | None = None, request_id: str | None = None) -> ApiKeyRecord:
        """Revoke the key (idempotent: revoking twice keeps the first time); with `actor`, audited as
        `key.revoke` in the same transaction."""
        with self._tx.write() as session:
            row = load(session, ApiKey, key_id, "api key", lock=True)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            if actor is not None:
                detail = {"name": row.name, "role": row.role}
                add_entry(
                    session, actor=actor, action="key.revoke", target=row.id, request_id=request_id, detail=detail
                )
            session.flush()
            return ApiKeyRecord.of(row)

    def get(self, key_id: str) -> ApiKeyRecord:
        with self._tx.read() as session:
            return ApiKeyRecord.of(load(session, ApiKey, key_id, "api key"))

    def list(self, *, include_revoked: bool = False) -> list[ApiKeyRecord]:
        query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        with self._tx.read() as session:
            return [ApiKeyRecord.of(r) for r in session.scalars(query)]

    def sign(self, key_id: str, message: str) -> tuple[ApiKeyRecord, str] | None:
        """The active key ``key_id`` and an HMAC-SHA256 of ``message`` keyed by its stored digest, or None for an
        unknown or revoked key. Lets a browser session carry proof of its key without the key (see
        ``assistant.key_sessions``); the digest itself never leaves the store."""
        with self._tx.read() as session:
            row = session.get(ApiKey, key_id)
            if row is None or row.revoked_at is not None:
                return None
            digest = hmac.new(row.key_hash.encode("ascii"), message.encode("utf-8"), hashlib.sha256).hexdigest()
            return ApiKeyRecord.of(row), digest
