"""Property-based tests of every operation from the app's own OpenAPI schema (in process, no network).

Checks: no server errors, responses match the declared schemas (error shape included), invalid input is
rejected, and secured operations refuse requests without (or with made-up) credentials.

The schema is loaded at import (schemathesis' lazy fixture loader does not work with pytest 9), from an app
whose services are filled in per test by an autouse fixture: a private one-document index for the module
(uploads generated here must not change the session's sample index) and a fresh store, SQLite or a throwaway
PostgreSQL schema, holding the known key with the admin or the staff role: every operation runs on each store
with each role. FINASSIST_SCHEMATHESIS_EXAMPLES raises the example count for a longer run by hand.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, response_schema_conformance

from api.app import create_app
from api.auth import SCHEME_NAME
from assistant.services import Services, build_services
from assistant.store import build_store
from assistant.store.api_keys import hash_key
from assistant.store.models import ApiKey, new_id, utcnow
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from tests.api.conftest import make_settings
from tests.api.store_apps import database_url

CHECKS = [not_a_server_error, response_schema_conformance, negative_data_rejection, ignored_auth]
MAX_EXAMPLES = int(os.environ.get("FINASSIST_SCHEMATHESIS_EXAMPLES", "4"))
STORES_AND_ROLES = [
    pytest.param((store, role), id=f"{store}-{role}", marks=[pytest.mark.postgres] if store == "postgres" else [])
    for store in ("sqlite", "postgres")
    for role in ("admin", "staff")
]
TEST_PREFIX = "5c4e3a1b"
TEST_KEY = f"fa_{TEST_PREFIX}_schemathesis-key-for-tests-only"


class LazyServices:
    """Settings now, everything else from the services the fixture builds for each test."""

    def __init__(self) -> None:
        self.settings = make_settings(Path(tempfile.gettempdir()) / "finassist-schemathesis-unused")
        self.inner: Services | None = None

    def built(self, name: str) -> bool:
        return self.inner is not None and self.inner.built(name)

    def __getattr__(self, name: str) -> Any:
        if self.inner is None:
            raise RuntimeError("services not built yet")
        return getattr(self.inner, name)


LAZY = LazyServices()
config = schemathesis.Config.from_dict(
    {"auth": {"openapi": {SCHEME_NAME: {"bearer": TEST_KEY}}}, "generation": {"max-examples": MAX_EXAMPLES}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(LAZY), config=config)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def st_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    data_dir = tmp_path_factory.mktemp("st") / "data"
    index = KnowledgeIndex.open(data_dir, HashingEmbedding(64))
    doc = data_dir.parent / "doc.md"
    doc.write_text("---\ntitle: 测试贷\n---\n# 测试贷\n\n测试贷的年化利率为4.2%。\n", encoding="utf-8")
    assert ingest(index, [doc]).ok
    yield index
    index.close()


@pytest.fixture(autouse=True, params=STORES_AND_ROLES)
def built_services(request: pytest.FixtureRequest, tmp_path: Path, st_index: KnowledgeIndex) -> Iterator[Services]:
    store_kind, role = request.param
    urls = database_url(store_kind, tmp_path)
    app_settings = make_settings(st_index.data_dir, database_url=next(urls))
    services = build_services(app_settings, index=st_index, store=build_store(app_settings.resolved_database_url))
    with services.store.tx.write() as session:
        session.add(
            ApiKey(
                id=new_id(),
                name="schemathesis",
                role=role,
                key_hash=hash_key(TEST_KEY),
                prefix=TEST_PREFIX,
                created_at=utcnow(),
            )
        )
    LAZY.inner = services
    yield services
    LAZY.inner = None
    services.store.close()  # not services.close(): the index is the module's
    urls.close()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
