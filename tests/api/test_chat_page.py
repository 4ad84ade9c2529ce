"""The member page's HTTP surface: `GET /chat`, its assets, `GET /chat/widget.js`, the consent endpoint, the
frame-ancestors policy and CORS for CHAT_ALLOWED_ORIGINS, and the page's first-load size budget."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.routes.member_page import STATIC
from assistant.config import Settings
from assistant.service.replies import CONSENT_TEXT, FIELD_LABELS
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.api.conftest import make_settings
from tests.api.helpers import assert_error

FIRST_LOAD_BUDGET = 60_000  # bytes of HTML + CSS + JS, uncompressed
ALLOWED = "https://www.example-member.cn"
FOREIGN = "https://evil.example.net"
PAGE_APIS = ("/v1/chat", "/v1/chat/stream", "/v1/chat/consent")


@pytest.fixture
def make_client(
    tmp_path: Path, sample_index: KnowledgeIndex, sample_retriever: HybridRetriever
) -> Iterator[Callable[..., TestClient]]:
    """A client of the app over the hashing-embedded sample index, with Settings overrides."""
    built: list[Services] = []

    def make(**overrides: Any) -> TestClient:
        settings = make_settings(tmp_path / f"data{len(built)}", **overrides)
        store = build_store(settings.resolved_database_url)
        services = build_services(settings, index=sample_index, retriever=sample_retriever, store=store)
        built.append(services)
        return TestClient(create_app(services))

    yield make
    for services in built:
        services.store.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def asset_paths(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(chat/assets/[^"]+)"', html)


def csp(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_the_page_is_public_html_with_its_assets(client: TestClient) -> None:
    page = client.get("/chat")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and "viewport" in page.text
    assets = asset_paths(page.text)
    assert sorted(Path(a).suffix for a in assets) == [".css", ".js"]
    for path in assets:
        response = client.get("/" + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
        again = client.get("/" + path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
    assert_error(client.get("/chat/assets/nothing.js"), 404)


def test_no_third_party_resources_and_no_inner_html() -> None:
    for name in ("index.html", "chat.css", "chat.js"):  # the page names no other host at all
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"https?:|//[a-z0-9]|@import|\burl\(", text), name
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", text), path.name


def test_first_load_is_under_the_budget(client: TestClient) -> None:
    page = client.get("/chat")
    sizes = {"/chat": len(page.content)} | {a: len(client.get("/" + a).content) for a in asset_paths(page.text)}
    total = sum(sizes.values())
    print(f"first load: {total} bytes {sizes}")
    assert total < FIRST_LOAD_BUDGET, sizes


def test_widget_script_is_served(client: TestClient) -> None:
    response = client.get("/chat/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "document.currentScript" in response.text and "iframe" in response.text


def test_consent_endpoint_gives_the_agents_own_text(client: TestClient) -> None:
    body = client.get("/v1/chat/consent").json()
    assert body["text"] == CONSENT_TEXT and body["purpose"]
    assert {f["name"]: f["label"] for f in body["fields"]} == FIELD_LABELS
    assert "/v1/chat/consent" in client.get("/openapi.json").json()["paths"]


def test_the_page_may_only_be_framed_by_itself_by_default(client: TestClient) -> None:
    for path in ("/chat", "/chat/widget.js", "/chat/assets/chat.js"):
        response = client.get(path)
        assert csp(response)["frame-ancestors"] == "frame-ancestors 'self'", path
        assert response.headers["x-content-type-options"] == "nosniff"
    directives = csp(client.get("/chat"))
    assert directives["script-src"] == "script-src 'self'" and directives["connect-src"] == "connect-src 'self'"
    assert "content-security-policy" not in client.get("/healthz").headers  # the page's policy only


def test_allowed_origins_may_frame_the_page(make_client: Callable[..., TestClient]) -> None:
    client = make_client(chat_allowed_origins=f"{ALLOWED}, https://m.example-member.cn:8443/")
    ancestors = csp(client.get("/chat"))["frame-ancestors"]
    assert ancestors == f"frame-ancestors 'self' {ALLOWED} https://m.example-member.cn:8443"


def preflight(client: TestClient, path: str, origin: str) -> Any:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    return client.options(path, headers=headers)


def test_cors_allows_the_configured_origin_on_the_page_endpoints(make_client: Callable[..., TestClient]) -> None:
    client = make_client(chat_allowed_origins=ALLOWED)
    for path in PAGE_APIS:
        response = preflight(client, path, ALLOWED)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in response.headers["access-control-allow-methods"]
    reply = client.post("/v1/chat", json={"message": "你好"}, headers={"Origin": ALLOWED})
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in reply.headers["access-control-expose-headers"].lower()


def test_cors_refuses_other_origins(make_client: Callable[..., TestClient]) -> None:
    client = make_client(chat_allowed_origins=ALLOWED)
    error = assert_error(preflight(client, "/v1/chat/stream", FOREIGN), 400, "cors_refused")
    assert "origin" in error["message"]
    reply = client.post("/v1/chat", json={"message": "你好"}, headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in reply.headers  # the browser keeps the answer from the page
    # Only the page's endpoints speak CORS, even to an allowed origin.
    for path in ("/v1/chat/completions", "/v1/leads"):
        assert "access-control-allow-origin" not in preflight(client, path, ALLOWED).headers


def test_by_default_no_other_origin_gets_cors(client: TestClient) -> None:
    assert_error(preflight(client, "/v1/chat", ALLOWED), 400, "cors_refused")
    reply = client.post("/v1/chat", json={"message": "你好"}, headers={"Origin": ALLOWED})
    assert reply.status_code == 200 and "access-control-allow-origin" not in reply.headers


def test_rate_limited_reply_is_readable_by_an_allowed_origin(make_client: Callable[..., TestClient]) -> None:
    client = make_client(chat_allowed_origins=ALLOWED, chat_rate_limit="1/minute")
    assert client.post("/v1/chat", json={"message": "你好"}).status_code == 200
    limited = client.post("/v1/chat/stream", json={"message": "你好"}, headers={"Origin": ALLOWED})
    assert_error(limited, 429, "rate_limited")
    assert limited.headers["access-control-allow-origin"] == ALLOWED and limited.headers["retry-after"]


@pytest.mark.parametrize(
    "value",
    ["*", "https://*.example.com", "example.com", "ftp://example.com", "https://example.com/chat",
     "https://example.com?x=1", "https://user@example.com", "https://example.com;script-src *",
     "https://exa mple.com", "https://例子.cn", "https://example.com:99999", "null", '["https://a.cn"'],
)  # fmt: skip
def test_malformed_allowed_origins_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="chat_allowed_origins"):
        Settings(chat_allowed_origins=value)


def test_allowed_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINASSIST_CHAT_ALLOWED_ORIGINS", '["https://A.example.cn:443", "http://localhost:8080"]')
    assert Settings().chat_allowed_origins == ["https://a.example.cn", "http://localhost:8080"]
    monkeypatch.setenv("FINASSIST_CHAT_ALLOWED_ORIGINS", "https://a.example.cn, https://a.example.cn/, ")
    assert Settings().chat_allowed_origins == ["https://a.example.cn"]
    monkeypatch.delenv("FINASSIST_CHAT_ALLOWED_ORIGINS")
    assert Settings().chat_allowed_origins == []
