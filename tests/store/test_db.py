"""Engine configuration, schema creation and timestamp handling."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text, update

from assistant.store import SCHEMA_VERSION, Store, create_all, make_engine
from assistant.store.db import _normalise_url
from assistant.store.models import SchemaVersion
from tests.store.helpers import traced_sqlite_store


def test_sqlite_pragmas(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_sqlite_writes_begin_immediate_and_reads_deferred(tmp_path: Any) -> None:
    store, statements = traced_sqlite_store(tmp_path / "b.db")

    store.conversations.get_or_create("s1")
    store.conversations.append_turn("s1", "user", "你好")
    store.conversations.transcript("s1")
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert "BEGIN IMMEDIATE" in begins
    assert "BEGIN DEFERRED" in begins
    store.close()


def test_unsupported_url() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://localhost/x")


def test_postgres_url_gets_psycopg_driver() -> None:
    assert _normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert _normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_create_all_is_idempotent_and_records_version(store: Store) -> None:
    assert create_all(store.engine) == SCHEMA_VERSION
    assert store.create_schema() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == 1
    assert store.ping()


def test_create_all_refuses_newer_database(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(SchemaVersion).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="schema is version"):
        create_all(store.engine)


def test_timestamps_are_aware_utc(store: Store) -> None:
    before = datetime.now(UTC)
    conversation = store.conversations.get_or_create("tz")
    again = store.conversations.get("tz")
    for stamp in (conversation.created_at, again.created_at, again.updated_at):
        assert stamp.tzinfo is not None and stamp.utcoffset() == UTC.utcoffset(None)
    assert before <= again.created_at <= datetime.now(UTC)
    assert again.created_at == conversation.created_at


def test_naive_filter_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.leads.list(created_from=datetime(2025, 1, 1))


def test_a_version_1_database_gets_the_session_and_request_id_columns(store: Store) -> None:
    from sqlalchemy import inspect

    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE conversations DROP COLUMN token_hash")
        conn.exec_driver_sql("ALTER TABLE turns DROP COLUMN request_id")
        conn.exec_driver_sql("DELETE FROM schema_version")
        conn.exec_driver_sql("INSERT INTO schema_version (version, applied_at) VALUES (1, CURRENT_TIMESTAMP)")
    assert create_all(store.engine) == SCHEMA_VERSION == 2
    columns = {t: {c["name"] for c in inspect(store.engine).get_columns(t)} for t in ("conversations", "turns")}
    assert "token_hash" in columns["conversations"] and "request_id" in columns["turns"]
    assert create_all(store.engine) == 2  # idempotent
