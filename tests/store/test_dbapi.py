"""The per-turn hot path (assistant/store/dbapi.py): prepared statements in short DBAPI transactions.

A prepared statement must send exactly what `Connection.execute` would, and what it writes must read back
identically through the ORM and the analytics queries, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from assistant.store import ConflictError, NotFoundError, Store
from assistant.store import conversations as conv_module
from assistant.store.dbapi import Prepared
from assistant.store.models import Turn
from tests.store.helpers import traced_sqlite_store
from tests.support.postgres import PG_DB, PG_HOST, PG_PORT, pg_user

STATE = {"lead_capture": {"step": "phone", "fields": {"name": "李四", "amount": 3_000_000}}, "flags": [True, None, 1.5]}
CITATIONS = [{"doc_id": "a", "title": "贴息政策", "source": "corpus/政策.md", "snippet": "年化利率 3.85%"}]


def _turns(i: int, answered: bool | None = True) -> list[dict[str, Any]]:
    return [
        {"role": "user", "text": f"问题{i}", "intent": "question"},
        {"role": "assistant", "text": f"答复{i}", "answered": answered, "citations": CITATIONS},
    ]


def _plain(value: Any) -> Any:
    """psycopg's Json/Jsonb wrappers have no __eq__: compare what they wrap."""
    return (type(value).__name__, value.obj) if hasattr(value, "obj") else value


def _normalised(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _plain(v) for k, v in params.items()}
    return tuple(_plain(v) for v in params)


def _cases(store: Store) -> list[tuple[Prepared, Any, Any]]:
    """(prepared statement, the Core statement it was built from, parameters) for every per-turn statement."""
    repo, now = store.conversations, datetime.now(UTC)
    update = {"b_id": "p", "b_version": 1, "state": STATE, "version": 2, "updated_at": now}
    turn = {"conversation_id": "p", "seq": 1, "role": "assistant", "text": "答", "intent": None}
    return [
        (repo._get, conv_module._GET, {"b_id": "p"}),
        (repo._version, conv_module._VERSION, {"b_id": "p"}),
        (repo._last_seq, conv_module._LAST_SEQ, {"b_id": "p"}),
        (repo._update_if_version, conv_module._UPDATE_IF_VERSION, {**update, "unanswered_streak": 0}),
        (repo._update_if_version_adding, conv_module._UPDATE_IF_VERSION_ADDING, {**update, "b_add": 1}),
        (
            repo._insert_turns,
            conv_module._INSERT_TURNS,
            [{**turn, "answered": False, "citations": CITATIONS, "created_at": now, "request_id": "req-1"}],
        ),
    ]


def test_prepared_statements_send_what_connection_execute_sends(store: Store) -> None:
    store.conversations.get_or_create("p")
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, many: bool) -> None:
        sent.append((statement, params[0] if many else params))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        for prepared, statement, values in _cases(store):
            single = values[0] if isinstance(values, list) else values
            with store.engine.connect() as conn:
                with conn.begin() as transaction:
                    result = conn.execute(statement, values)
                    expected = [tuple(r) for r in result] if result.returns_rows else []
                    transaction.rollback()
                [(sql, params)] = sent
                sent.clear()
                assert sql == prepared.sql
                assert _normalised(params) == _normalised(prepared.params(single))
                assert expected or isinstance(values, list)  # every statement but the INSERT returns a row
                with conn.begin() as transaction:  # the same rows, converted the same way
                    if expected:
                        assert prepared.first(conn.connection, single) == expected[0]
                    transaction.rollback()
            assert not sent
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)


def test_commit_turn_round_trips_through_the_orm(store: Store) -> None:
    repo = store.conversations
    created = repo.get_or_create("rt", channel="wechat", client_id="c-1")
    before = datetime.now(UTC)
    version = created.version
    for i in range(3):
        record = repo.commit_turn("rt", {**STATE, "i": i}, version, _turns(i))
        assert record.version == version + 1
        version = record.version
        assert record == repo.get("rt") == repo.get_or_create("rt")  # prepared vs ORM reads
    assert record.state == {**STATE, "i": 2} and (record.channel, record.client_id) == ("wechat", "c-1")
    assert record.created_at == created.created_at and record.created_at.tzinfo is UTC
    assert record.updated_at.tzinfo is UTC and before <= record.updated_at <= datetime.now(UTC)

    transcript = repo.transcript("rt")  # ORM
    assert [t.seq for t in transcript] == list(range(1, 7))
    assert [(t.role, t.text, t.intent, t.answered) for t in transcript[:2]] == [
        ("user", "问题0", "question", None),
        ("assistant", "答复0", None, True),
    ]
    assert transcript[0].citations == [] and transcript[1].citations == CITATIONS
    assert all(t.created_at.tzinfo is UTC and before <= t.created_at <= record.updated_at for t in transcript)

    # Analytics filter on created_at: the stored timestamps compare as the ORM's bound values do.
    window = {"created_from": before - timedelta(seconds=1), "created_to": datetime.now(UTC) + timedelta(seconds=1)}
    assert store.analytics.intent_counts(**window) == {"question": 3}
    assert store.analytics.answer_counts(**window) == {"answered": 3, "unanswered": 0}
    assert store.analytics.citation_counts(**window) == {"corpus/政策.md": 3}
    assert store.analytics.intent_counts(created_from=datetime.now(UTC) + timedelta(seconds=1)) == {}

    # The ORM writes, the prepared statements read and write on.
    updated = repo.update_state("rt", {"by": "orm"}, version)
    assert repo.get_or_create("rt") == updated
    assert repo.commit_turn("rt", {"by": "prepared"}, updated.version, _turns(9)).state == {"by": "prepared"}
    assert [t.seq for t in repo.transcript("rt")] == list(range(1, 9))


