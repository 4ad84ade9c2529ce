"""API fixtures: the app over the sample knowledge index, a fresh SQLite store per test, and keys per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import Settings
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.api.helpers import ROLES, bearer


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": f"sqlite:///{data_dir / 'api.db'}",
        "chroma_host": None,
        "redis_url": None,
        "llm_backend": "offline",
        "chat_rate_limit": "off",
        "lead_rate_limit": "off",
    }
    return Settings(**(values | overrides))


@pytest.fixture
def make_services(
    tmp_path: Path, semantic_index: KnowledgeIndex, semantic_retriever: HybridRetriever
) -> Iterator[Callable[..., Services]]:
    """Build services over the shared sample index with settings overrides; stores are closed after the test."""
    built: list[Services] = []

    def make(**overrides: Any) -> Services:
        data_dir = tmp_path / f"data{len(built)}"
        settings = make_settings(data_dir, **overrides)
        store = build_store(settings.resolved_database_url)
        services = build_services(settings, index=semantic_index, retriever=semantic_retriever, store=store)
        built.append(services)
        return services

    yield make
    for services in built:
        services.store.close()  # not services.close(): the sample index is shared by the session


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


@pytest.fixture
def app(services: Services) -> FastAPI:
    return create_app(services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keys(services: Services) -> dict[str, str]:
    """A plaintext API key per role."""
    return {role: services.store.api_keys.create(f"{role}-tester", role)[1] for role in ROLES}


@pytest.fixture
def headers(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """Authorization headers per role."""
    return {role: bearer(key) for role, key in keys.items()}


from tests.api.store_apps import store_app  # noqa: E402, F401  (the app on SQLite and PostgreSQL)
