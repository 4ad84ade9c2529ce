"""Keys, audit, analytics, compliance and knowledge endpoints, and the `finassist keys` command."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import Settings
from assistant.services import Services, build_services
from assistant.store import build_store
from cli.main import main
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from tests.api.conftest import make_settings
from tests.api.helpers import apply_through_chat, assert_error, bearer, create_lead

Headers = dict[str, dict[str, str]]


def test_keys_create_list_revoke(client: TestClient, headers: Headers, services: Services) -> None:
    created = client.post("/v1/keys", json={"name": "小王", "role": "staff"}, headers=headers["admin"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["key"].startswith("fa_") and body["role"] == "staff"
    assert client.get("/v1/leads", headers=bearer(body["key"])).status_code == 200
    listed = client.get("/v1/keys", headers=headers["admin"]).json()
    assert body["id"] in {k["id"] for k in listed} and all("key" not in k for k in listed)
    revoked = client.delete(f"/v1/keys/{body['id']}", headers=headers["admin"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(client.get("/v1/leads", headers=bearer(body["key"])), 401)
    all_keys = client.get("/v1/keys", params={"include_revoked": True}, headers=headers["admin"]).json()
    assert body["id"] in {k["id"] for k in all_keys}
    assert_error(client.post("/v1/keys", json={"name": "x", "role": "root"}, headers=headers["admin"]), 422)
    assert_error(client.post("/v1/keys", json={"name": "", "role": "staff"}, headers=headers["admin"]), 422)
    assert_error(client.delete(f"/v1/keys/{'0' * 32}", headers=headers["admin"]), 404)
    actions = [e.action for e in services.store.audit.list(target=body["id"]).items]
    assert sorted(actions) == ["key.create", "key.revoke"]


def test_audit_filters_and_paging(client: TestClient, headers: Headers) -> None:
    lead_id = create_lead(client)["id"]
    for _ in range(3):
        client.get(f"/v1/leads/{lead_id}", headers=headers["staff"])
    page = client.get("/v1/audit", params={"action": "lead.view", "limit": 2}, headers=headers["admin"]).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    entry = page["items"][0]
    assert set(entry) == {"id", "actor", "action", "target", "request_id", "detail", "created_at"}
    assert entry["target"] == lead_id and entry["actor"].startswith("key:") and entry["request_id"]
    assert client.get("/v1/audit", params={"target": "none"}, headers=headers["admin"]).json()["total"] == 0
    assert_error(client.get("/v1/audit", params={"limit": 501}, headers=headers["admin"]), 422)


def test_analytics_summary(client: TestClient, headers: Headers) -> None:
    apply_through_chat(client)
    summary = client.get("/v1/analytics/summary", headers=headers["staff"]).json()
    assert summary["intents"]["apply"] >= 1 and summary["leads_by_status"] == {"new": 1}
    assert summary["escalations_by_type"] == {"application": 1}
    assert_error(
        client.get("/v1/analytics/summary", params={"created_from": "yesterday"}, headers=headers["staff"]), 422
    )


def test_compliance_check(client: TestClient, headers: Headers) -> None:
    response = client.post(
        "/v1/compliance/check", json={"text": "保证100%通过，无需任何审核，当天放款"}, headers=headers["editor"]
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["passed"] is False and report["findings"]
    assert set(report["findings"][0]) == {"rule", "severity", "span", "matched", "message", "fix", "source"}
    clean = client.post("/v1/compliance/check", json={"text": "欢迎咨询。"}, headers=headers["staff"]).json()
    assert clean == {"passed": True, "findings": []}
    assert_error(client.post("/v1/compliance/check", json={"text": ""}, headers=headers["editor"]), 422)


def test_knowledge_search_and_status(client: TestClient, headers: Headers) -> None:
    response = client.get("/v1/knowledge/search", params={"q": "安心政担贷 利率", "k": 3}, headers=headers["editor"])
    results = response.json()["results"]
    assert 1 <= len(results) <= 3 and set(results[0]) == {"source", "title", "heading", "snippet", "score"}
    status = client.get("/v1/knowledge/status", headers=headers["editor"]).json()
    assert status["chunks"] > 0 and status["files"] > 0
    assert_error(client.get("/v1/knowledge/search", params={"q": ""}, headers=headers["editor"]), 422)
    assert_error(client.get("/v1/knowledge/search", params={"q": "x", "k": 51}, headers=headers["editor"]), 422)


@pytest.fixture
def upload_client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Services]]:
    settings = make_settings(tmp_path / "upload-data")
    index = KnowledgeIndex.open(settings.data_dir, HashingEmbedding(settings.embedding_dim))
    services = build_services(settings, index=index, store=build_store(settings.resolved_database_url))
    key = services.store.api_keys.create("editor", "editor")[1]
    with TestClient(create_app(services)) as client:
        yield client, bearer(key), services
    services.close()


def test_upload_ingests_a_document(upload_client: tuple[TestClient, dict[str, str], Services]) -> None:
    client, editor, services = upload_client
    text = "---\ntitle: 测试贷\ncategory: product\n---\n# 测试贷\n\n测试贷的年化利率为4.2%，期限一年。\n"
    files = {"file": ("测试贷.md", text.encode(), "text/markdown")}
    response = client.post("/v1/knowledge/documents", files=files, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["测试贷.md"] and response.json()["chunks_written"] >= 1
    hits = client.get("/v1/knowledge/search", params={"q": "测试贷 利率"}, headers=editor).json()["results"]
    assert hits and hits[0]["source"] == "测试贷.md"
    again = client.post("/v1/knowledge/documents", files=files, headers=editor).json()
    assert again["unchanged"] == 1 and again["added"] == []
    bad = {"file": ("run.exe", b"MZ", "application/octet-stream")}
    assert_error(client.post("/v1/knowledge/documents", files=bad, headers=editor), 422, "unsupported_file_type")
    sneaky = {"file": ("../../etc/passwd.md", b"# x", "text/markdown")}
    assert client.post("/v1/knowledge/documents", files=sneaky, headers=editor).json()["added"] == ["passwd.md"]
    assert (services.index.data_dir / "uploads" / "passwd.md").exists()
    assert_error(client.post("/v1/knowledge/documents", headers=editor), 422)


def test_keys_command_prints_the_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "cli-data"
    assert main(["keys", "create", "--role", "staff", "--name", "小王", "--data-dir", str(data_dir), "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["role"] == "staff" and created["key"].startswith("fa_")
    store = build_store(Settings(data_dir=data_dir).resolved_database_url)
    try:
        record = store.api_keys.authenticate(created["key"])
        assert record is not None and record.role == "staff" and record.name == "小王"
    finally:
        store.close()
    assert main(["keys", "list", "--data-dir", str(data_dir)]) == 0
    assert created["key"] not in capsys.readouterr().out
    assert main(["keys", "revoke", created["id"], "--data-dir", str(data_dir)]) == 0


def test_keys_command_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["keys", "create", "--role", "root", "--name", "x", "--data-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    assert main(["keys", "create", "--role", "staff", "--name", " ", "--data-dir", str(tmp_path)]) == 2
    assert "--name" in capsys.readouterr().err


def test_make_services_fixture_is_isolated(make_services: Callable[..., Services]) -> None:
    first, second = make_services(), make_services()
    first.store.api_keys.create("a", "staff")
    assert second.store.api_keys.list() == []
