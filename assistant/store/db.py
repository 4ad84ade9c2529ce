"""Engines, short transactions and schema creation for SQLite and PostgreSQL.

SQLite: WAL, synchronous=FULL, a 30 s busy timeout, foreign keys on, and SQLAlchemy (not the sqlite3
module) emits BEGIN: write transactions use BEGIN IMMEDIATE so concurrent writers queue on the busy
timeout instead of failing with "database is locked" when a deferred reader tries to upgrade.
PostgreSQL: `postgresql+psycopg://` with pool_pre_ping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

from assistant.store.dbapi import dbapi_transaction
from assistant.store.models import Base, SchemaVersion

# Bump when the schema changes; create_all refuses to run code older than the database.
SCHEMA_VERSION = 2  # 2: conversations.token_hash (member session tokens), turns.request_id
BUSY_TIMEOUT_S = 30
_PG_SCHEMA_LOCK = 7_311_406  # arbitrary advisory-lock key serialising create_all across workers
_BEGIN_OPTION = "sqlite_begin"
_BEGIN_SQL = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN DEFERRED"}


def _normalise_url(url: str | URL) -> URL:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine configured for safe multi-process use of SQLite or PostgreSQL."""
    u = _normalise_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if u.get_backend_name() == "postgresql":
        return create_engine(u, echo=echo, pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {u.render_as_string(hide_password=True)!r}")


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (see _sqlite_on_begin); pragmas run outside a transaction.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted and overwritten content is zeroed in the file, so an erased person's data is not left in
        # free pages (see erasure.py, which also checkpoints the WAL).
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Straight to the driver: exec_driver_sql would fire statement events and build a result for a BEGIN.
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
    conn.connection.driver_connection.execute(_BEGIN_SQL[mode])  # type: ignore[union-attr]


class Transactions:
    """Short transactions: `write()` takes the write lock up front on SQLite, `read()` does not."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._reader = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)
        # SQLite admits one writer at a time. Threads of this process queue on a lock, in order, instead of
        # colliding in SQLite, whose busy handler sleeps in growing steps (tens of ms under load). Other
        # processes still meet the busy timeout. PostgreSQL needs no such lock.
        self._write_lock: AbstractContextManager[Any] = (
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        # What _sqlite_on_begin emits, for the DBAPI transactions (PostgreSQL: the driver's implicit BEGIN).
        sqlite = engine.dialect.name == "sqlite"
        self._begin_write = _BEGIN_SQL["IMMEDIATE"] if sqlite else None
        self._begin_read = _BEGIN_SQL["DEFERRED"] if sqlite else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session inside a transaction committed on exit, rolled back on error."""
        with self._write_lock, self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads only (a deferred transaction on SQLite)."""
        with self._read_sessions.begin() as session:
            yield session

    @contextmanager
    def write_dbapi(self) -> Iterator[PoolProxiedConnection]:
        """`write()` on a pooled DBAPI connection, for the prepared statements of dbapi.py (the chat hot path)."""
        with self._write_lock, dbapi_transaction(self.engine, self._begin_write) as raw:
            yield raw

    @contextmanager
    def read_dbapi(self) -> Iterator[PoolProxiedConnection]:
        """`read()` on a pooled DBAPI connection, for the prepared statements of dbapi.py."""
        with dbapi_transaction(self.engine, self._begin_read) as raw:
            yield raw


def create_all(engine: Engine) -> int:
    """Create missing tables and record the schema version; safe to call from several workers at once."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_SCHEMA_LOCK})")
        Base.metadata.create_all(conn)
        current = conn.scalar(select(func.max(SchemaVersion.version)))
        if current is not None and current > SCHEMA_VERSION:
            raise RuntimeError(f"database schema is version {current}, this code knows {SCHEMA_VERSION}")
        if current is not None and current < 2:
            _add_column(conn, "conversations", "token_hash", "VARCHAR(64)")
            _add_column(conn, "turns", "request_id", "VARCHAR(64)")
        if current is None or current < SCHEMA_VERSION:
            conn.execute(insert(SchemaVersion).values(version=SCHEMA_VERSION, applied_at=datetime.now(UTC)))
        return SCHEMA_VERSION


def _add_column(conn: Connection, table: str, column: str, sql_type: str) -> None:
    """An upgrade step: add a nullable column unless it is there already."""
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
