"""mount_ui: the UI answers under /ui only with a session from our login page, bound to the key's id."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.ui.conftest import EDITOR, UIEnv
from ui.gate import LOCALE_SCRIPT
from ui.login import COOKIE
from ui.mount import PROGRESS_IDLE_POLL_S, QUEUE_IDLE_POLL_S


def labels(client: TestClient) -> set[str]:
    config = client.get("/ui/config")
    assert config.status_code == 200
    return {c.get("props", {}).get("label") for c in config.json()["components"]}


def test_ui_is_behind_an_editor_login(ui_app: FastAPI, ui_env: UIEnv) -> None:
    client = TestClient(ui_app)
    assert client.get("/ui/config").status_code == 401
    join = {"data": [], "fn_index": 0, "session_hash": "abc", "event_data": None, "trigger_id": None}
    assert client.post("/ui/gradio_api/queue/join", json=join).status_code == 401
    page = client.get("/ui/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/ui/login"
    form = client.get("/ui/login")
    assert form.status_code == 200 and "API 密钥" in form.text and 'lang="zh-CN"' in form.text

    staff = client.post("/ui/login", data={"key": ui_env.staff_key}, follow_redirects=False)
    assert staff.status_code == 403 and "该密钥的角色为 staff" in staff.text and COOKIE not in staff.cookies
    unknown = client.post("/ui/login", data={"key": ui_env.editor_key + "x"}, follow_redirects=False)
    assert unknown.status_code == 401 and "密钥无效或已被吊销" in unknown.text
    assert client.get("/ui/config").status_code == 401

    entered = client.post("/ui/login", data={"key": ui_env.editor_key}, follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/ui/"
    assert {"草稿正文（可编辑）", "搜索内容", "会员对话预览"} <= labels(client)
    assert client.get("/ui/gradio_api/user").json() == ui_env.key_ids[EDITOR]
    home = client.get("/ui/", headers={"Accept-Encoding": "br, gzip"})
    assert home.status_code == 200 and LOCALE_SCRIPT in home.text  # Gradio's own strings in Chinese

    left = client.get("/ui/logout", follow_redirects=False)
    assert left.status_code == 303 and "/ui/login" in left.headers["location"]
    assert client.get("/ui/config").status_code == 401


def test_a_revoked_keys_session_ends_at_the_next_request(ui_app: FastAPI, ui_env: UIEnv) -> None:
    store = ui_env.services.store
    record, key = store.api_keys.create(EDITOR, "editor")  # a namesake of the fixture's editor key, which stays
    client = TestClient(ui_app)
    client.post("/ui/login", data={"key": key})
    assert client.get("/ui/gradio_api/user").json() == record.id
    store.api_keys.revoke(record.id)
    assert client.get("/ui/config").status_code == 401
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_ui_events_are_not_offered_as_a_public_api(ui_app: FastAPI, ui_env: UIEnv) -> None:
    client = TestClient(ui_app)
    client.post("/ui/login", data={"key": ui_env.editor_key})
    info = client.get("/ui/gradio_api/info")
    assert info.status_code == 200
    assert info.json()["named_endpoints"] == {}


def test_the_gradio_queue_polls_calmly_when_idle(ui_app: FastAPI) -> None:
    """Gradio's default 1 ms idle poll would wake the event loop the API shares ~1,000 times a second."""
    mounted = next(route for route in ui_app.routes if getattr(route, "path", None) == "/ui")
    queue = mounted.app.get_blocks()._queue  # type: ignore[attr-defined]
    assert queue.sleep_when_free == QUEUE_IDLE_POLL_S >= 0.05
    assert queue.progress_update_sleep_when_free == PROGRESS_IDLE_POLL_S >= 0.1
    untouched = gr.Blocks()._queue  # the attributes calm_queue sets still exist under these names
    assert untouched.sleep_when_free < QUEUE_IDLE_POLL_S
    assert untouched.progress_update_sleep_when_free < PROGRESS_IDLE_POLL_S
