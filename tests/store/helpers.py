"""Helpers shared by the store tests and their child processes (keep imports light: no pytest here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from assistant.store import LeadRecord, Store, build_store

PHONE = "13800138000"


def traced_sqlite_store(path: Path) -> tuple[Store, list[str]]:
    """A SQLite store at `path` and the list every statement SQLite itself receives is appended to."""
    store = build_store(f"sqlite:///{path}")
    statements: list[str] = []

    @event.listens_for(store.engine, "connect")
    def trace(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_trace_callback(statements.append)

    store.engine.dispose()  # connections made from now on are traced
    return store, statements


def new_lead(store: Store, session_id: str | None = None, **fields: Any) -> LeadRecord:
    """A conversation, a granted consent and a lead from it."""
    conversation = store.conversations.get_or_create(session_id)
    consent = store.consents.record(conversation.id, purpose="lead_capture", granted=True, text="同意客户经理联系我")
    values: dict[str, Any] = {"name": "张三", "company": "某某科技", "phone": PHONE, "amount": 3_000_000}
    values.update(fields)
    return store.leads.create(conversation_id=conversation.id, consent_id=consent.id, **values)


def create_leads_in_child(url: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """Child-process body: wait for every sibling, create `count` leads, put (worker, ids or error)."""
    store = build_store(url, create_schema=False)
    try:
        barrier.wait(timeout=120)
        ids = [new_lead(store, f"p{worker}-{i}", phone=f"139{worker:04d}{i:04d}").id for i in range(count)]
        results.put((worker, ids, None))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((worker, [], f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()
