"""The editor login, the session bound to the key's id and the per-handler re-check, over a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.access import Permission
from assistant.store import Store, build_store
from ui.auth import EditorAuth, NotAuthorized


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = build_store(f"sqlite:///{tmp_path / 'auth.db'}")
    yield s
    s.close()


def test_login_admits_editor_and_admin_keys_and_says_why_it_refuses_others(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    editor, editor_key = store.api_keys.create("小王", "editor")
    _, admin_key = store.api_keys.create("admin-li", "admin")
    _, staff_key = store.api_keys.create("staff-zhao", "staff")
    for key in (editor_key, f" {editor_key} ", admin_key):
        outcome = auth.login(key)
        assert outcome.token and outcome.status == 200
    assert auth.login(editor_key).editor == auth.editor(editor.id)

    staff = auth.login(staff_key)
    assert staff.token is None and staff.status == 403
    assert "staff" in staff.message and "editor" in staff.message and "admin" in staff.message
    unknown = auth.login(editor_key + "x")
    assert unknown.token is None and unknown.status == 401 and "无效" in unknown.message
    assert auth.login("").status == 400 and auth.login(None).token is None


def test_the_session_is_the_key_id_and_ends_with_the_key_even_if_a_namesake_is_active(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    first, key = store.api_keys.create("小王", "editor")
    store.api_keys.create("小王", "editor")  # a second key of the same name
    token = auth.login(key).token
    user = auth.user(token)
    assert user == first.id
    request = SimpleNamespace(username=user)
    assert auth.require(request).name == "小王" and auth.require(request).role == "editor"

    store.api_keys.revoke(first.id)
    assert auth.user(token) is None  # Gradio's per-request check
    with pytest.raises(NotAuthorized):
        auth.require(request)  # the handler's re-check
    assert auth.login(key).token is None


def test_require_refuses_anonymous_unknown_and_staff_users(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    staff, _ = store.api_keys.create("staff-zhao", "staff")
    for request in (None, SimpleNamespace(username=None), SimpleNamespace(username="nobody"),
                    SimpleNamespace(username="staff-zhao"), SimpleNamespace(username=staff.id)):  # fmt: skip
        with pytest.raises(NotAuthorized):
            auth.require(request)


def test_require_applies_the_permission_table(store: Store) -> None:
    auth = EditorAuth(store.api_keys)
    editor, _ = store.api_keys.create("小王", "editor")
    admin, _ = store.api_keys.create("admin-li", "admin")
    with pytest.raises(NotAuthorized, match="editor"):
        auth.require(SimpleNamespace(username=editor.id), Permission.ANALYTICS)
    assert auth.require(SimpleNamespace(username=admin.id), Permission.ANALYTICS).role == "admin"
    assert auth.require(SimpleNamespace(username=editor.id), Permission.DRAFTS).name == "小王"
