"""Store fixtures: every store test runs on SQLite (a tmp file) and on PostgreSQL (a throwaway schema).

PostgreSQL is expected on 127.0.0.1:5432 (trust auth, database `test`, user `postgres` or `root`). When it
is unreachable its params are skipped, unless the environment variable CI is set: then they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistant.store import LeadRecord, Store, build_store
from tests.store.helpers import new_lead
from tests.support.postgres import pg_schema_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A database URL private to this test: a SQLite file, or a fresh PostgreSQL schema dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = build_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def make_lead(store: Store) -> Callable[..., LeadRecord]:
    def make(**fields: Any) -> LeadRecord:
        return new_lead(store, **fields)

    return make
