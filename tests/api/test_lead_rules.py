"""What a new operator met on the lead API, on SQLite and PostgreSQL: consent missing or false, amounts
written in 万/元, malformed lead ids, `assigned` without an assignee, and the funnel following the workflow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.leads import FUNNEL_STAGES, STATUSES
from assistant.services import Services
from tests.api.helpers import ROLES, assert_error, bearer, create_lead, lead_form
from tests.store.conftest import db_url  # noqa: F401  (the SQLite / PostgreSQL parametrised fixture)

Headers = dict[str, dict[str, str]]


@pytest.fixture
def api(make_services: Callable[..., Services], db_url: str) -> Iterator[tuple[TestClient, Services, Headers]]:  # noqa: F811
    services = make_services(database_url=db_url)
    keys = {role: services.store.api_keys.create(f"{role}-tester", role)[1] for role in ROLES}
    with TestClient(create_app(services)) as client:
        yield client, services, {role: bearer(key) for role, key in keys.items()}


@pytest.mark.parametrize("consent", ["missing", False, None, "yes", 1])
def test_without_consent_is_consent_required(api: tuple[TestClient, Services, Headers], consent: Any) -> None:
    client, services, _ = api
    body = lead_form()
    if consent == "missing":
        del body["consent"]
    else:
        body["consent"] = consent
    assert_error(client.post("/v1/leads", json=body), 422, "consent_required")
    # consent is checked before anything else in the form
    del body["name"]
    assert_error(client.post("/v1/leads", json=body), 422, "consent_required")
    assert services.store.leads.list().total == 0


@pytest.mark.parametrize(
    ("amount", "yuan"),
    [
        ("50万", 500_000),
        ("50万元", 500_000),
        ("500000", 500_000),
        ("500,000元", 500_000),
        ("五十万", 500_000),
        ("1.5亿", 150_000_000),
        (" 300 万 ", 3_000_000),
        (2_000_000, 2_000_000),
        (1.5e6, 1_500_000),
        (None, None),
    ],
)
def test_amount_in_wan_and_yuan_is_stored_in_yuan(
    api: tuple[TestClient, Services, Headers], amount: Any, yuan: int | None
) -> None:
    client, services, _ = api
    created = create_lead(client, amount=amount)
    assert services.store.leads.get(created["id"]).amount == yuan


@pytest.mark.parametrize("amount", ["很多", "abc", "", "-5万", "0", 0, -1, "50万美元", 10**13, True, [1], "1e400"])
def test_nonsense_amount_is_a_clear_422(api: tuple[TestClient, Services, Headers], amount: Any) -> None:
    client, services, _ = api
    error = assert_error(client.post("/v1/leads", json=lead_form(amount=amount)), 422, "validation_error")
    assert "amount" in error["message"]
    assert services.store.leads.list().total == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/leads/{id}", None),
        ("PATCH", "/v1/leads/{id}", {"assignee": "王经理"}),
        ("POST", "/v1/leads/{id}/notes", {"text": "x"}),
        ("DELETE", "/v1/leads/{id}", None),
    ],
)
@pytest.mark.parametrize("lead_id", ["0" * 32, "nope", "A" * 32, "0" * 33, "x" * 2000, "%00", "1%2F2"])
def test_unknown_or_malformed_ids_are_404(
    api: tuple[TestClient, Services, Headers], method: str, path: str, body: object, lead_id: str
) -> None:
    client, _, headers = api
    kwargs = {"json": body} if body is not None else {}
    response = client.request(method, path.format(id=lead_id), headers=headers["admin"], **kwargs)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "patch",
    [
        {"status": "assigned"},
        {"status": "assigned", "assignee": None},
        {"assignee": None},
        {"status": "assigned", "assignee": "  "},
        {"assignee": " "},
    ],
)
def test_assigned_needs_an_assignee(api: tuple[TestClient, Services, Headers], patch: dict[str, Any]) -> None:
    client, services, headers = api
    lead_id = create_lead(client)["id"]
    staff = headers["staff"]
    if patch.keys() == {"assignee"}:  # clearing the assignee of an assigned lead
        assert client.patch(f"/v1/leads/{lead_id}", json={"assignee": "王经理"}, headers=staff).status_code == 200
    before = services.store.leads.get(lead_id)
    error = assert_error(client.patch(f"/v1/leads/{lead_id}", json=patch, headers=staff), 422, "assignee_required")
    assert "assignee" in error["message"]
    after = services.store.leads.get(lead_id)
    assert (after.status, after.assignee, after.updated_at) == (before.status, before.assignee, before.updated_at)
    assigned = client.patch(f"/v1/leads/{lead_id}", json={"status": "assigned", "assignee": "赵经理"}, headers=staff)
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["status"], assigned.json()["assignee"]) == ("assigned", "赵经理")


def test_funnel_has_every_workflow_stage(api: tuple[TestClient, Services, Headers]) -> None:
    client, _, headers = api
    staff = headers["staff"]
    ids = [create_lead(client, phone=f"1390000{i:04d}")["id"] for i in range(4)]
    for lead_id in ids[1:]:
        client.patch(f"/v1/leads/{lead_id}", json={"assignee": "王经理"}, headers=staff)
    client.patch(f"/v1/leads/{ids[2]}", json={"status": "contacted"}, headers=staff)
    client.patch(f"/v1/leads/{ids[3]}", json={"status": "lost"}, headers=staff)
    funnel = client.get("/v1/analytics/overview", headers=staff).json()["funnel"]
    assert [s["stage"] for s in funnel] == list(FUNNEL_STAGES)
    assert set(FUNNEL_STAGES) == set(STATUSES) - {"lost"}
    assert [s["count"] for s in funnel] == [4, 3, 1, 0, 0]
