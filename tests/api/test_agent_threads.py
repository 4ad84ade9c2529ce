"""AgentThreads: results, errors and context reach the caller; the pool bounds concurrency; cancellation drops a
queued call and waits for a started one (anyio.to_thread's meaning)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator

import anyio
import pytest

from api.agent_threads import AgentThreads

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


@pytest.fixture
def threads() -> Iterator[AgentThreads]:
    pool = AgentThreads(1)
    yield pool
    pool.close()


async def test_returns_the_result_in_a_pool_thread_with_the_callers_context(threads: AgentThreads) -> None:
    request_id.set("req-7")

    def call(x: int) -> tuple[int, str, str]:
        return x * 2, request_id.get(), threading.current_thread().name

    doubled, seen_id, thread_name = await threads.run(call, 21)
    assert (doubled, seen_id) == (42, "req-7")
    assert thread_name.startswith("agent") and thread_name != threading.current_thread().name


async def test_exceptions_reach_the_caller(threads: AgentThreads) -> None:
    def fail() -> None:
        raise LookupError("no such conversation")

    with pytest.raises(LookupError, match="no such conversation"):
        await threads.run(fail)


async def test_at_most_size_calls_run_at_once() -> None:
    pool = AgentThreads(2)
    lock, running, peak = threading.Lock(), [0], [0]
    gate = threading.Barrier(2, timeout=10)  # the first two calls meet here, so both were running together

    def call(i: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        if i < 2:
            gate.wait()
        with lock:
            running[0] -= 1
        return i

    try:
        assert await asyncio.gather(*(pool.run(call, i) for i in range(8))) == list(range(8))
    finally:
        pool.close()
    assert peak[0] == 2


async def test_a_cancelled_call_still_waiting_for_a_thread_never_runs(threads: AgentThreads) -> None:
    release, ran = threading.Event(), threading.Event()
    busy = asyncio.ensure_future(threads.run(release.wait, 10))
    queued = asyncio.ensure_future(threads.run(ran.set))
    await asyncio.sleep(0.05)
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    release.set()
    assert await busy is True
    await threads.run(lambda: None)  # the pool has moved past the dropped call
    assert not ran.is_set()


async def test_a_started_call_is_waited_for_before_the_cancellation_is_seen(threads: AgentThreads) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def turn() -> None:
        started.set()
        release.wait(10)
        finished.set()

    task = asyncio.ensure_future(threads.run(turn))
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    await asyncio.sleep(0.1)
    assert not task.done()  # still waiting for the turn, not abandoned
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished.is_set()


async def test_an_anyio_deadline_waits_for_a_started_call(threads: AgentThreads) -> None:
    finished = threading.Event()

    def turn() -> None:
        threading.Event().wait(0.3)
        finished.set()

    with anyio.move_on_after(0.05) as scope:
        await threads.run(turn)
    assert scope.cancelled_caught
    assert finished.is_set()  # the scope only exited once the turn had finished


def test_close_waits_for_running_calls_and_a_later_call_starts_new_threads() -> None:
    pool = AgentThreads(1)
    finished = threading.Event()

    async def main() -> None:
        started = threading.Event()

        def turn() -> threading.Thread:
            started.set()
            threading.Event().wait(0.2)
            finished.set()
            return threading.current_thread()

        task = asyncio.ensure_future(pool.run(turn))
        await asyncio.to_thread(started.wait, 10)
        await asyncio.to_thread(pool.close)
        assert finished.is_set()  # close() returned only after the running call
        first_thread = await task
        again = await pool.run(threading.current_thread)
        assert not first_thread.is_alive()  # close() ended the old threads
        assert again is not first_thread and again.is_alive()  # a new pool after the app started again
        pool.close()

    asyncio.run(main())


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        AgentThreads(0)
