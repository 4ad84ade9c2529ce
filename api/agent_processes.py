"""Agent replies in worker processes, so that a CPU-bound turn does not share the server's interpreter lock.

The offline backend's turn is pure Python (retrieval, extractive answer, compliance guard, store writes). On
the server process's agent threads it holds the one interpreter lock the event loop also needs, and the two
threads' hand-offs make both slower: the same turns cost 1.5-1.8 ms of CPU run one after another in a process
of their own, and 2.0-2.4 ms on the server's agent thread beside 0.8 ms of event-loop work per request
(measured at 16 clients, bench/api.py). In a worker process the turn runs on another core. The workers build
their own services from the server's Settings: the same stores, the same chat model, and the knowledge index
opened without the embedded Chroma directory, which only the server process may open. Searches use the vectors
saved with the BM25 index; a turn that would need Chroma itself (a collection too large for them, or an index
built before they were saved) answers VectorsUnavailable, and the server runs that turn on its own agent
threads instead.

The server starts its workers without waiting for them (`launch`): until every worker has built its services,
turns run on the server's agent threads, so the server answers from its first second and the workers' start
(seconds of imports on another core) delays nothing. `start` waits for them (tests, tools).

Only whole replies run here (`POST /v1/chat`, non-streaming `/v1/chat/completions`); streams stay on the agent
threads: a call to a worker returns one result, and a stream's deltas must reach the client as they are made.
Conversation state lives in the stores, so a conversation may move between the two freely.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from api.agent_threads import settle
from api.errors import ApiError, classify
from api.logs import configure_logging, request_id_var
from api.metrics import AGENT_WORKER_RESTARTS
from assistant.config import Settings
from knowledge.vector_index import VectorsUnavailable

log = logging.getLogger(__name__)

_agent: Any = None  # the agent of this worker process (set by _start_worker)


@dataclass(frozen=True)
class Failure:
    """An error of a turn in a worker, as the server answers it (exceptions need not survive pickling)."""

    status: int
    code: str
    message: str


IN_SERVER = "in-server"  # the turn needs the server process's Chroma client


def _start_worker(settings: Settings, server: int) -> None:
    global _agent
    from assistant.services import build_services, open_knowledge

    # The server stops its workers after their running turns (close()); Ctrl-C or a service manager's SIGTERM to
    # the whole process group must not cut a turn short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # The server's pid comes from the server: one killed while this process was still starting is not our parent
    # any more by the time we get here, and we exit at once.
    threading.Thread(target=_exit_with, args=(server,), name="parent-watch", daemon=True).start()
    configure_logging(settings.log_level)
    # Staff notices are queued here and sent (and counted in /metrics) by the server process.
    services = build_services(settings, index=open_knowledge(settings, embedded_vectors=False), send_notices=False)
    services.agent.warm_up()
    _agent = services.agent


def _exit_with(parent: int) -> None:
    """Exit when the server is gone (killed outright, it cannot stop us; our queue's pipe never reports EOF)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _reply(
    session_id: str | None, message: str, request_id: str | None, client: str | None, channel: str | None = None
) -> Any:
    token = request_id_var.set(request_id)
    try:
        if channel is not None:  # a platform-authenticated member: the conversation id is the platform's
            assert session_id is not None
            return _agent.reply_as(session_id, message, channel=channel, client=client, request_id=request_id)
        return _agent.reply(session_id, message, client=client, request_id=request_id)
    except VectorsUnavailable:
        return IN_SERVER
    except Exception as exc:
        status, code, text = classify(exc)
        if status >= 500:
            log.exception("agent turn failed in worker %s", os.getpid())
        return Failure(status, code, text)
    finally:
        request_id_var.reset(token)


def _worker_pid() -> int:
    time.sleep(0.05)  # long enough that each of a batch of these calls starts its own worker
    return os.getpid()


class AgentProcesses:
    """`await reply(...)` runs the agent's turn in one of `size` worker processes (started by `start()`)."""

    def __init__(self, settings: Settings, size: int) -> None:
        if size < 1:
            raise ValueError("agent processes need at least one worker")
        self.settings = settings
        self.size = size
        self._pool: ProcessPoolExecutor | None = None
        self._starting: list[Future[int]] = []
        self._lock = threading.Lock()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.size,
            mp_context=multiprocessing.get_context("spawn"),  # never fork a process that runs threads
            initializer=_start_worker,
            initargs=(self.settings, os.getpid()),
        )

    def launch(self) -> None:
        """Start every worker without waiting: they build their services while this process goes on and answers
        turns itself (see `started`); `start()` waits for them."""
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool()
            if not self._starting:
                self._starting = [self._pool.submit(_worker_pid) for _ in range(self.size)]

    def start(self) -> set[int]:
        """Start every worker (unless `launch()` did) and wait until each has built its services (seconds).
        Returns their pids."""
        self.launch()
        with self._lock:
            starting, self._starting = self._starting, []
        return {f.result() for f in starting}

    def started(self) -> bool:
        """Whether every launched worker has built its services (or failed to: the pool then reports broken)."""
        with self._lock:
            return all(future.done() for future in self._starting)

    async def reply(
        self,
        session_id: str | None,
        message: str,
        in_server: Callable[[], Awaitable[Any]],
        *,
        client: str | None = None,
        channel: str | None = None,
    ) -> Any:
        """The agent's reply from a worker; `in_server()` when the turn needs the server process itself.
        `client` is the rate-limit key of the member (their lead budget); `channel` marks a conversation id a
        messaging platform authenticated (answered with `Agent.reply_as`). While the workers are still starting,
        `in_server()` answers."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("AgentProcesses.launch() or start() has not run")
        if not self.started():
            return await in_server()
        try:
            future: Future[Any] = pool.submit(_reply, session_id, message, request_id_var.get(), client, channel)
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down by a concurrent restart
            self._restart(pool)
            raise _unavailable() from None
        try:
            result = await settle(future)  # cancelled: a queued turn is dropped, a started one waited for
        except BrokenProcessPool:
            self._restart(pool)
            raise _unavailable() from None
        if result == IN_SERVER:
            return await in_server()
        if isinstance(result, Failure):
            raise ApiError(result.status, result.code, result.message)
        return result

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace a pool whose worker died (killed, out of memory); its new workers start on the next turn."""
        with self._lock:
            if self._pool is not broken:
                return
            log.error("an agent worker process stopped; starting a new pool")
            AGENT_WORKER_RESTARTS.inc()
            self._pool = self._new_pool()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Finish running turns and stop the workers. `start()` may run again (an app's lifespan can)."""
        with self._lock:
            pool, self._pool, self._starting = self._pool, None, []
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _unavailable() -> ApiError:
    message = "the agent's worker process stopped; please try again"
    return ApiError(503, "agent_unavailable", message, {"Retry-After": "1"})
