"""Audit: CLI key changes are audited (actor "cli"); the agent's rows carry the request id of the turn that wrote
them and the right targets (lead.create targets the lead); stored turns carry their request id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.services import Services
from assistant.store import build_store
from cli.main import main
from tests.api.helpers import APPLY_TURNS, PHONE, chat, conversation_of


def test_cli_key_changes_are_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main(["keys", "create", "--role", "admin", "--name", "ops-laptop", "--json", *data]) == 0
    key_id = json.loads(capsys.readouterr().out)["id"]
    assert main(["keys", "revoke", key_id, *data]) == 0
    store = build_store(Settings(data_dir=tmp_path).resolved_database_url)
    try:
        entries = store.audit.list(target=key_id).items
    finally:
        store.close()
    assert sorted((e.actor, e.action) for e in entries) == [("cli", "key.create"), ("cli", "key.revoke")]
    assert all(e.detail == {"name": "ops-laptop", "role": "admin"} for e in entries)


def test_agent_rows_carry_the_request_id_and_the_lead_as_target(client: TestClient, services: Services) -> None:
    session = None
    for n, turn in enumerate(APPLY_TURNS):
        response = chat(client, turn.format(phone=PHONE), session, headers={"X-Request-ID": f"req-turn-{n}"})
        assert response.status_code == 200
        session = response.json()["session_id"]
    assert session is not None
    conversation_id = conversation_of(session)
    (lead,) = services.store.leads.list().items
    agent_rows = [e for e in services.store.audit.list(limit=500).items if e.actor == "agent"]
    actions = {e.action: e for e in agent_rows}
    assert {"escalation.create", "consent.record", "lead.create"} <= set(actions)
    assert actions["escalation.create"].request_id == "req-turn-2"  # the hand-off comes with the lead
    assert actions["consent.record"].request_id == "req-turn-1"
    created = actions["lead.create"]
    assert (created.target, created.request_id) == (lead.id, "req-turn-2")
    assert created.detail["conversation_id"] == conversation_id
    turns = services.store.conversations.transcript(conversation_id)
    assert [t.request_id for t in turns] == [f"req-turn-{n}" for n in range(3) for _ in range(2)]


def test_the_form_lead_is_audited_with_its_request_id(client: TestClient, services: Services) -> None:
    from tests.api.helpers import lead_form

    response = client.post("/v1/leads", json=lead_form(), headers={"X-Request-ID": "req-form-1"})
    assert response.status_code == 201
    (entry,) = services.store.audit.list(action="lead.create").items
    assert (entry.actor, entry.target, entry.request_id) == ("member", response.json()["id"], "req-form-1")
