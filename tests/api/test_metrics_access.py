"""/metrics is not public: a bearer METRICS_TOKEN when set, else loopback peers only (never forwarded headers)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from assistant.services import Services
from tests.api.helpers import assert_error


def test_metrics_without_a_token_answer_only_loopback_peers(make_services: Callable[..., Services]) -> None:
    app = create_app(make_services())
    with TestClient(app, client=("203.0.113.5", 1)) as remote:
        assert_error(remote.get("/metrics"), 403, "forbidden")
        assert_error(remote.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}), 403, "forbidden")
    for peer in ("127.0.0.1", "::1"):
        with TestClient(app, client=(peer, 1)) as local:
            assert local.get("/metrics").status_code == 200


def test_metrics_through_a_trusted_proxy_are_not_loopback(make_services: Callable[..., Services]) -> None:
    app = create_app(make_services(trusted_proxies="127.0.0.1"))
    with TestClient(app, client=("127.0.0.1", 1)) as proxied:
        assert_error(proxied.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"}), 403, "forbidden")
        assert proxied.get("/metrics").status_code == 200


def test_metrics_with_a_token_need_the_bearer(make_services: Callable[..., Services]) -> None:
    app = create_app(make_services(metrics_token="s3cret-scrape-token"))
    with TestClient(app, client=("127.0.0.1", 1)) as local:
        assert_error(local.get("/metrics"), 403, "forbidden")
        assert_error(local.get("/metrics", headers={"Authorization": "Bearer wrong"}), 403, "forbidden")
    with TestClient(app, client=("203.0.113.5", 1)) as remote:
        response = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
        assert response.status_code == 200 and "finassist_http_requests_total" in response.text
