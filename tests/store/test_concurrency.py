"""50 concurrent lead creations from threads and from processes: none lost, no "database is locked"."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.store import Store
from tests.store.helpers import create_leads_in_child, new_lead

N = 50


def _assert_all_stored(store: Store, ids: list[str]) -> None:
    assert len(ids) == N and len(set(ids)) == N
    page = store.leads.list(limit=N)
    assert page.total == N and {lead.id for lead in page.items} == set(ids)
    assert len({row["phone"] for row in store.leads.export_rows(include_phone=True)}) == N


def test_threads_create_leads_concurrently(store: Store) -> None:
    barrier = threading.Barrier(N)

    def worker(i: int) -> str:
        barrier.wait()
        return new_lead(store, f"t-{i}", phone=f"1390000{i:04d}").id

    with ThreadPoolExecutor(N) as pool:
        futures = [pool.submit(worker, i) for i in range(N)]
        errors = [repr(f.exception()) for f in futures if f.exception() is not None]
        assert errors == []
        ids = [f.result() for f in futures]
    _assert_all_stored(store, ids)


@pytest.mark.slow
def test_processes_create_leads_concurrently(store: Store, db_url: str) -> None:
    processes, per_process = 5, N // 5
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    children = [
        context.Process(target=create_leads_in_child, args=(db_url, w, per_process, barrier, results))
        for w in range(processes)
    ]
    for child in children:
        child.start()
    try:
        outcomes = [results.get(timeout=180) for _ in children]
    except queue.Empty:
        pytest.fail("a child process did not report within 180 s")
    finally:
        for child in children:
            child.join(timeout=30)
    assert [error for _, _, error in outcomes if error] == []
    assert all(child.exitcode == 0 for child in children)
    _assert_all_stored(store, [lead_id for _, ids, _ in outcomes for lead_id in ids])
