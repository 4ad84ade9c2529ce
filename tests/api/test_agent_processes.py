"""AgentProcesses: whole replies computed by real worker processes over the same stores and data directory."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any, cast

import pytest

from api.agent_processes import AgentProcesses
from api.errors import ApiError, classify
from api.metrics import AGENT_WORKER_RESTARTS
from assistant.config import Settings
from assistant.service.sessions import SessionRefused
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
    remote = reply(processes, None, QUESTION)
    local = owner.agent.reply(None, QUESTION)
    assert remote.answer == local.answer and remote.citations == local.citations and remote.citations
    assert remote.session_id != local.session_id and remote.intent == local.intent == "question"
    assert owner.store.conversations.get(remote.conversation_id).token_hash  # the worker issued a real session


def test_a_conversation_moves_between_worker_and_server(owner: Services, processes: AgentProcesses) -> None:
    first = reply(processes, None, "星火科创信用贷的年化利率是多少？")
    session = first.session_id
    owner.agent.reply(session, "那最多能贷多少？")
    reply(processes, session, "需要什么材料？")
    turns = owner.store.conversations.transcript(first.conversation_id)
    assert [(t.seq, t.role) for t in turns] == [(n + 1, role) for n, role in enumerate(["user", "assistant"] * 3)]
    assert [t.text for t in turns if t.role == "user"][1] == "那最多能贷多少？"


def test_a_platform_authenticated_conversation_is_answered_in_a_worker(
    owner: Services, processes: AgentProcesses
) -> None:
    """A channel turn (the platform signed the callback) runs in the worker by its conversation id, no token."""

    async def not_expected() -> Any:
        raise AssertionError("the turn ran in the server process")

    conversation_id = "c0ffee" + "0" * 26  # what ChannelGateway derives from a platform's sender id
    turn = processes.reply(conversation_id, QUESTION, not_expected, client=conversation_id, channel="wecom")
    remote = asyncio.run(turn)
    assert remote.session_id == conversation_id and remote.citations
    record = owner.store.conversations.get(conversation_id)
    assert record.channel == "wecom" and not record.token_hash  # never a member credential for POST /v1/chat
    with pytest.raises(ApiError) as refused:  # the same id from a web client is refused
        reply(processes, conversation_id, QUESTION)
    assert refused.value.status == 401


def test_a_failed_turn_is_the_servers_error(owner: Services, processes: AgentProcesses) -> None:
    with pytest.raises(SessionRefused) as local:
        owner.agent.reply("bad session id!", QUESTION)
    with pytest.raises(ApiError) as remote:
        reply(processes, "bad session id!", QUESTION)
    assert (remote.value.status, remote.value.code, remote.value.message) == classify(local.value)
    assert remote.value.status == 401


def test_a_turn_that_needs_chroma_runs_in_the_server(owner: Services, processes: AgentProcesses) -> None:
    directory = owner.index.lexical.directory
    LexicalIndex.build(owner.index.chunks, directory)  # as an index built before vectors were saved with it
    assert not (directory / FILE).exists()
    calls: list[str] = []

    async def in_server() -> Any:
        calls.append("server")
        return await asyncio.to_thread(owner.agent.reply, None, QUESTION)

    try:
        answer = reply(processes, None, QUESTION, in_server)
        assert calls == ["server"] and answer.citations
        assert len(owner.store.conversations.transcript(answer.conversation_id)) == 2  # the worker wrote nothing
    finally:
        assert refresh_search_index(owner.index)
    assert reply(processes, None, QUESTION).citations


def test_a_killed_worker_is_replaced(processes: AgentProcesses) -> None:
    restarts = AGENT_WORKER_RESTARTS._value.get()
    (pid,) = processes.start()
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    with pytest.raises(ApiError) as stopped:
        reply(processes, None, QUESTION)
    assert stopped.value.status == 503 and stopped.value.headers == {"Retry-After": "1"}
    assert reply(processes, None, QUESTION).citations  # a new worker answers
    assert processes.start() != {pid}
    assert AGENT_WORKER_RESTARTS._value.get() == restarts + 1  # operators see it on /metrics


def test_close_then_start_again(owner: Services) -> None:
    pool = AgentProcesses(owner.settings, 1)
    first = pool.start()
    pool.close()
    second = pool.start()
    try:
        assert first != second and reply(pool, None, QUESTION).citations
    finally:
        pool.close()
    with pytest.raises(RuntimeError, match="start"):
        reply(pool, None, QUESTION)


def test_launch_then_start_waits_for_the_launched_workers(owner: Services) -> None:
    pool = AgentProcesses(owner.settings, 1)
    pool.launch()  # serve launches the workers, then warms up and mounts the UI while they build
    pool.launch()  # a second launch starts nothing more
    try:
        pids = pool.start()
        assert len(pids) == 1 and pool.start() == pids  # the same worker, already started
        assert reply(pool, None, QUESTION).citations
    finally:
        pool.close()


def test_turns_run_in_the_server_until_the_workers_have_started() -> None:
    """`finassist serve` launches its workers without waiting: meanwhile the server answers the turns itself."""
    pool = AgentProcesses(Settings(_env_file=None), 1)  # type: ignore[call-arg]
    starting: Future[int] = Future()
    pool._pool, pool._starting = cast(Any, object()), [starting]  # launched; the worker is building its services

    async def in_server() -> str:
        return "answered by the server"

    assert not pool.started()
    assert asyncio.run(pool.reply(None, QUESTION, in_server)) == "answered by the server"
    starting.set_result(1)
    assert pool.started()
