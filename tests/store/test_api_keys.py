"""API keys: hashed at rest, shown once, authenticate and revoke."""

from __future__ import annotations

from sqlalchemy import select

from assistant.store import Store
from assistant.store.api_keys import hash_key
from assistant.store.models import ApiKey


def test_create_stores_only_hash(store: Store) -> None:
    record, key = store.api_keys.create("ops", "staff")
    scheme, prefix, secret = key.split("_", 2)
    assert (scheme, prefix) == ("fa", record.prefix) and len(secret) >= 40
    with store.engine.connect() as conn:
        row = conn.execute(select(ApiKey)).one()
    assert row.key_hash != key and secret not in row.key_hash and row.key_hash == hash_key(key)
    assert not any(secret in str(value) for value in row)
    assert not hasattr(record, "key_hash")


def test_authenticate(store: Store) -> None:
    record, key = store.api_keys.create("editor one", "editor")
    found = store.api_keys.authenticate(key)
    assert found is not None and (found.id, found.role) == (record.id, "editor")
    assert found.last_used_at is not None
    assert store.api_keys.get(record.id).last_used_at == found.last_used_at
    # a second use within the touch interval does not write again
    assert store.api_keys.authenticate(key).last_used_at == found.last_used_at  # type: ignore[union-attr]


def test_authenticate_failures(store: Store) -> None:
    _, key = store.api_keys.create("a", "admin")
    other_record, other = store.api_keys.create("b", "staff")
    prefix = key.split("_")[1]
    for wrong in ("", "fa", "fa__", key + "x", key[:-1], f"fa_{prefix}_nope", "Bearer " + key, key.upper()):
        assert store.api_keys.authenticate(wrong) is None, wrong
    assert store.api_keys.authenticate(f"fa_{prefix}_{other.split('_', 2)[2]}") is None
    assert store.api_keys.authenticate(other) is not None
    revoked = store.api_keys.revoke(other_record.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert store.api_keys.authenticate(other) is None
    assert store.api_keys.revoke(other_record.id).revoked_at == revoked.revoked_at
    assert [k.name for k in store.api_keys.list()] == ["a"]
    assert len(store.api_keys.list(include_revoked=True)) == 2


def test_keys_are_unique(store: Store) -> None:
    keys = {store.api_keys.create(f"k{i}", "staff")[1] for i in range(20)}
    assert len(keys) == 20
