"""Audit log: recording, masking and filtered listing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.store import Store


def test_record_and_filters(store: Store) -> None:
    entries = [
        store.audit.record("key:a", "lead.update", "lead-1", request_id="r1", detail={"status": "assigned"}),
        store.audit.record("key:a", "lead.export", None, request_id="r2"),
        store.audit.record("key:b", "lead.update", "lead-2", request_id="r3"),
        store.audit.record("key:b", "draft.approve", "draft-1", request_id="r4"),
        store.audit.record("key:c", "lead.update", "lead-1", request_id="r5"),
    ]
    assert entries[0].detail == {"status": "assigned"} and entries[1].detail == {}

    everything = store.audit.list()
    assert everything.total == 5
    assert [e.id for e in everything.items] == [e.id for e in reversed(entries)]
    assert store.audit.list(actor="key:a").total == 2
    assert store.audit.list(action="lead.update").total == 3
    assert store.audit.list(action="lead.update", target="lead-1").total == 2
    assert [e.id for e in store.audit.list(request_id="r4").items] == [entries[3].id]
    page = store.audit.list(action="lead.update", limit=2, offset=2)
    assert page.total == 3 and [e.id for e in page.items] == [entries[0].id]

    start, end = entries[1].created_at, entries[3].created_at
    window = store.audit.list(created_from=start, created_to=end)
    assert {e.id for e in window.items} == {e.id for e in entries if start <= e.created_at < end}
    assert store.audit.list(created_from=entries[-1].created_at + timedelta(seconds=1)).total == 0


def test_detail_pii_is_masked(store: Store) -> None:
    entry = store.audit.record("key:a", "chat", detail={"message": "电话13800138000", "n": [1, "13912345678"]})
    assert entry.detail == {"message": "电话138****8000", "n": [1, "139****5678"]}
    assert store.audit.list().items[0].detail == entry.detail


def test_bad_paging(store: Store) -> None:
    with pytest.raises(ValueError):
        store.audit.list(limit=0)
