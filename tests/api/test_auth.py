"""Auth on every staff route: missing, malformed, invalid and revoked keys are 401; wrong roles are 403."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import ROUTERS
from api.auth import SCHEME_NAME
from assistant.services import Services
from tests.api.helpers import ROLES, assert_error, bearer

STAFF_OR_ADMIN = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
EDITOR_OR_ADMIN = frozenset({"editor", "admin"})
ANY = frozenset(ROLES)
# The access policy, spelled out: (method, path) → roles admitted.
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/leads"): STAFF_OR_ADMIN,
    ("GET", "/v1/leads/{lead_id}"): STAFF_OR_ADMIN,
    ("PATCH", "/v1/leads/{lead_id}"): STAFF_OR_ADMIN,
    ("POST", "/v1/leads/{lead_id}/notes"): STAFF_OR_ADMIN,
    ("DELETE", "/v1/leads/{lead_id}"): ADMIN,
    ("GET", "/v1/leads/export.csv"): ADMIN,
    ("GET", "/v1/audit"): ADMIN,
    ("GET", "/v1/keys"): ADMIN,
    ("POST", "/v1/keys"): ADMIN,
    ("DELETE", "/v1/keys/{key_id}"): ADMIN,
    ("GET", "/v1/analytics/summary"): STAFF_OR_ADMIN,
    ("GET", "/v1/analytics/overview"): STAFF_OR_ADMIN,
    ("GET", "/v1/analytics/gaps"): STAFF_OR_ADMIN,
    ("POST", "/v1/analytics/gaps/draft"): EDITOR_OR_ADMIN,
    ("GET", "/v1/analytics/freshness"): STAFF_OR_ADMIN,
    ("GET", "/v1/escalations"): STAFF_OR_ADMIN,
    ("POST", "/v1/escalations/{escalation_id}/resolve"): STAFF_OR_ADMIN,
    ("POST", "/v1/compliance/check"): ANY,
    ("GET", "/v1/knowledge/search"): EDITOR_OR_ADMIN,
    ("GET", "/v1/knowledge/status"): EDITOR_OR_ADMIN,
    ("POST", "/v1/knowledge/documents"): EDITOR_OR_ADMIN,
}
# Routers added by other parts of the product, by path prefix.
PREFIX_POLICY = {"/v1/drafts": EDITOR_OR_ADMIN}
SAMPLE_ID = "0" * 32


def allowed_roles(method: str, path: str) -> frozenset[str] | None:
    if (method, path) in POLICY:
        return POLICY[(method, path)]
    return next((roles for prefix, roles in PREFIX_POLICY.items() if path.startswith(prefix)), None)


def secured_operations(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if {SCHEME_NAME: []} in operation.get("security", []):
                found.add((method.upper(), path))
    return found


def _routes_app() -> FastAPI:
    """The app's routes without services (enough for its OpenAPI schema)."""
    app = FastAPI()
    for module in ROUTERS:
        app.include_router(module.router)
    return app


ROUTES = sorted(secured_operations(_routes_app()))


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> object:
    return client.request(method, re.sub(r"\{[^}]+\}", SAMPLE_ID, path), headers=headers)


def test_policy_covers_every_secured_route(app: FastAPI) -> None:
    secured = secured_operations(app)
    assert set(ROUTES) == secured and set(POLICY) <= secured
    assert [op for op in secured if allowed_roles(*op) is None] == []
    schemes = app.openapi()["components"]["securitySchemes"]
    assert schemes[SCHEME_NAME] == {**schemes[SCHEME_NAME], "type": "http", "scheme": "bearer"}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_missing_or_invalid_key_is_401(client: TestClient, services: Services, method: str, path: str) -> None:
    record, revoked = services.store.api_keys.create("gone", "admin")
    services.store.api_keys.revoke(record.id)
    attempts = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        bearer("fa_deadbeef_notarealsecret"),
        bearer("not-even-the-format"),
        bearer(revoked),
    ]
    for headers in attempts:
        response = call(client, method, path, headers)
        assert_error(response, 401, "unauthorized")  # type: ignore[arg-type]
        assert response.headers["WWW-Authenticate"] == "Bearer"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_roles(client: TestClient, headers: dict[str, dict[str, str]], method: str, path: str) -> None:
    for role in ROLES:
        response = call(client, method, path, headers[role])
        if role in (allowed_roles(method, path) or ()):
            assert response.status_code not in (401, 403), (role, response.text)  # type: ignore[attr-defined]
        else:
            assert_error(response, 403, "forbidden")  # type: ignore[arg-type]


def test_member_routes_need_no_key(client: TestClient) -> None:
    assert client.post("/v1/chat", json={"message": "你好"}).status_code == 200
    assert client.get("/v1/models").status_code == 200
    assert client.get("/healthz").status_code == 200
