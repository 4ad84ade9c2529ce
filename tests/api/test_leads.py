"""Leads: member form, staff list/detail/patch/notes, admin export and erasure, audit and phone masking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from assistant.services import Services
from assistant.store.models import Base
from tests.api.helpers import (
    PHONE,
    apply_through_chat,
    assert_error,
    create_lead,
    find_lead,
    lead_form,
    parse_csv,
    work_lead,
)

Headers = dict[str, dict[str, str]]


def test_member_form_creates_a_lead_only_with_consent(client: TestClient, services: Services) -> None:
    created = create_lead(client, session_id="form-1", phone="139-1234-5678")
    assert created["status"] == "new" and created["session_id"] == "form-1"
    stored = services.store.leads.get(created["id"], include_phone=True)
    assert stored.phone == PHONE and stored.phone_masked == "139****5678"
    assert_error(client.post("/v1/leads", json=lead_form(consent=False)), 422, "consent_required")
    assert_error(client.post("/v1/leads", json=lead_form(phone="12345")), 422, "invalid_value")
    assert_error(client.post("/v1/leads", json=lead_form(amount=-1)), 422, "validation_error")
    assert_error(client.post("/v1/leads", json=lead_form(amount="一些钱")), 422, "validation_error")
    assert services.store.leads.list().total == 1


def test_lead_creation_is_rate_limited(make_services: Callable[..., Services]) -> None:
    client = TestClient(create_app(make_services(lead_rate_limit="2/minute")))
    create_lead(client)
    create_lead(client)
    response = client.post("/v1/leads", json=lead_form())
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1


def test_full_workflow(client: TestClient, headers: Headers) -> None:
    session_id, _ = apply_through_chat(client)
    lead = find_lead(client, headers["staff"], session_id)
    work_lead(client, lead["id"], headers["staff"], headers["admin"])


def test_detail_has_transcript_summary_reason_and_citations(client: TestClient, headers: Headers) -> None:
    answered = client.post("/v1/chat", json={"message": "安心政担贷的贷款利率是多少？", "session_id": "c-1"})
    assert answered.json()["citations"]
    for turn in ("我想申请贷款", "同意", f"我叫王五，公司是杭州某某科技有限公司，手机{PHONE}，想融资300万用于采购设备"):
        assert client.post("/v1/chat", json={"message": turn, "session_id": "c-1"}).status_code == 200
    lead = find_lead(client, headers["staff"], "c-1")
    assert lead["phone"] == "139****5678"
    detail = client.get(f"/v1/leads/{lead['id']}", headers=headers["staff"]).json()
    assert detail["phone"] == PHONE and detail["phone_masked"] is False
    assert detail["escalation"]["type"] == "application" and detail["reason"] and detail["summary"]
    assert detail["citations"] and set(detail["citations"][0]) == {"source", "title", "snippet"}
    assert [t["role"] for t in detail["transcript"]] == ["user", "assistant"] * 4
    assert all(PHONE not in t["text"] for t in detail["transcript"])


def test_list_filters_and_paging(client: TestClient, headers: Headers, services: Services) -> None:
    ids = [create_lead(client, phone=f"1390000{i:04d}")["id"] for i in range(5)]
    staff = headers["staff"]
    client.patch(f"/v1/leads/{ids[0]}", json={"assignee": "王经理"}, headers=staff)
    client.patch(f"/v1/leads/{ids[1]}", json={"assignee": "赵经理"}, headers=staff)
    page = client.get("/v1/leads", params={"limit": 2, "offset": 1}, headers=staff).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1 and len(page["items"]) == 2
    assert all(item["phone"].startswith("139****") for item in page["items"])
    by_status = client.get("/v1/leads", params={"status": "assigned"}, headers=staff).json()
    assert {i["id"] for i in by_status["items"]} == set(ids[:2])
    mine = client.get("/v1/leads", params={"assignee": "王经理", "type": "contact_request"}, headers=staff).json()
    assert [i["id"] for i in mine["items"]] == [ids[0]]
    assert client.get("/v1/leads", params={"priority": "high"}, headers=staff).json()["total"] == 0
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert client.get("/v1/leads", params={"created_from": future}, headers=staff).json()["total"] == 0
    assert client.get("/v1/leads", params={"created_to": future}, headers=staff).json()["total"] == 5
    assert_error(client.get("/v1/leads", params={"created_from": "2026-01-01T00:00:00"}, headers=staff), 422)
    assert_error(client.get("/v1/leads", params={"status": "sold"}, headers=staff), 422)
    assert_error(client.get("/v1/leads", params={"limit": 0}, headers=staff), 422)
    assert_error(client.get("/v1/leads", params={"offset": -1}, headers=staff), 422)
    listed = services.store.audit.list(action="lead.list").items
    assert listed and listed[0].request_id


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"status": "won"}, "invalid_transition"),
        ({"status": "contacted"}, "invalid_transition"),
        ({"assignee": "王经理", "status": "won"}, "invalid_transition"),
    ],
)
def test_invalid_transitions_are_409_and_change_nothing(
    client: TestClient, headers: Headers, patch: dict[str, str], code: str
) -> None:
    lead_id = create_lead(client)["id"]
    assert_error(client.patch(f"/v1/leads/{lead_id}", json=patch, headers=headers["staff"]), 409, code)
    detail = client.get(f"/v1/leads/{lead_id}", headers=headers["staff"]).json()
    assert detail["status"] == "new" and detail["assignee"] is None


def test_patch_assign_and_status_together_and_clear_assignee(client: TestClient, headers: Headers) -> None:
    lead_id = create_lead(client)["id"]
    both = client.patch(
        f"/v1/leads/{lead_id}", json={"assignee": "王经理", "status": "contacted"}, headers=headers["staff"]
    )
    assert both.status_code == 200 and both.json()["status"] == "contacted" and both.json()["first_contacted_at"]
    cleared = client.patch(f"/v1/leads/{lead_id}", json={"assignee": None}, headers=headers["staff"])
    assert cleared.json()["assignee"] is None and cleared.json()["status"] == "contacted"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/leads/{id}", None),
        ("PATCH", "/v1/leads/{id}", {"status": "assigned"}),
        ("POST", "/v1/leads/{id}/notes", {"text": "x"}),
        ("DELETE", "/v1/leads/{id}", None),
    ],
)
def test_unknown_and_malformed_ids(client: TestClient, headers: Headers, method: str, path: str, body: object) -> None:
    kwargs = {"json": body} if body is not None else {}
    for lead_id in ("0" * 32, "nope"):
        missing = client.request(method, path.format(id=lead_id), headers=headers["admin"], **kwargs)
        assert_error(missing, 404, "not_found")


def test_patch_and_note_validation(client: TestClient, headers: Headers) -> None:
    lead_id = create_lead(client)["id"]
    staff = headers["staff"]
    assert_error(client.patch(f"/v1/leads/{lead_id}", json={"status": "sold"}, headers=staff), 422)
    assert_error(client.patch(f"/v1/leads/{lead_id}", json={"owner": "x"}, headers=staff), 422)
    assert_error(client.post(f"/v1/leads/{lead_id}/notes", json={"text": ""}, headers=staff), 422)
    assert_error(client.post(f"/v1/leads/{lead_id}/notes", json={"text": "x" * 4001}, headers=staff), 422)


def test_export_masks_phones_unless_asked(client: TestClient, headers: Headers, services: Services) -> None:
    create_lead(client, name='=HYPERLINK("x")')
    masked = parse_csv(client.get("/v1/leads/export.csv", headers=headers["admin"]).text)
    assert masked[0]["phone"] == "139****5678" and masked[0]["name"].startswith("'=")
    clear = client.get("/v1/leads/export.csv", params={"include_phone": True}, headers=headers["admin"])
    assert parse_csv(clear.text)[0]["phone"] == PHONE
    assert clear.headers["content-disposition"].startswith("attachment")
    exports = services.store.audit.list(action="lead.export").items
    assert [e.detail["include_phone"] for e in exports] == [True, False]


def test_erasure_removes_the_phone_everywhere(client: TestClient, headers: Headers, services: Services) -> None:
    session_id, _ = apply_through_chat(client)
    lead_id = find_lead(client, headers["staff"], session_id)["id"]
    note = f"客户手机{PHONE}，王五说下周再联系"
    client.post(f"/v1/leads/{lead_id}/notes", json={"text": note}, headers=headers["staff"])
    client.get(f"/v1/leads/{lead_id}", headers=headers["staff"])
    client.get("/v1/leads/export.csv", params={"include_phone": True}, headers=headers["admin"])
    erased = client.delete(f"/v1/leads/{lead_id}", headers=headers["admin"])
    assert erased.status_code == 200 and erased.json()["erased_at"] and erased.json()["amount_bucket"]
    assert client.delete(f"/v1/leads/{lead_id}", headers=headers["admin"]).status_code == 200  # idempotent
    detail = client.get(f"/v1/leads/{lead_id}", headers=headers["admin"]).json()
    assert detail["phone"] is None and detail["name"] is None
    everything = [client.get(f"/v1/leads/{lead_id}", headers=headers["admin"]).text]
    everything.append(client.get("/v1/leads/export.csv", params={"include_phone": True}, headers=headers["admin"]).text)
    everything.append(client.get("/v1/audit", params={"limit": 500}, headers=headers["admin"]).text)
    assert not [text for text in everything if PHONE in text]
    assert_no_phone_in_database(services, PHONE)
    erase = services.store.audit.list(action="lead.erase").items[0]
    assert erase.target == lead_id and erase.request_id == erased.headers["X-Request-ID"]
    assert_error(
        client.post(f"/v1/leads/{lead_id}/notes", json={"text": "x"}, headers=headers["staff"]), 409, "conflict"
    )


def assert_no_phone_in_database(services: Services, phone: str) -> None:
    with services.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                assert phone not in str(tuple(row)), (table.name, row)


def test_every_staff_view_and_change_is_audited(client: TestClient, headers: Headers, services: Services) -> None:
    lead_id = create_lead(client)["id"]
    staff = headers["staff"]
    view = client.get(f"/v1/leads/{lead_id}", headers={**staff, "X-Request-ID": "req-view-1"})
    client.patch(f"/v1/leads/{lead_id}", json={"assignee": "王经理"}, headers={**staff, "X-Request-ID": "req-upd-1"})
    assert view.headers["X-Request-ID"] == "req-view-1"
    entries = {e.action: e for e in services.store.audit.list(target=lead_id).items}
    assert entries["lead.view"].request_id == "req-view-1" and entries["lead.view"].actor.startswith("key:")
    assert entries["lead.view"].detail == {"phone_revealed": True}
    assert entries["lead.update"].request_id == "req-upd-1"
    assert entries["lead.update"].detail == {"from": "new", "to": "assigned", "assignee": "王经理"}
    assert entries["lead.create"].actor == "member"
