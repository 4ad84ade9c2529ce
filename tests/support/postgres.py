"""Where the project's PostgreSQL test server is (127.0.0.1:5432, trust auth, database `test`)."""

from __future__ import annotations

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
