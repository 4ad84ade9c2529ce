"""mount_ui: the UI answers under /ui only after an editor logs in with an API key."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.ui.conftest import EDITOR, UIEnv
from ui.mount import PROGRESS_IDLE_POLL_S, QUEUE_IDLE_POLL_S


def test_ui_is_behind_an_editor_login(ui_app: FastAPI, ui_env: UIEnv) -> None:
    client = TestClient(ui_app)
    assert client.get("/ui/config").status_code == 401
    join = {"data": [], "fn_index": 0, "session_hash": "abc", "event_data": None, "trigger_id": None}
    assert client.post("/ui/gradio_api/queue/join", json=join).status_code == 401

    assert client.post("/ui/login", data={"username": "staff-zhao", "password": ui_env.staff_key}).status_code == 400
    assert client.post("/ui/login", data={"username": "someone", "password": ui_env.editor_key}).status_code == 400
    assert client.get("/ui/config").status_code == 401

    assert client.post("/ui/login", data={"username": EDITOR, "password": ui_env.editor_key}).status_code == 200
    config = client.get("/ui/config")
    assert config.status_code == 200
    labels = {c.get("props", {}).get("label") for c in config.json()["components"]}
    assert {"草稿正文（可编辑）", "搜索内容", "会员对话预览"} <= labels
    assert client.get("/ui/gradio_api/user").json() == EDITOR


def test_ui_events_are_not_offered_as_a_public_api(ui_app: FastAPI, ui_env: UIEnv) -> None:
    client = TestClient(ui_app)
    client.post("/ui/login", data={"username": EDITOR, "password": ui_env.editor_key})
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
