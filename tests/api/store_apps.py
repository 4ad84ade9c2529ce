"""An app over a small private hashing index and a store of either kind, for tests that run on SQLite and
PostgreSQL alike. Import `store_app` into a test module (or conftest)::

    from tests.api.store_apps import store_app  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from tests.api.conftest import make_settings
from tests.api.helpers import ROLES, bearer
from tests.support.postgres import pg_schema_url

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SAMPLE_DOC = "---\ntitle: 测试贷\ncategory: 产品\n---\n# 测试贷\n\n测试贷的年化利率为4.2%，额度最高300万元。\n"


@dataclass
class StoreApp:
    kind: str
    services: Services
    client: TestClient
    headers: dict[str, dict[str, str]]  # role -> Authorization header


def database_url(kind: str, data_dir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'api.db'}"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture(params=STORES, scope="module")
def store_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreApp]:
    """The app on SQLite or on PostgreSQL (a throwaway schema), with one key per role; one per test module, so
    tests compare counts before and after rather than expect an empty store."""
    tmp_path = tmp_path_factory.mktemp("store-app")
    data_dir = tmp_path / "data"
    urls = database_url(request.param, data_dir)
    url = next(urls)
    settings = make_settings(data_dir, database_url=url)
    index = KnowledgeIndex.open(settings.data_dir, HashingEmbedding(64))
    doc = tmp_path / "测试贷.md"
    doc.write_text(SAMPLE_DOC, encoding="utf-8")
    assert ingest(index, [doc]).ok
    services = build_services(settings, index=index, store=build_store(url))
    headers = {role: bearer(services.store.api_keys.create(f"{role}-tester", role)[1]) for role in ROLES}
    try:
        with TestClient(create_app(services)) as client:
            yield StoreApp(request.param, services, client, headers)
    finally:
        services.close()
        urls.close()
