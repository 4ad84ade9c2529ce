"""The editor login and the per-handler re-check, over a real SQLite key store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.store import Store, build_store
from ui.auth import EditorAuth, NotAuthorized


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = build_store(f"sqlite:///{tmp_path / 'auth.db'}")
    yield s
    s.close()


def test_login_needs_an_editor_or_admin_key_whose_name_is_the_user_name(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    _, editor_key = store.api_keys.create("小王", "editor")
    _, admin_key = store.api_keys.create("admin-li", "admin")
    _, staff_key = store.api_keys.create("staff-zhao", "staff")
    assert auth.login("小王", editor_key)
    assert auth.login(" 小王 ", f" {editor_key} ")
    assert auth.login("admin-li", admin_key)
    assert not auth.login("staff-zhao", staff_key)  # staff may use the API, not the UI
    assert not auth.login("admin-li", editor_key)  # the name must match the key
    assert not auth.login("小王", editor_key + "x")
    assert not auth.login("小王", "")
    assert not auth.login("", "")


def test_every_handler_recheck_follows_revocation(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    record, key = store.api_keys.create("小王", "editor")
    request = SimpleNamespace(username="小王")
    assert auth.login("小王", key)
    assert auth.require(request).name == "小王"
    assert auth.require(request).role == "editor"
    store.api_keys.revoke(record.id)
    with pytest.raises(NotAuthorized):
        auth.require(request)
    assert not auth.login("小王", key)


def test_require_refuses_anonymous_and_unknown_users(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    store.api_keys.create("staff-zhao", "staff")
    for request in (None, SimpleNamespace(username=None), SimpleNamespace(username="nobody"),
                    SimpleNamespace(username="staff-zhao")):  # fmt: skip
        with pytest.raises(NotAuthorized):
            auth.require(request)
