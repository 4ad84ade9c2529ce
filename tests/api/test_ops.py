"""Ops endpoints, request ids, worker pid, the error shape for unknown routes and crashes, and masked logs."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.logs import JsonFormatter, request_id_var
from assistant.config import MODEL_CHAT_CONCURRENCY, OFFLINE_CHAT_CONCURRENCY, Settings
from assistant.services import Services
from tests.api.helpers import assert_error


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {
        "status": "ready",
        "checks": {"database": True, "knowledge": True},
    }


def test_readyz_is_503_when_the_database_is_down(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.store, "ping", lambda: False)
    response = client.get("/readyz")
    error = assert_error(response, 503, "not_ready")
    assert "database" in error["message"] and response.json()["checks"]["database"] is False


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_readyz_checks_redis_when_configured(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(redis_url="redis://127.0.0.1:1/0")))
    response = client.get("/readyz")
    assert_error(response, 503, "not_ready")
    assert response.json()["checks"]["redis"] is False


def test_metrics_are_prometheus_text(app: FastAPI) -> None:
    client = TestClient(app, client=("127.0.0.1", 50000))  # without METRICS_TOKEN: loopback only
    client.post("/v1/chat", json={"message": "你好"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'finassist_http_requests_total{method="POST",route="/v1/chat",status="200"}' in text
    assert "finassist_http_request_duration_seconds_bucket" in text and "finassist_chat_replies_total" in text


def test_request_id_and_worker_pid_headers(client: TestClient) -> None:
    generated = client.get("/healthz")
    assert len(generated.headers["X-Request-ID"]) == 32 and generated.headers["X-Worker-Pid"] == str(os.getpid())
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["X-Request-ID"]
    assert replaced != "bad id\twith spaces" and len(replaced) == 32


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing"), 404, "not_found")
    assert_error(client.get("/v1/chat"), 405, "method_not_allowed")
    assert_error(client.post("/v1/chat", content=b"x", headers={"Content-Length": "abc"}), 400)


def test_unhandled_errors_are_500_in_the_error_shape(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret detail 13912345678")

    monkeypatch.setattr(services.agent, "reply", boom)
    response = client.post("/v1/chat", json={"message": "你好"})
    error = assert_error(response, 500, "internal_error")
    assert response.headers["X-Request-ID"] in error["message"] and "secret" not in error["message"]


def test_logs_are_json_with_pii_masked() -> None:
    record = logging.LogRecord("api.access", logging.INFO, __file__, 1, "member %s called", ("13912345678",), None)
    record.path = "/v1/x?phone=13912345678"
    token = request_id_var.set("rid-1")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["msg"] == "member 139****5678 called" and line["path"] == "/v1/x?phone=139****5678"
    assert line["request_id"] == "rid-1" and line["level"] == "INFO" and line["pid"] == os.getpid()


def test_access_log_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="api.access"):
        client.post("/v1/chat", json={"message": "我的手机是13912345678"}, headers={"X-Request-ID": "log-1"})
    records = [r for r in caplog.records if r.name == "api.access"]
    assert records and records[-1].status == 200 and records[-1].route == "/v1/chat"  # type: ignore[attr-defined]
    formatted = JsonFormatter().format(records[-1])
    assert json.loads(formatted)["client"] == "testclient" and "13912345678" not in formatted


def test_agent_turns_at_once_follow_the_backend_unless_configured(tmp_path: Path) -> None:
    base = {"data_dir": tmp_path, "_env_file": None}
    assert Settings(**base).resolved_chat_concurrency == OFFLINE_CHAT_CONCURRENCY  # CPU-bound turns
    remote = Settings(**base, llm_backend="openai", llm_base_url="http://127.0.0.1:9/v1")
    assert remote.resolved_chat_concurrency == MODEL_CHAT_CONCURRENCY  # turns wait on the model endpoint
    assert MODEL_CHAT_CONCURRENCY > OFFLINE_CHAT_CONCURRENCY
    assert (
        Settings(**base, llm_backend="openai", llm_base_url="http://x/v1", chat_concurrency=7).resolved_chat_concurrency
        == 7
    )
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Settings(**base, chat_concurrency=0)


def test_the_app_limits_agent_turns_to_the_resolved_concurrency(make_services: Callable[..., Services]) -> None:
    app = create_app(make_services(chat_concurrency=3))
    assert app.state.agent_threads.size == 3
    app = create_app(make_services())
    assert app.state.agent_threads.size == OFFLINE_CHAT_CONCURRENCY
