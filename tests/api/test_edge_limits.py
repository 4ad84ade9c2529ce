"""Limits that hold: forwarded headers are honoured only from TRUSTED_PROXIES, and leads are limited per client
whichever way they arrive (the lead form and the chat flow share one budget)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from assistant.services import Services
from tests.api.helpers import APPLY_TURNS, assert_error, chat, lead_form


def _client(services: Services, peer: str = "203.0.113.7") -> TestClient:
    return TestClient(create_app(services), client=(peer, 40000))


def test_forwarded_for_from_an_untrusted_peer_does_not_reset_the_limit(
    make_services: Callable[..., Services],
) -> None:
    with _client(make_services(chat_rate_limit="3/minute")) as client:
        statuses = [chat(client, "你好", headers={"X-Forwarded-For": f"10.9.0.{i}"}).status_code for i in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]


def test_forwarded_for_from_an_untrusted_peer_does_not_reset_the_lead_limit(
    make_services: Callable[..., Services],
) -> None:
    with _client(make_services(lead_rate_limit="2/minute")) as client:
        responses = [
            client.post("/v1/leads", json=lead_form(), headers={"X-Forwarded-For": f"10.9.1.{i}"}) for i in range(4)
        ]
    assert [r.status_code for r in responses] == [201, 201, 429, 429]
    assert_error(responses[-1], 429, "rate_limited")


def test_forwarded_for_from_a_trusted_proxy_names_the_client(make_services: Callable[..., Services]) -> None:
    services = make_services(chat_rate_limit="2/minute", trusted_proxies="10.0.0.0/8, 192.0.2.1")
    with _client(services, peer="10.1.2.3") as client:
        distinct = [chat(client, "你好", headers={"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(1, 5)]
        same = [chat(client, "你好", headers={"X-Forwarded-For": "198.51.100.99, 10.2.0.1"}) for _ in range(3)]
    assert [r.status_code for r in distinct] == [200] * 4
    # the rightmost untrusted address is the client; the trusted hop 10.2.0.1 is skipped
    assert [r.status_code for r in same] == [200, 200, 429]


def test_a_bad_trusted_proxies_setting_is_refused() -> None:
    import pytest

    from assistant.config import Settings

    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")


def _apply(client: TestClient) -> tuple[list[dict[str, object]], str | None]:
    bodies, session = [], None
    for turn in APPLY_TURNS:
        response = chat(client, turn.format(phone="13712345678"), session)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        session = response.json()["session_id"]
    return bodies, session


def test_leads_through_the_chat_flow_are_limited_politely(make_services: Callable[..., Services]) -> None:
    services = make_services(lead_rate_limit="1/minute")
    with _client(services) as client:
        first, _ = _apply(client)
        second, _ = _apply(client)
    assert services.store.leads.list().total == 1
    assert "137****5678" in str(first[-1]["answer"])
    refused = str(second[-1]["answer"])
    assert "稍后" in refused and "137****5678" not in refused


def test_the_lead_form_and_the_chat_flow_share_one_budget(make_services: Callable[..., Services]) -> None:
    services = make_services(lead_rate_limit="1/minute")
    with _client(services) as client:
        assert client.post("/v1/leads", json=lead_form()).status_code == 201
        bodies, _ = _apply(client)
    assert services.store.leads.list().total == 1
    assert "稍后" in str(bodies[-1]["answer"])


def test_chat_flow_leads_from_different_clients_have_their_own_budgets(
    make_services: Callable[..., Services],
) -> None:
    services = make_services(lead_rate_limit="1/minute")
    app = create_app(services)
    for peer in ("203.0.113.8", "203.0.113.9"):
        with TestClient(app, client=(peer, 1)) as client:
            _apply(client)
    assert services.store.leads.list().total == 2
