"""AgentProcesses: whole replies computed by real worker processes over the same stores and data directory."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from api.agent_processes import AgentProcesses
from api.errors import ApiError, classify
from api.metrics import AGENT_WORKER_RESTARTS
from assistant.config import Settings
from assistant.services import Services, build_services
from knowledge.flat_vectors import FILE
from knowledge.ingest import ingest, refresh_search_index
from knowledge.lexical_index import LexicalIndex
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow
QUESTION = "知识产权质押贷款的利率是多少？"


@pytest.fixture(scope="module")
def owner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The server process's side: it owns the data directory (and the embedded Chroma directory)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("agent-processes"), _env_file=None)  # type: ignore[call-arg]
    services = build_services(settings)
    assert ingest(services.index, [CORPUS]).ok
    yield services
    services.close()


@pytest.fixture(scope="module")
def processes(owner: Services) -> Iterator[AgentProcesses]:
    pool = AgentProcesses(owner.settings, 1)
    pool.start()
    yield pool
    pool.close()


def reply(pool: AgentProcesses, session_id: str | None, message: str, in_server: Any = None) -> Any:
    async def not_expected() -> Any:
        raise AssertionError("the turn ran in the server process")

    return asyncio.run(pool.reply(session_id, message, in_server or not_expected))


def test_a_worker_answers_as_the_server_would(owner: Services, processes: AgentProcesses) -> None:
    pids = processes.start()  # already started: the same worker
    assert len(pids) == 1 and os.getpid() not in pids
    remote = reply(processes, "proc-answer-1", QUESTION)
    local = owner.agent.reply("proc-answer-2", QUESTION)
    assert remote.answer == local.answer and remote.citations == local.citations and remote.citations
    assert remote.session_id == "proc-answer-1" and remote.intent == local.intent == "question"


def test_a_conversation_moves_between_worker_and_server(owner: Services, processes: AgentProcesses) -> None:
    session = "proc-moves"
    reply(processes, session, "星火科创信用贷的年化利率是多少？")
    owner.agent.reply(session, "那最多能贷多少？")
    reply(processes, session, "需要什么材料？")
    turns = owner.store.conversations.transcript(session)
    assert [(t.seq, t.role) for t in turns] == [(n + 1, role) for n, role in enumerate(["user", "assistant"] * 3)]
    assert [t.text for t in turns if t.role == "user"][1] == "那最多能贷多少？"


def test_a_failed_turn_is_the_servers_error(owner: Services, processes: AgentProcesses) -> None:
    with pytest.raises(ValueError) as local:
        owner.agent.reply("bad session id!", QUESTION)
    with pytest.raises(ApiError) as remote:
        reply(processes, "bad session id!", QUESTION)
    assert (remote.value.status, remote.value.code, remote.value.message) == classify(local.value)
    assert remote.value.status == 422


def test_a_turn_that_needs_chroma_runs_in_the_server(owner: Services, processes: AgentProcesses) -> None:
    directory = owner.index.lexical.directory
    LexicalIndex.build(owner.index.chunks, directory)  # as an index built before vectors were saved with it
    assert not (directory / FILE).exists()
    calls: list[str] = []

    async def in_server() -> Any:
        calls.append("server")
        return await asyncio.to_thread(owner.agent.reply, "proc-fallback", QUESTION)

    try:
        answer = reply(processes, "proc-fallback", QUESTION, in_server)
        assert calls == ["server"] and answer.citations
        assert len(owner.store.conversations.transcript("proc-fallback")) == 2  # the worker wrote nothing
    finally:
        assert refresh_search_index(owner.index)
    assert reply(processes, "proc-after-refresh", QUESTION).citations


def test_a_killed_worker_is_replaced(processes: AgentProcesses) -> None:
    restarts = AGENT_WORKER_RESTARTS._value.get()
    (pid,) = processes.start()
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    with pytest.raises(ApiError) as stopped:
        reply(processes, "proc-killed", QUESTION)
    assert stopped.value.status == 503 and stopped.value.headers == {"Retry-After": "1"}
    assert reply(processes, "proc-killed", QUESTION).citations  # a new worker answers
    assert processes.start() != {pid}
    assert AGENT_WORKER_RESTARTS._value.get() == restarts + 1  # operators see it on /metrics


def test_close_then_start_again(owner: Services) -> None:
    pool = AgentProcesses(owner.settings, 1)
    first = pool.start()
    pool.close()
    second = pool.start()
    try:
        assert first != second and reply(pool, "proc-restart", QUESTION).citations
    finally:
        pool.close()
    with pytest.raises(RuntimeError, match="start"):
        reply(pool, "proc-closed", QUESTION)


def test_launch_then_start_waits_for_the_launched_workers(owner: Services) -> None:
    pool = AgentProcesses(owner.settings, 1)
    pool.launch()  # serve launches the workers, then warms up and mounts the UI while they build
    pool.launch()  # a second launch starts nothing more
    try:
        pids = pool.start()
        assert len(pids) == 1 and pool.start() == pids  # the same worker, already started
        assert reply(pool, "proc-launched", QUESTION).citations
    finally:
        pool.close()
