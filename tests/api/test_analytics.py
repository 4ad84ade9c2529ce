"""`/v1/analytics/overview`, `/gaps`, `/gaps/draft` and `/freshness` over the hand-built database of
tests/insights/seed.py (figures worked out there), plus auth on each route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from tests.api.helpers import assert_error
from tests.insights.seed import CROSS_BORDER, GOLD, PERIOD, SUZHOU_2023, seed

ROUTES = [
    ("GET", "/v1/analytics/overview", {"staff", "admin"}),
    ("GET", "/v1/analytics/gaps", {"staff", "admin"}),
    ("GET", "/v1/analytics/freshness", {"staff", "admin"}),
    ("POST", "/v1/analytics/gaps/draft", {"editor", "admin"}),
]


@pytest.fixture
def seeded(services: Services) -> Services:
    seed(services.store)
    return services


@pytest.mark.parametrize(("method", "path", "roles"), ROUTES)
def test_auth(client: TestClient, headers: dict[str, dict[str, str]], method: str, path: str, roles: set[str]) -> None:
    assert_error(client.request(method, path), 401, "unauthorized")
    for role, role_headers in headers.items():
        response = client.request(method, path, headers=role_headers, json={"question": "跨境贸易融资"})
        if role in roles:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert_error(response, 403, "forbidden")


def test_overview(client: TestClient, headers: dict[str, dict[str, str]], seeded: Services) -> None:
    body = client.get("/v1/analytics/overview", params=PERIOD | {"intents": 2}, headers=headers["staff"]).json()
    assert body["conversations"] == 3
    assert body["answers"] == {"answered": 2, "unanswered": 4, "answer_rate": 0.3333}
    assert body["escalations_by_type"] == {"human": 1, "unanswered": 1, "application": 1}
    assert [(s["stage"], s["count"], s["rate_from_previous"]) for s in body["funnel"]] == [
        ("new", 7, None),
        ("assigned", 6, 0.8571),
        ("contacted", 4, 0.6667),
        ("qualified", 2, 0.5),
        ("won", 1, 0.5),
    ]
    assert body["median_first_contact_seconds"] == 10800
    assert body["top_intents"] == [{"intent": "question", "count": 5}, {"intent": "apply", "count": 1}]
    everything = client.get("/v1/analytics/overview", headers=headers["admin"]).json()
    assert everything["conversations"] == 4
    bad = client.get("/v1/analytics/overview", params={"created_from": "2026-03-01"}, headers=headers["staff"])
    assert_error(bad, 422, "validation_error")


def test_gaps(client: TestClient, headers: dict[str, dict[str, str]], seeded: Services) -> None:
    body = client.get("/v1/analytics/gaps", params=PERIOD, headers=headers["staff"]).json()
    assert body["questions"] == 4
    assert [(g["count"], sorted(g["examples"])) for g in body["gaps"]] == [
        (3, sorted(CROSS_BORDER)),
        (1, [GOLD]),
    ]
    everything = client.get("/v1/analytics/gaps", params={"limit": 1}, headers=headers["staff"]).json()
    assert everything["questions"] == 5 and len(everything["gaps"]) == 1


def test_draft_for_gap(client: TestClient, headers: dict[str, dict[str, str]], services: Services) -> None:
    response = client.post(
        "/v1/analytics/gaps/draft", json={"question": "安心政担贷怎么申请"}, headers=headers["editor"]
    )
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["type"] == "faq_digest" and draft["topic"] == "安心政担贷怎么申请" and draft["citations"]
    actions = [e.action for e in services.store.audit.list(target=draft["id"]).items]
    assert actions == ["draft.create"]
    nothing = client.post("/v1/analytics/gaps/draft", json={"question": "火星移民签证"}, headers=headers["editor"])
    assert_error(nothing, 422, "no_sources")
    assert_error(client.post("/v1/analytics/gaps/draft", json={"question": ""}, headers=headers["editor"]), 422)


def test_freshness(client: TestClient, headers: dict[str, dict[str, str]], seeded: Services) -> None:
    params = {"on": "2026-12-01", "within_days": 30}
    body = client.get("/v1/analytics/freshness", params=params, headers=headers["staff"]).json()
    assert body["today"] == "2026-12-01" and body["within_days"] == 30
    by_source = {d["source"]: d for d in body["documents"]}
    suzhou = by_source[SUZHOU_2023]
    assert suzhou["status"] == "superseded" and suzhou["answers"] == 1 and suzhou["expires"] == "2024-12-31"
    assert {d["status"] for d in body["documents"]} <= {"expired", "superseded", "expiring"}
    assert all(d["days_left"] <= 30 for d in body["documents"] if d["status"] == "expiring")
    narrower = client.get("/v1/analytics/freshness", params=params | {"within_days": 0}, headers=headers["staff"])
    assert len(narrower.json()["documents"]) <= len(body["documents"])
    assert client.get("/v1/analytics/freshness", headers=headers["admin"]).status_code == 200
    bad_day = client.get("/v1/analytics/freshness", params={"on": "2026-13-45"}, headers=headers["staff"])
    assert_error(bad_day, 422)
