"""`finassist serve` for real (subprocess, SQLite, embedded Chroma): durability under kill -9, 50 concurrent lead
creations, the one-writer rule, and the refusal of multi-worker setups that would corrupt data."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.store import build_store
from cli.main import main
from knowledge.lock import WriteLock
from tests.api.helpers import lead_form
from tests.api.server_process import REPO, ServerProcess, clean_env, run_cli

pytestmark = [pytest.mark.allow_hosts(["127.0.0.1", "::1"]), pytest.mark.slow]


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[ServerProcess]:
    env = clean_env(FINASSIST_LEAD_RATE_LIMIT="off", FINASSIST_CHAT_RATE_LIMIT="off")
    with ServerProcess(tmp_path / "data", env) as server:
        yield server


def test_forwarded_for_is_not_trusted_from_loopback_by_default(tmp_path: Path) -> None:
    """uvicorn alone would trust X-Forwarded-For from 127.0.0.1: a new value per request escaped every limit."""
    env = clean_env(FINASSIST_LEAD_RATE_LIMIT="2/minute", FINASSIST_AGENT_PROCESSES="0")
    with ServerProcess(tmp_path / "data", env) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        statuses = [
            client.post("/v1/leads", json=lead_form(), headers={"X-Forwarded-For": f"10.7.0.{i}"}).status_code
            for i in range(1, 5)
        ]
        assert statuses == [201, 201, 429, 429]
        assert client.get("/metrics").status_code == 200  # loopback peer, no METRICS_TOKEN
    trusted = env | {"FINASSIST_TRUSTED_PROXIES": "127.0.0.1"}
    with ServerProcess(tmp_path / "data2", trusted) as server, httpx.Client(base_url=server.base_url, timeout=30) as c:
        proxied = [
            c.post("/v1/leads", json=lead_form(), headers={"X-Forwarded-For": f"10.7.1.{i}"}).status_code
            for i in range(1, 5)
        ]
        assert proxied == [201] * 4  # behind a trusted proxy each forwarded client has its own budget
        assert c.get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 403


def stored_leads(data_dir: Path) -> dict[str, str | None]:
    store = build_store(Settings(data_dir=data_dir).resolved_database_url)
    try:
        return {r["id"]: r["phone"] for r in store.leads.export_rows(include_phone=True)}
    finally:
        store.close()


def test_a_lead_survives_kill_9_right_after_its_201(sqlite_server: ServerProcess) -> None:
    created = []
    with httpx.Client(base_url=sqlite_server.base_url, timeout=10) as client:
        for i in range(3):
            response = client.post("/v1/leads", json=lead_form(phone=f"1370000{i:04d}"))
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
    sqlite_server.kill9()  # immediately after the last 2xx
    leads = stored_leads(sqlite_server.data_dir)
    assert {i: leads.get(i) for i in created} == {i: f"1370000{n:04d}" for n, i in enumerate(created)}


def test_fifty_concurrent_lead_creations_all_stored(sqlite_server: ServerProcess) -> None:
    n = 50

    def create(i: int) -> httpx.Response:
        # A fresh connection per request from a distinct client address, all at once.
        with httpx.Client(base_url=sqlite_server.base_url, timeout=60) as client:
            headers = {"X-Forwarded-For": f"10.0.{i // 250}.{i % 250 + 1}"}
            return client.post("/v1/leads", json=lead_form(phone=f"1360000{i:04d}"), headers=headers)

    with ThreadPoolExecutor(n) as pool:
        responses = list(pool.map(create, range(n)))
    assert [r.status_code for r in responses] == [201] * n, [r.text for r in responses if r.status_code != 201]
    ids = {r.json()["id"] for r in responses}
    leads = stored_leads(sqlite_server.data_dir)
    assert ids <= set(leads) and len(ids) == n
    assert {leads[i] for i in ids} == {f"1360000{i:04d}" for i in range(n)}
    # The embedded server holds the data directory's write lock for its lifetime: a CLI ingest must wait.
    ingest = run_cli(
        ["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(sqlite_server.data_dir)], sqlite_server.env
    )
    assert ingest.returncode == 2 and "only one writer" in ingest.stderr
    sqlite_server.stop()
    assert "database is locked" not in sqlite_server.log_text()


def test_a_second_writer_on_the_same_data_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "busy"
    with WriteLock(data_dir):
        assert main(["serve", "--data-dir", str(data_dir), "--port", "1"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("finassist: error:") and "only one writer" in error and "\n" not in error


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "FINASSIST_CHROMA_HOST"),
        ({"FINASSIST_CHROMA_HOST": "127.0.0.1"}, "PostgreSQL"),
    ],
)
def test_several_workers_need_a_chroma_server_and_postgresql(tmp_path: Path, env: dict[str, str], reason: str) -> None:
    result = run_cli(["serve", "--workers", "2", "--data-dir", str(tmp_path)], clean_env(**env), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], result.stderr


def test_bad_worker_count_and_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0", "--data-dir", str(tmp_path)]) == 2
    assert main(["serve", "--port", "70000", "--data-dir", str(tmp_path)]) == 2
    assert "--workers" in capsys.readouterr().err


def _agent_workers(pid: int) -> list[int]:
    """The server's agent worker processes (children started by multiprocessing's spawn, not its tracker)."""
    workers = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid and b"spawn_main" in cmdline:
            workers.append(int(entry.name))
    return workers


def test_replies_come_from_an_agent_process_that_is_replaced_when_killed(tmp_path: Path) -> None:
    env = clean_env(FINASSIST_CHAT_RATE_LIMIT="off", FINASSIST_AGENT_PROCESSES="1")
    assert (
        run_cli(["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(tmp_path / "data")], env).returncode
        == 0
    )
    with ServerProcess(tmp_path / "data", env) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        assert server.process is not None
        (worker,) = _agent_workers(server.process.pid)
        first = client.post("/v1/chat", json={"message": "知识产权质押贷款的利率是多少？"})
        assert first.status_code == 200 and first.json()["citations"], first.text
        session = first.json()["session_id"]
        question = {"session_id": session, "message": "知识产权质押贷款的利率是多少？"}
        os.kill(worker, signal.SIGKILL)  # the turn runs there: without it the next reply fails, then recovers
        time.sleep(0.5)
        stopped = client.post("/v1/chat", json=question)
        assert stopped.status_code == 503 and stopped.headers["retry-after"] == "1"
        assert stopped.json()["error"]["code"] == "agent_unavailable"
        again = client.post("/v1/chat", json=question)
        assert again.status_code == 200 and again.json()["answer"] == first.json()["answer"]
        (replacement,) = _agent_workers(server.process.pid)
        assert replacement != worker
        assert "finassist_agent_worker_restarts_total 1.0" in client.get("/metrics").text
        streamed = client.post("/v1/chat/stream", json={**question, "message": "那最多能贷多少？"})
        assert streamed.status_code == 200 and "event: final" in streamed.text  # streams run in the server
        server.stop()
    assert not Path(f"/proc/{replacement}").exists()
    turns = build_store(Settings(data_dir=tmp_path / "data").resolved_database_url)
    try:
        assert (
            len(turns.conversations.transcript(session.split(".")[0])) == 6
        )  # 2 replies and a stream; the 503 wrote nothing
    finally:
        turns.close()


def test_agent_processes_exit_with_a_server_killed_outright(tmp_path: Path) -> None:
    env = clean_env(FINASSIST_AGENT_PROCESSES="1")
    with ServerProcess(tmp_path / "data", env) as server:
        assert server.process is not None
        (worker,) = _agent_workers(server.process.pid)
        os.kill(server.process.pid, signal.SIGKILL)  # the server alone, not its process group
        deadline = time.monotonic() + 10
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(f"/proc/{worker}").exists(), "the agent worker outlived its server"
