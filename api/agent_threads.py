"""The threads agent turns run on: a fixed pool per API process, whose size is also the bound on turns at once.

Agent calls block (CPU, database, model endpoint), so the event loop hands them to this pool. A plain
`ThreadPoolExecutor` queues them in C-level locks; anyio's `to_thread.run_sync` with a `CapacityLimiter` queues
them on the event loop instead, and measured about 3 times the CPU per hand-off (130 vs 45 µs with 16 callers
waiting), all of it on the loop every request shares.

Cancellation keeps `to_thread`'s meaning: a call still waiting for a thread is dropped, a call that has started
is waited for (a turn is never abandoned halfway), and the caller sees the cancellation after it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import anyio

T = TypeVar("T")


async def settle(future: Future[T]) -> T:
    """The result of a call submitted to a pool (threads or processes), with `to_thread`'s cancellation: when
    the caller is cancelled, a queued call is dropped and a started one is waited for, shielded."""
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        if not future.cancel() and not future.done():  # started: wait for it, shielded from the cancel
            with anyio.CancelScope(shield=True):
                await asyncio.wait([asyncio.wrap_future(future)])
        raise


class AgentThreads:
    """`await run(func, *args)` runs `func` on one of `size` threads, with the caller's context variables."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("the agent needs at least one thread")
        self.size = size
        self._pool: ThreadPoolExecutor | None = None  # started on first use, again after close()

    async def run(self, func: Callable[..., T], *args: object) -> T:
        context = contextvars.copy_context()  # request id and log context follow the call into the thread
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="agent")
        return await settle(self._pool.submit(context.run, func, *args))

    def close(self) -> None:
        """Drop queued calls and wait for running ones. A later call starts new threads: an app's lifespan can
        run more than once (tests, schemathesis)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
