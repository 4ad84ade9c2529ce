"""Test helpers and the chat / lead-workflow scenarios, written against any httpx-style client so they run both
in process (TestClient) and against a live multi-worker deployment (tests/scaleout)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

ROLES = ("staff", "editor", "admin")
PHONE = "13912345678"
APPLY_TURNS = (
    "我想申请贷款",
    "同意",
    "我叫王五，公司是杭州某某科技有限公司，手机{phone}，想融资300万用于采购设备",
)


class Client(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response: ...
    def get(self, url: str, **kwargs: Any) -> httpx.Response: ...
    def post(self, url: str, **kwargs: Any) -> httpx.Response: ...


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, str]:
    """The response has this status and the one error shape; returns the error object."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) >= {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def lead_form(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "李四",
        "company": "某某新能源有限公司",
        "phone": PHONE,
        "amount": 2_000_000,
        "purpose": "购买设备",
        "consent": True,
    }
    return body | overrides


def create_lead(client: Client, headers: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/leads", json=lead_form(**overrides), headers=dict(headers or {}))
    assert response.status_code == 201, response.text
    return response.json()


def chat(client: Client, message: str, session_id: str | None = None, **kwargs: Any) -> httpx.Response:
    body: dict[str, Any] = {"message": message}
    if session_id:
        body["session_id"] = session_id
    return client.post("/v1/chat", json=body, **kwargs)


def sse_events(text: str) -> list[tuple[str, Any]]:
    """(event, parsed data) pairs of an SSE body; comments (pings) skipped."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# ---- scenarios shared with the scale-out suite ------------------------------------------------------------


def question_with_citations(client: Client) -> dict[str, Any]:
    """A product question answered from the corpus, with citations in the contract shape."""
    response = chat(client, "安心政担贷的贷款利率是多少？")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"session_id", "answer", "citations", "intent", "escalation"}
    assert body["intent"] == "question" and body["answer"]
    assert body["citations"] and set(body["citations"][0]) == {"source", "title", "snippet"}
    assert "[1]" in body["answer"]
    return body


def apply_through_chat(client: Client, phone: str = PHONE, **kwargs: Any) -> tuple[str, list[httpx.Response]]:
    """The consented lead-capture conversation; returns (session id, responses)."""
    responses, session_id = [], None
    for turn in APPLY_TURNS:
        response = chat(client, turn.format(phone=phone), session_id, **kwargs)
        assert response.status_code == 200, response.text
        session_id = response.json()["session_id"]
        responses.append(response)
    first, last = responses[0].json(), responses[-1].json()
    assert first["intent"] == "apply" and first["escalation"] is None  # nothing reaches staff before consent
    assert last["escalation"]["type"] == "application"
    assert phone[:3] + "****" + phone[-4:] in responses[-1].json()["answer"]
    assert session_id is not None
    return session_id, responses


def find_lead(client: Client, staff: Mapping[str, str], conversation_id: str) -> dict[str, Any]:
    page = client.get("/v1/leads", params={"limit": 500}, headers=dict(staff)).json()
    matches = [item for item in page["items"] if item["conversation_id"] == conversation_id]
    assert len(matches) == 1, page
    return matches[0]


def work_lead(client: Client, lead_id: str, staff: Mapping[str, str], admin: Mapping[str, str]) -> None:
    """Assign → contacted → qualified → won, an invalid step (409), a note, an export and an erasure."""
    staff, admin = dict(staff), dict(admin)
    steps = [({"assignee": "王经理"}, "assigned"), ({"status": "contacted"}, "contacted")]
    steps += [({"status": "qualified"}, "qualified"), ({"status": "won"}, "won")]
    for patch, status in steps:
        response = client.request("PATCH", f"/v1/leads/{lead_id}", json=patch, headers=staff)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    assert_error(client.request("PATCH", f"/v1/leads/{lead_id}", json={"status": "new"}, headers=staff), 409)
    note = client.post(f"/v1/leads/{lead_id}/notes", json={"text": "已电话联系，客户意向强"}, headers=staff)
    assert note.status_code == 201, note.text
    detail = client.get(f"/v1/leads/{lead_id}", headers=staff).json()
    assert detail["status"] == "won" and detail["assignee"] == "王经理"
    assert [n["text"] for n in detail["notes"]] == ["已电话联系，客户意向强"]
    export = client.get("/v1/leads/export.csv", headers=admin)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert any(row["id"] == lead_id for row in parse_csv(export.text))
    erased = client.request("DELETE", f"/v1/leads/{lead_id}", headers=admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased_at"] and erased.json()["name"] is None and erased.json()["phone"] is None
    audit = client.get("/v1/audit", params={"target": lead_id, "limit": 500}, headers=admin).json()
    actions = {entry["action"] for entry in audit["items"]}
    assert {"lead.view", "lead.update", "lead.note", "lead.erase"} <= actions, actions
    assert all(entry["request_id"] for entry in audit["items"] if entry["actor"].startswith("key:"))
