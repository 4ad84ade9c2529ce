"""Member sessions: the server issues `<conversation id>.<secret>`, a turn must present it, and a session id the
server did not issue is refused (401) on every member entry point, never adopted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from cli.main import main
from tests.api.helpers import APPLY_TURNS, PHONE, assert_error, chat, conversation_of, lead_form


def _start(client: TestClient) -> str:
    response = chat(client, "你好")
    assert response.status_code == 200, response.text
    return str(response.json()["session_id"])


def test_the_server_issues_a_secret_and_stores_only_its_hash(client: TestClient, services: Services) -> None:
    session = _start(client)
    conversation_id, secret = session.split(".")
    assert len(conversation_id) == 32 and len(secret) == 22  # 128 random bits
    stored = services.store.conversations.get(conversation_id)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    again = chat(client, "安心政担贷的贷款利率是多少？", session)
    assert again.status_code == 200 and again.json()["session_id"] == session


def test_a_turn_without_the_right_token_is_refused(client: TestClient, services: Services) -> None:
    session = _start(client)
    conversation_id = conversation_of(session)
    wrong = conversation_id + "." + "A" * 22
    for attempt in (conversation_id, wrong, session + "x", session.upper()):
        error = assert_error(chat(client, "我想申请贷款", attempt), 401, "session_invalid")
        assert "session_id" in error["message"]
    assert len(services.store.conversations.transcript(conversation_id)) == 2  # nothing written by the refusals


def test_a_client_chosen_session_id_is_not_adopted(client: TestClient, services: Services) -> None:
    assert_error(chat(client, "你好", "member-42"), 401, "session_invalid")
    forged = "0" * 32 + "." + "B" * 22
    assert_error(chat(client, "你好", forged), 401, "session_invalid")
    assert services.store.conversations.find("member-42") is None
    assert services.store.conversations.find("0" * 32) is None


def test_the_stream_refuses_before_streaming(client: TestClient) -> None:
    session = _start(client)
    response = client.post("/v1/chat/stream", json={"message": "你好", "session_id": conversation_of(session)})
    assert_error(response, 401, "session_invalid")


def test_the_openai_api_needs_the_token_too(client: TestClient) -> None:
    session = _start(client)
    body = {"model": "finassist-agent", "messages": [{"role": "user", "content": "你好"}]}
    forged = conversation_of(session) + "." + "C" * 22
    assert_error(client.post("/v1/chat/completions", json=body, headers={"X-Session-Id": forged}), 401)
    assert_error(client.post("/v1/chat/completions", json={**body, "user": forged}), 401, "session_invalid")
    ok = client.post("/v1/chat/completions", json={**body, "user": session})
    assert ok.status_code == 200 and ok.json()["session_id"] == session == ok.headers["X-Session-Id"]
    streamed = client.post("/v1/chat/completions", json={**body, "stream": True}, headers={"X-Session-Id": forged})
    assert_error(streamed, 401, "session_invalid")


def test_someone_with_the_conversation_id_cannot_learn_of_the_lead(client: TestClient, services: Services) -> None:
    session = None
    for turn in APPLY_TURNS:
        session = chat(client, turn.format(phone=PHONE), session).json()["session_id"]
    assert services.store.leads.list().total == 1
    staff_visible = services.store.leads.list().items[0].conversation_id  # what staff (and logs) see
    assert_error(chat(client, "我想申请贷款", staff_visible), 401, "session_invalid")


def test_the_lead_form_refuses_a_foreign_session(client: TestClient, services: Services) -> None:
    session = _start(client)
    forged = conversation_of(session) + "." + "D" * 22
    assert_error(client.post("/v1/leads", json=lead_form(session_id=forged)), 401, "session_invalid")
    assert_error(client.post("/v1/leads", json=lead_form(session_id="form-1")), 401, "session_invalid")
    assert services.store.leads.list().total == 0
    created = client.post("/v1/leads", json=lead_form())
    assert created.status_code == 201 and conversation_of(created.json()["session_id"]) != conversation_of(session)


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_cli_ask_needs_the_session_it_was_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINASSIST_EMBEDDING_BACKEND", "hashing")
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["ask", "你好", "--json", *data]) == 0
    import json

    session = json.loads(capsys.readouterr().out)["session_id"]
    assert main(["ask", "你好", "--session", session, "--json", *data]) == 0
    assert json.loads(capsys.readouterr().out)["session_id"] == session
    assert main(["ask", "你好", "--session", conversation_of(session), *data]) == 2
    error = capsys.readouterr().err.strip()
    assert "--session" in error and "\n" not in error
