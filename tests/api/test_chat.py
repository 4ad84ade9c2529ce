"""POST /v1/chat and /v1/chat/stream: answers with citations, sessions, SSE events, and bad input."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.llm.openai_backend import OpenAIModel
from assistant.services import Services, build_services
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from tests.api.conftest import make_settings
from tests.api.helpers import (
    apply_through_chat,
    assert_error,
    chat,
    conversation_of,
    question_with_citations,
    sse_events,
)
from tests.support.fixtures import openai_server  # noqa: F401
from tests.support.openai_server import OpenAIServer


def test_question_is_answered_with_citations(client: TestClient) -> None:
    question_with_citations(client)


def test_session_continues_and_lead_capture_creates_a_lead(client: TestClient, services: Services) -> None:
    session_id, responses = apply_through_chat(client)
    assert {r.json()["session_id"] for r in responses} == {session_id}
    leads = services.store.leads.list().items
    assert [lead.conversation_id for lead in leads] == [conversation_of(session_id)]
    turns = services.store.conversations.transcript(conversation_of(session_id))
    assert [t.role for t in turns] == ["user", "assistant"] * 3


def test_message_over_the_cap_is_422_with_a_clear_message(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(max_message_chars=50)))
    error = assert_error(chat(client, "贷" * 51), 422, "message_too_long")
    assert "51" in error["message"] and "50" in error["message"]
    assert chat(client, "贷" * 50).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": ""}, 422, "validation_error"),
        ({"message": "   "}, 422, "invalid_message"),
        ({}, 422, "validation_error"),
        ({"message": 123}, 422, "validation_error"),
        ({"message": "hi", "extra": 1}, 422, "validation_error"),
        ({"message": "hi", "session_id": "bad id!"}, 422, "validation_error"),
        ({"message": "hi", "session_id": "x" * 65}, 422, "validation_error"),
    ],
)
def test_bad_input_is_rejected(client: TestClient, body: dict[str, object], status: int, code: str) -> None:
    assert_error(client.post("/v1/chat", json=body), status, code)


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/v1/chat", content=b'{"message": ', headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


def test_body_over_the_cap_is_413(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(max_body_bytes=200)))
    assert_error(chat(client, "贷" * 100), 413, "payload_too_large")

    def chunks():  # no Content-Length: the cap is enforced while reading
        yield b'{"message": "'
        yield b"a" * 400
        yield b'"}'

    response = client.post("/v1/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_uploads_have_their_own_larger_cap(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(max_body_bytes=200, max_upload_bytes=5000)))
    files = {"file": ("a.md", b"#" * 1000, "text/markdown")}
    assert_error(client.post("/v1/knowledge/documents", files=files), 401)  # under the upload cap: reaches auth
    big = {"file": ("a.md", b"#" * 6000, "text/markdown")}
    assert_error(client.post("/v1/knowledge/documents", files=big), 413, "payload_too_large")


def test_rate_limit_is_429_with_retry_after(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(chat_rate_limit="3/minute")))
    assert [chat(client, "你好").status_code for _ in range(3)] == [200, 200, 200]
    response = chat(client, "你好")
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60  # a moving window: the oldest of the 3 hits expires
    stream = client.post("/v1/chat/stream", json={"message": "你好"})
    assert_error(stream, 429, "rate_limited")


def test_stream_sends_tokens_then_final_event(client: TestClient) -> None:
    response = client.post("/v1/chat/stream", json={"message": "安心政担贷的贷款利率是多少？"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "final" and names.count("final") == 1 and names[0] == "token"
    assert set(names[:-1]) == {"token"}
    final = events[-1][1]
    assert "".join(data["text"] for name, data in events[:-1]) == final["answer"]
    assert final["citations"] and final["escalation"] is None


def test_stream_carries_the_escalation(client: TestClient) -> None:
    events = sse_events(client.post("/v1/chat/stream", json={"message": "我要投诉，转人工"}).text)
    final = events[-1][1]
    assert events[-1][0] == "final" and final["escalation"]["type"] in ("complaint", "human")


def test_stream_rejects_bad_input_before_streaming(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(max_message_chars=10)))
    assert_error(client.post("/v1/chat/stream", json={"message": "a" * 11}), 422, "message_too_long")
    assert_error(client.post("/v1/chat/stream", json={"message": "  "}), 422, "invalid_message")


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_llm_call_times_out_and_the_member_still_gets_an_answer(
    make_services: Callable[..., Services],
    openai_server: OpenAIServer,  # noqa: F811
) -> None:
    services = make_services(
        llm_backend="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model="test-model",
        llm_timeout=1.0,
        llm_max_retries=0,
    )
    assert isinstance(services.chat_model, OpenAIModel)
    openai_server.hang_next(5)
    client = TestClient(create_app(services))
    started = time.monotonic()
    response = chat(client, "安心政担贷的贷款利率是多少？")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert elapsed < 8, elapsed
    assert response.json()["answer"]
    assert openai_server.chat_requests, "the model was never called"


def test_chat_before_any_ingest_answers_instead_of_failing(tmp_path: Path) -> None:
    # A fresh `finassist serve` has no BM25 index yet: questions must still get an answer, not a 500.
    settings = make_settings(tmp_path / "empty")
    index = KnowledgeIndex.open(settings.data_dir, HashingEmbedding(64))
    services = build_services(settings, index=index)
    try:
        response = TestClient(create_app(services)).post("/v1/chat", json={"message": "安心政担贷的利率是多少？"})
        assert response.status_code == 200, response.text
    finally:
        services.close()