def test_unanswered_streak_across_commits(store: Store) -> None:
    repo = store.conversations
    version = repo.get_or_create("st").version
    for answers, streak in [([False], 1), ([False, None], 2), ([True, False, False], 2), ([True], 0), ([None], 0)]:
        turns = [{"role": "assistant", "text": "答", "answered": a} for a in answers]
        record = repo.commit_turn("st", {}, version, turns)
        version = record.version
        assert record.unanswered_streak == streak == repo.get("st").unanswered_streak


def test_conflict_and_missing_write_nothing(store: Store) -> None:
    repo = store.conversations
    stale = repo.get_or_create("cf")
    current = repo.commit_turn("cf", {"n": 1}, stale.version, _turns(1))
    with pytest.raises(ConflictError, match=f"is at version {current.version}, not {stale.version}"):
        repo.commit_turn("cf", {"n": 2}, stale.version, _turns(2))
    assert repo.get("cf") == current and len(repo.transcript("cf")) == 2
    with pytest.raises(NotFoundError):
        repo.commit_turn("missing", {}, 1, _turns(1))
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(Turn.conversation_id == "missing")) == 0
    # the connections went back to the pool in a usable state
    assert repo.commit_turn("cf", {"n": 3}, current.version, _turns(3)).version == current.version + 1


def test_concurrent_commits_number_turns_without_gaps(store: Store) -> None:
    repo = store.conversations
    repo.get_or_create("cc")
    barrier = threading.Barrier(6)

    def worker(i: int) -> None:
        barrier.wait()
        for _ in range(20):
            try:
                repo.commit_turn("cc", {"w": i}, repo.get_or_create("cc").version, _turns(i))
                return
            except ConflictError:
                continue
        raise AssertionError("no commit in 20 attempts")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(worker, range(6)))
    assert [t.seq for t in repo.transcript("cc")] == list(range(1, 13))
    assert repo.get("cc").version == 7


def test_sqlite_hot_path_takes_begin_immediate_and_the_write_lock(tmp_path: Any) -> None:
    store, statements = traced_sqlite_store(tmp_path / "h.db")
    version = store.conversations.get_or_create("h").version
    entered = []

    class SpyLock:
        def __enter__(self) -> None:
            entered.append(True)

        def __exit__(self, *exc: object) -> None:
            return None

    store.tx._write_lock = SpyLock()
    statements.clear()
    store.conversations.get_or_create("h")
    assert statements[0] == "BEGIN DEFERRED" and statements[-1] == "COMMIT" and not entered
    statements.clear()
    store.conversations.commit_turn("h", {}, version, _turns(1))
    assert statements[0] == "BEGIN IMMEDIATE" and statements[1].startswith("UPDATE conversations")
    assert statements[-1] == "COMMIT" and entered == [True]
    statements.clear()
    with pytest.raises(ConflictError):
        store.conversations.commit_turn("h", {}, version, _turns(2))
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "ROLLBACK"
    store.close()


def test_errors_are_wrapped_and_roll_back(store: Store) -> None:
    repo = store.conversations
    repo.get_or_create("er")
    row = {"conversation_id": "er", "seq": 1, "role": "user", "text": "x", "intent": None, "answered": None}
    row |= {"citations": [], "created_at": datetime.now(UTC), "request_id": None}
    with pytest.raises(IntegrityError), store.tx.write_dbapi() as raw:
        repo._insert_turns.executemany(raw, [row])
        repo._insert_turns.executemany(raw, [row])  # duplicate (conversation_id, seq)
    assert repo.transcript("er") == []  # the first insert was rolled back
    naive = {"b_id": "er", "b_version": 1, "state": {}, "version": 2, "updated_at": datetime.now(), "b_add": 0}
    with pytest.raises(StatementError) as info, store.tx.write_dbapi() as raw:
        repo._update_if_version_adding.first(raw, naive)
    assert isinstance(info.value.orig, ValueError) and "timezone-aware" in str(info.value)
    assert repo.get("er").version == 1


def test_prepared_refuses_what_it_cannot_run(store: Store) -> None:
    dialect = store.engine.dialect
    with pytest.raises(ValueError, match="takes parameters"):
        Prepared(conv_module._GET, dialect, ["b_id", "extra"])
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("s", String, default=lambda: "x"))
    with pytest.raises(ValueError, match="takes parameters"):  # a Python-side default would need computing
        Prepared(insert(table), dialect, ["id"])
    assert Prepared(insert(table), dialect, ["id", "s"]).columns == []


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_disconnect_invalidates_the_connection(store: Store) -> None:
    assert store.engine.dialect.name == "postgresql"
    repo = store.conversations
    repo.get_or_create("dc")
    user, _ = pg_user()
    with pytest.raises(OperationalError) as info, store.tx.read_dbapi() as raw:
        cursor = raw.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        repo._get.first(raw, {"b_id": "dc"})
    assert info.value.connection_invalidated
    assert repo.get_or_create("dc").id == "dc"  # a fresh connection
