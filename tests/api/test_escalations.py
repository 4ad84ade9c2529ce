"""`GET /v1/escalations` and `POST /v1/escalations/{id}/resolve`: filters, paging, 404/409, audit, auth."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from tests.api.helpers import assert_error

MISSING = "0" * 32


@pytest.fixture
def ids(services: Services) -> dict[str, str]:
    store = services.store
    conversation = store.conversations.get_or_create("esc-1")
    made = {kind: store.escalations.create(conversation.id, kind, reason="r").id for kind in ("human", "unanswered")}
    made["complaint"] = store.escalations.create(conversation.id, "complaint", reason="r", priority="high").id
    store.escalations.resolve(made["complaint"], resolved_by="key:old")
    return made


def test_list_filters_and_paging(client: TestClient, headers: dict[str, dict[str, str]], ids: dict[str, str]) -> None:
    staff = headers["staff"]
    page = client.get("/v1/escalations", headers=staff).json()
    assert page["total"] == 3 and {item["id"] for item in page["items"]} == set(ids.values())
    open_only = client.get("/v1/escalations", params={"open_only": True}, headers=staff).json()
    assert {item["type"] for item in open_only["items"]} == {"human", "unanswered"}
    typed = client.get("/v1/escalations", params={"type": "unanswered"}, headers=staff).json()
    assert [item["id"] for item in typed["items"]] == [ids["unanswered"]]
    paged = client.get("/v1/escalations", params={"limit": 2, "offset": 2}, headers=headers["admin"]).json()
    assert (paged["total"], len(paged["items"]), paged["limit"], paged["offset"]) == (3, 1, 2, 2)
    assert_error(client.get("/v1/escalations", params={"type": "nope"}, headers=staff), 422)


def test_resolve_with_correct_answer(
    client: TestClient, headers: dict[str, dict[str, str]], ids: dict[str, str], services: Services
) -> None:
    path = f"/v1/escalations/{ids['unanswered']}/resolve"
    response = client.post(path, json={"correct_answer": "暂不提供跨境贸易融资。"}, headers=headers["staff"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["correct_answer"] == "暂不提供跨境贸易融资。" and body["resolved_at"]
    assert body["resolved_by"].startswith("key:")
    assert_error(client.post(path, json={}, headers=headers["staff"]), 409, "conflict")
    cases = client.get("/v1/escalations", params={"has_correct_answer": True}, headers=headers["staff"]).json()
    assert [item["id"] for item in cases["items"]] == [ids["unanswered"]]
    entries = services.store.audit.list(target=ids["unanswered"]).items
    assert [(e.action, e.detail["correct_answer"]) for e in entries] == [("escalation.resolve", True)]
    assert entries[0].request_id


def test_resolve_without_answer_and_errors(
    client: TestClient, headers: dict[str, dict[str, str]], ids: dict[str, str]
) -> None:
    response = client.post(f"/v1/escalations/{ids['human']}/resolve", json={}, headers=headers["admin"])
    assert response.status_code == 200 and response.json()["correct_answer"] is None
    assert_error(client.post(f"/v1/escalations/{MISSING}/resolve", json={}, headers=headers["staff"]), 404)
    empty = client.post(
        f"/v1/escalations/{ids['human']}/resolve", json={"correct_answer": ""}, headers=headers["staff"]
    )
    assert_error(empty, 422)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/escalations"), ("POST", f"/v1/escalations/{MISSING}/resolve")]
)
def test_auth(client: TestClient, headers: dict[str, dict[str, str]], method: str, path: str) -> None:
    assert_error(client.request(method, path, json={}), 401, "unauthorized")
    assert_error(client.request(method, path, json={}, headers=headers["editor"]), 403, "forbidden")
    assert client.request(method, path, json={}, headers=headers["staff"]).status_code not in (401, 403)
