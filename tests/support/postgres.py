"""Where the project's PostgreSQL test server is (127.0.0.1:5432, trust auth, database `test`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")


@cache
def pg_user() -> tuple[str | None, str]:
    """The first user that can connect, or None and the reason it failed."""
    errors = []
    for user in PG_USERS:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            return user, ""
        except psycopg.Error as exc:
            errors.append(f"{user}: {str(exc).strip().splitlines()[0]}")
    return None, "; ".join(errors)


def skip_or_fail_without_pg() -> str:
    """The PostgreSQL user to connect as; skips the test when the server is unreachable (fails under CI)."""
    import os

    import pytest

    user, reason = pg_user()
    if user is None:
        message = f"PostgreSQL on {PG_HOST}:{PG_PORT}/{PG_DB} unreachable ({reason})"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set", pytrace=False)
        pytest.skip(message)
    return user


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh PostgreSQL schema in database `test`, dropped on exit."""
    user = skip_or_fail_without_pg()
    schema = f"t_{uuid.uuid4().hex}"
    conninfo = {"host": PG_HOST, "port": PG_PORT, "dbname": PG_DB, "user": user}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
