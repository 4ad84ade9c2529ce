"""Every text a request carries is refused with 422 naming the field when it holds a control character, a lone
surrogate or a noncharacter; integers are bounded to what both stores hold. On SQLite and PostgreSQL alike
(before: a NUL gave a 500 on PostgreSQL and was stored on SQLite; offset=10**30 gave a 500 on both)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from assistant.store.models import AuditEntry, Conversation, Draft, Lead
from tests.api.store_apps import StoreApp

LEAD = {"name": "王五", "company": "某某科技", "phone": "13912345678", "consent": True}
BAD = ["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"]
HUGE = 10**30


def _raw_json(body: dict[str, Any]) -> bytes:
    """JSON with \\u escapes, so lone surrogates travel as a real client would send them."""
    return json.dumps(body, ensure_ascii=True).encode()


def _lead_id(app: StoreApp) -> str:
    response = app.client.post("/v1/leads", json=LEAD)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# (role or None, method, path, body-or-params, field): the text is put into `field`
BODY_CASES = [
    (None, "POST", "/v1/chat", {"message": "你好{}"}, "message"),
    (None, "POST", "/v1/leads", {**LEAD, "name": "王{}五"}, "name"),
    (None, "POST", "/v1/leads", {**LEAD, "purpose": "采购{}"}, "purpose"),
    ("editor", "POST", "/v1/drafts", {"type": "product_intro", "topic": "测试贷{}"}, "topic"),
    ("editor", "POST", "/v1/drafts", {"type": "product_intro", "topic": "测试贷", "tone": "亲切{}"}, "tone"),
    ("editor", "POST", "/v1/compliance/check", {"text": "保证放款{}"}, "text"),
    ("admin", "POST", "/v1/keys", {"name": "bot{}", "role": "staff"}, "name"),
    ("editor", "POST", "/v1/analytics/gaps/draft", {"question": "怎么申请{}"}, "question"),
    (
        None,
        "POST",
        "/v1/chat/completions",
        {"model": "finassist-agent", "messages": [{"role": "user", "content": "利率{}"}]},
        "messages.0.content",
    ),
]
QUERY_CASES = [
    ("staff", "/v1/leads", "assignee"),
    ("staff", "/v1/leads", "type"),
    ("admin", "/v1/audit", "actor"),
    ("editor", "/v1/knowledge/search", "q"),
    ("editor", "/v1/knowledge/search", "product"),
]


def _fill(value: Any, bad: str) -> Any:
    if isinstance(value, str):
        return value.replace("{}", bad)
    if isinstance(value, list):
        return [_fill(v, bad) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, bad) for k, v in value.items()}
    return value


def _count(app: StoreApp, model: Any) -> int:
    with app.services.store.tx.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "field", "bad"),
    [(*case, "\x00") for case in BODY_CASES] + [(*BODY_CASES[0], bad) for bad in BAD[1:]],
    ids=[c[4] + c[2] for c in BODY_CASES] + [f"message-U+{ord(c):04X}" for c in BAD[1:]],
)
def test_a_bad_character_in_a_body_field_is_refused_naming_the_field(
    store_app: StoreApp,
    role: str | None,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    bad: str,
) -> None:
    headers = {"content-type": "application/json", **(store_app.headers[role] if role else {})}
    before = {model: _count(store_app, model) for model in (Lead, Conversation, Draft)}
    response = store_app.client.request(method, path, content=_raw_json(_fill(body, bad)), headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(f"{field}: "), error["message"]
    if bad != "\ud800":  # JSON parsing itself refuses a lone surrogate (as not a valid string)
        assert error["message"].startswith(f"{field}: contains U+{ord(bad):04X}"), error["message"]
    assert {model: _count(store_app, model) for model in before} == before  # nothing stored


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x9f"], ids=["U+0000", "U+001B", "U+009F"])
@pytest.mark.parametrize(("role", "path", "param"), QUERY_CASES, ids=[f"{c[1]}?{c[2]}" for c in QUERY_CASES])
def test_a_bad_character_in_a_query_parameter_is_refused(
    store_app: StoreApp,
    role: str,
    path: str,
    param: str,
    bad: str,
) -> None:
    params = {"q": "利率"} if path.endswith("search") else {}
    response = store_app.client.get(path, params={**params, param: f"x{bad}y"}, headers=store_app.headers[role])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"query.{param}: contains U+{ord(bad):04X}")


def test_bad_characters_in_lead_work_and_notes_are_refused(store_app: StoreApp) -> None:
    lead_id = _lead_id(store_app)
    staff = store_app.headers["staff"]
    patch = store_app.client.patch(f"/v1/leads/{lead_id}", json={"assignee": "李\x00雷"}, headers=staff)
    note = store_app.client.post(f"/v1/leads/{lead_id}/notes", json={"text": "已联系\x00"}, headers=staff)
    assert (patch.status_code, note.status_code) == (422, 422), (patch.text, note.text)
    assert store_app.client.get(f"/v1/leads/{lead_id}", headers=staff).json()["assignee"] is None


def test_tabs_and_line_breaks_are_text(store_app: StoreApp) -> None:
    response = store_app.client.post("/v1/leads", json={**LEAD, "purpose": "采购\t设备\r\n第二行"})
    assert response.status_code == 201, response.text
    with store_app.services.store.tx.read() as session:
        assert session.scalar(select(Lead.purpose).where(Lead.id == response.json()["id"])) == "采购\t设备\r\n第二行"


@pytest.mark.parametrize(
    ("role", "path", "param"),
    [
        ("editor", "/v1/drafts", "offset"),
        ("editor", "/v1/drafts", "limit"),
        ("staff", "/v1/leads", "offset"),
        ("admin", "/v1/audit", "offset"),
        ("staff", "/v1/escalations", "offset"),
        ("editor", "/v1/knowledge/search", "k"),
    ],
)
def test_huge_integers_in_query_parameters_are_refused(
    store_app: StoreApp,
    role: str,
    path: str,
    param: str,
) -> None:
    params = {"q": "利率"} if path.endswith("search") else {}
    for value in (HUGE, 2**31, 2**63):
        response = store_app.client.get(path, params={**params, param: value}, headers=store_app.headers[role])
        assert response.status_code == 422, response.text
        assert response.json()["error"]["message"].startswith(f"query.{param}: ")


def test_the_largest_allowed_offset_pages_past_the_end(store_app: StoreApp) -> None:
    response = store_app.client.get("/v1/drafts", params={"offset": 1_000_000_000}, headers=store_app.headers["editor"])
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_a_huge_expected_version_is_refused(store_app: StoreApp) -> None:
    editor = store_app.headers["editor"]
    draft = store_app.client.post("/v1/drafts", json={"type": "product_intro", "topic": "测试贷"}, headers=editor)
    assert draft.status_code == 201, draft.text
    url = f"/v1/drafts/{draft.json()['id']}"
    response = store_app.client.patch(url, json={"text": "新文本", "expected_version": HUGE}, headers=editor)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("expected_version: ")


def test_audit_of_refused_requests_is_not_written(store_app: StoreApp) -> None:
    before = _count(store_app, AuditEntry)
    store_app.client.get("/v1/leads", params={"assignee": "\x00"}, headers=store_app.headers["staff"])
    assert _count(store_app, AuditEntry) == before
