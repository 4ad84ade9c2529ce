"""Store fixtures: every store test runs on SQLite (a tmp file) and on PostgreSQL (a throwaway schema).

PostgreSQL is expected on 127.0.0.1:5432 (trust auth, database `test`, user `postgres` or `root`). When it
is unreachable its params are skipped, unless the environment variable CI is set: then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from assistant.store import LeadRecord, Store, build_store
from tests.store.helpers import new_lead
from tests.support.postgres import PG_DB, PG_HOST, PG_PORT, pg_user


def require_pg() -> str:
    user, reason = pg_user()
    if user is None:
        message = f"PostgreSQL on {PG_HOST}:{PG_PORT}/{PG_DB} unreachable ({reason})"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set", pytrace=False)
        pytest.skip(message)
    return user


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A database URL private to this test: a SQLite file, or a fresh PostgreSQL schema dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    user = require_pg()
    schema = f"t_{uuid.uuid4().hex}"
    conninfo = {"host": PG_HOST, "port": PG_PORT, "dbname": PG_DB, "user": user}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}")
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


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
