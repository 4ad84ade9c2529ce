"""`/v1/drafts` over HTTP: editor role, contract shape, 409 while blocked, edits, export, audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import drafts as drafts_routes
from assistant.drafting import DraftService
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.api.conftest import make_settings
from tests.api.helpers import assert_error, bearer
from tests.conftest import TEST_TODAY

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
RIGHT, WRONG = "年化利率3.5%—4.8%", "年化利率3.2%—4.8%"


@pytest.fixture
def services(tmp_path: Path, semantic_index: KnowledgeIndex, semantic_retriever: HybridRetriever) -> Iterator[Services]:
    settings = make_settings(tmp_path / "data")
    store = build_store(settings.resolved_database_url)
    built = build_services(settings, index=semantic_index, retriever=semantic_retriever, store=store)
    covers = built.drafts.covers  # the production topic check (the agent's judgement), with the date pinned
    built.drafts = DraftService(semantic_retriever, built.chat_model, store, today=lambda: TEST_TODAY, covers=covers)  # type: ignore[attr-defined]
    yield built
    store.close()


def app_with_drafts(services: Any) -> FastAPI:
    app = create_app(services)
    if not any(getattr(r, "path", "").startswith("/v1/drafts") for r in app.routes):
        app.include_router(drafts_routes.router)  # until api/app.py lists the router
    return app


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(app_with_drafts(services)) as test_client:
        yield test_client


@pytest.fixture
def keys(services: Services) -> dict[str, dict[str, str]]:
    return {role: bearer(services.store.api_keys.create(f"{role}-1", role)[1]) for role in ("staff", "editor", "admin")}


def create(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/drafts", json={"type": "product_intro", "topic": "安心政担贷", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_the_contract_shape(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    body = create(client, keys["editor"], audience="小微企业主", channel="wechat_article", tone="亲切", length="long")
    assert {"id", "text", "citations", "claims", "findings", "version"} <= set(body)
    assert body["version"] == 1 and body["status"] == "draft" and body["blocking"] == []
    assert {c["source"] for c in body["citations"]} == {"products/anxin-guarantee-loan.md"}
    assert all(c["supported"] for c in body["claims"]) and body["claims"]
    assert body["versions"][0]["author"].startswith("key:")


def test_roles_and_auth(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    assert_error(client.post("/v1/drafts", json={"type": "product_intro", "topic": "x"}), 401, "unauthorized")
    staff = client.post("/v1/drafts", json={"type": "product_intro", "topic": "x"}, headers=keys["staff"])
    assert_error(staff, 403, "forbidden")
    create(client, keys["admin"])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"type": "press_release", "topic": "安心政担贷"}, 422, "validation_error"),
        ({"type": "product_intro", "topic": ""}, 422, "validation_error"),
        ({"type": "product_intro", "topic": "安心政担贷", "channel": "tiktok"}, 422, "validation_error"),
        ({"type": "product_intro", "topic": "安心政担贷", "length": "huge"}, 422, "invalid_value"),
        ({"type": "product_intro", "topic": "   "}, 422, "invalid_value"),
        ({"type": "product_intro", "topic": "火星移民旅游攻略"}, 422, "no_sources"),
        ({"type": "product_intro", "topic": "房地产开发贷"}, 422, "no_sources"),  # near products, not one
        ({"type": "product_intro", "topic": "比特币质押贷款"}, 422, "no_sources"),
    ],
)
def test_bad_briefs(
    client: TestClient, keys: dict[str, dict[str, str]], body: dict[str, Any], status: int, code: str
) -> None:
    assert_error(client.post("/v1/drafts", json=body, headers=keys["editor"]), status, code)


def test_edit_approve_export_flow(client: TestClient, keys: dict[str, dict[str, str]], services: Services) -> None:
    editor = keys["editor"]
    draft = create(client, editor)
    url = f"/v1/drafts/{draft['id']}"

    planted = {"text": draft["text"].replace(RIGHT, WRONG), "expected_version": 1}
    edited = client.patch(url, json=planted, headers=editor)
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["version"] == 2 and "+" in body["versions"][1]["diff"]
    [flagged] = [c for c in body["claims"] if not c["supported"]]
    assert flagged["text"] == "年化利率3.2%—4.8%" and body["text"][slice(*flagged["span"])] == flagged["text"]

    blocked = assert_error(client.post(f"{url}/approve", headers=editor), 409, "approval_blocked")
    assert "年化利率3.2%—4.8%" in blocked["message"]
    assert_error(client.patch(url, json={"text": "x", "expected_version": 1}, headers=editor), 409, "conflict")

    fixed = client.patch(url, json={"text": body["text"].replace(WRONG, RIGHT)}, headers=editor).json()
    assert fixed["version"] == 3 and fixed["blocking"] == []
    approved = client.post(f"{url}/approve", headers=keys["admin"]).json()
    assert approved["status"] == "approved" and approved["approved_by"].startswith("key:") and approved["approved_at"]
    assert client.get(url, headers=editor).json()["status"] == "approved"

    markdown = client.get(f"{url}/export", headers=editor)
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert "**参考资料**" in markdown.text
    text = client.get(f"{url}/export", params={"format": "text"}, headers=editor)
    assert text.headers["content-type"].startswith("text/plain") and "[1]" not in text.text

    listed = client.get("/v1/drafts", params={"status": "approved"}, headers=editor).json()
    assert [d["id"] for d in listed["items"]] == [draft["id"]]
    actions = [a.action for a in services.store.audit.list(limit=50).items]
    assert {"draft.create", "draft.revise", "draft.approve"} <= set(actions)


def test_unknown_draft_and_bad_ids(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    assert_error(client.get(f"/v1/drafts/{'0' * 32}", headers=keys["editor"]), 404, "not_found")
    assert_error(client.get("/v1/drafts/not-an-id", headers=keys["editor"]), 422)


def test_router_builds_the_service_when_services_have_none(
    tmp_path: Path, semantic_index: KnowledgeIndex, semantic_retriever: HybridRetriever
) -> None:
    settings = make_settings(tmp_path / "plain")
    store = build_store(settings.resolved_database_url)
    services = build_services(settings, index=semantic_index, retriever=semantic_retriever, store=store)
    try:
        with TestClient(app_with_drafts(services)) as client:
            key = bearer(store.api_keys.create("ed", "editor")[1])
            create(client, key)
    finally:
        store.close()


def test_a_refused_topic_names_what_the_knowledge_base_has_closest(
    client: TestClient, keys: dict[str, dict[str, str]], services: Services
) -> None:
    brief = {"type": "product_intro", "topic": "房地产开发贷"}
    response = client.post("/v1/drafts", json=brief, headers=keys["editor"])
    message = response.json()["error"]["message"]
    assert response.status_code == 422 and "房地产开发贷" in message and "最接近" in message and "《" in message
    assert services.store.drafts.list().total == 0  # nothing stored under another subject
