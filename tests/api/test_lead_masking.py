"""Numbers members and staff type into free text (purpose, assignee, notes) are masked in the lead list, in the
lead detail for staff, and in the export (unless it asks for clear phones); admins see them in the detail."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import create_lead, parse_csv

Headers = dict[str, dict[str, str]]
ID_CARD = "320102199001011234"
PURPOSE = f"采购设备，法人身份证{ID_CARD}，备用电话１３７ １２３４ ５６７８"
ASSIGNEE = "经理-18612345678"
NOTE = "客户说打 1 3 9 0 0 0 0 1 1 1 1 也可以"
CLEAR = (ID_CARD, "13712345678", "１３７ １２３４ ５６７８", "18612345678", "1 3 9 0 0 0 0 1 1 1 1")


def _seed(client: TestClient, headers: Headers) -> str:
    lead_id = str(create_lead(client, purpose=PURPOSE)["id"])
    patched = client.patch(f"/v1/leads/{lead_id}", json={"assignee": ASSIGNEE}, headers=headers["staff"])
    assert patched.status_code == 200
    note = client.post(f"/v1/leads/{lead_id}/notes", json={"text": NOTE}, headers=headers["staff"])
    assert note.status_code == 201
    return lead_id


def _clear_in(text: str) -> list[str]:
    return [number for number in CLEAR if number in text]


def test_the_list_and_the_staff_detail_mask_free_text(client: TestClient, headers: Headers) -> None:
    lead_id = _seed(client, headers)
    listed = client.get("/v1/leads", headers=headers["staff"]).json()["items"][0]
    assert _clear_in(str(listed)) == []
    assert listed["assignee"] == "经理-186****5678" and "320***********1234" in listed["purpose"]
    detail = client.get(f"/v1/leads/{lead_id}", headers=headers["staff"]).json()
    assert _clear_in(str({k: detail[k] for k in ("purpose", "assignee", "notes")})) == []
    assert detail["notes"][0]["text"] == "客户说打 139****1111 也可以"
    admin = client.get(f"/v1/leads/{lead_id}", headers=headers["admin"]).json()
    assert admin["purpose"] == PURPOSE and admin["assignee"] == ASSIGNEE and admin["notes"][0]["text"] == NOTE


def test_the_export_masks_free_text_unless_it_has_clear_phones(client: TestClient, headers: Headers) -> None:
    _seed(client, headers)
    masked = client.get("/v1/leads/export.csv", headers=headers["admin"])
    assert masked.status_code == 200 and _clear_in(masked.text) == []
    (row,) = parse_csv(masked.text)
    assert row["assignee"] == "经理-186****5678"
    clear = parse_csv(client.get("/v1/leads/export.csv?include_phone=true", headers=headers["admin"]).text)
    assert clear[0]["purpose"] == PURPOSE and clear[0]["assignee"] == ASSIGNEE
