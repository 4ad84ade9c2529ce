"""UI sessions bound to a key's id, on SQLite and PostgreSQL: valid until revoked or expired, never forgeable,
never inherited by another key of the same name."""

from __future__ import annotations

import time

from assistant.key_sessions import SESSION_TTL, issue, resolve
from assistant.store import Store


def test_a_session_names_its_key_and_ends_when_the_key_is_revoked(store: Store) -> None:
    record, _ = store.api_keys.create("小王", "editor")
    twin, _ = store.api_keys.create("小王", "editor")  # same name, another key
    token = issue(store.api_keys, record.id)
    assert token is not None
    held = resolve(store.api_keys, token)
    assert held is not None and held.id == record.id and held.role == "editor"
    store.api_keys.revoke(record.id)
    assert resolve(store.api_keys, token) is None  # the twin's being active does not keep it alive
    assert resolve(store.api_keys, issue(store.api_keys, twin.id)).id == twin.id
    assert issue(store.api_keys, record.id) is None


def test_tokens_cannot_be_forged_or_moved_to_another_key(store: Store) -> None:
    editor, _ = store.api_keys.create("小王", "editor")
    admin, _ = store.api_keys.create("admin-li", "admin")
    token = issue(store.api_keys, editor.id)
    assert token is not None
    key_id, issued, signature = token.split(".")
    for forged in (
        f"{admin.id}.{issued}.{signature}",  # another key's id with this signature
        f"{key_id}.{int(issued) + 1}.{signature}",  # a later issue time
        f"{key_id}.{issued}.{'0' * len(signature)}",
        f"{key_id}.{issued}",
        "nonsense",
        "",
        None,
    ):
        assert resolve(store.api_keys, forged) is None
    assert resolve(store.api_keys, f"no-such-key.{issued}.{signature}") is None


def test_a_session_expires(store: Store) -> None:
    record, _ = store.api_keys.create("小王", "editor")
    now = time.time()
    token = issue(store.api_keys, record.id, now=now)
    assert resolve(store.api_keys, token, now=now + SESSION_TTL.total_seconds() - 1) is not None
    assert resolve(store.api_keys, token, now=now + SESSION_TTL.total_seconds() + 1) is None
    assert resolve(store.api_keys, token, now=now - 60) is None  # issued in the future
