"""The scale-out backing services, shared by tests/scaleout and bench/api.py: a Chroma server (`chroma run`) in
its own process group, a throwaway PostgreSQL schema in database `test`, and waiting until every
`finassist serve --workers N` worker answers. Plain functions that raise; callers decide to fail or skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from tests.api.server_process import ServerProcess, clean_env, free_port
from tests.support.postgres import PG_DB, PG_HOST, PG_PORT


def chroma_command() -> str:
    """The `chroma` executable shipped with chromadb; RuntimeError if it is missing."""
    found = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(found).exists():
        raise RuntimeError("the `chroma` command (shipped with chromadb) is missing")
    return found


def start_chroma(path: Path, log: Path, timeout: float = 60) -> tuple[subprocess.Popen[bytes], int]:
    """`chroma run` on a free 127.0.0.1 port, storing under `path`, in a new process group; returns once its
    heartbeat answers. Stopped again if it does not come up (or the wait is interrupted)."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [chroma_command(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return process, port
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"chroma run did not answer its heartbeat within {timeout:g} s")
    except BaseException:
        stop_group(process)
        raise


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group `process` leads, SIGKILL it if it has not exited within 15 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def throwaway_schema(user: str, schema: str) -> Iterator[str]:
    """CREATE SCHEMA `schema` in database `test`, yield a SQLAlchemy URL whose connections use it as search_path,
    DROP it (CASCADE) afterwards."""
    with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass(frozen=True)
class Backends:
    """The running Chroma server and PostgreSQL schema of one scale-out deployment."""

    run_id: str
    schema: str
    database_url: str
    chroma_port: int

    def env(self) -> dict[str, str]:
        """The FINASSIST_* settings that point `finassist ingest` / `serve` at these backends."""
        return {
            "FINASSIST_DATABASE_URL": self.database_url,
            "FINASSIST_CHROMA_HOST": "127.0.0.1",
            "FINASSIST_CHROMA_PORT": str(self.chroma_port),
            "FINASSIST_COLLECTION": f"scaleout{self.run_id}",
        }


@contextmanager
def scaleout_backends(root: Path, user: str, prefix: str = "scaleout") -> Iterator[Backends]:
    """A fresh schema `<prefix>_<run id>` and a Chroma server storing under `root`; both removed on exit."""
    run_id = uuid.uuid4().hex[:12]
    schema = f"{prefix}_{run_id}"
    with throwaway_schema(user, schema) as database_url:
        chroma, chroma_port = start_chroma(root / "chroma-server", root / "chroma.log")
        try:
            yield Backends(run_id, schema, database_url, chroma_port)
        finally:
            stop_group(chroma)


def wait_for_workers(server: ServerProcess, count: int, timeout: float = 120) -> set[str]:
    """Until `count` distinct worker pids (X-Worker-Pid) have answered /healthz, one new connection per request (a
    worker may still be starting after the first answers). Returns the pids; RuntimeError on timeout."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    limits = httpx.Limits(max_keepalive_connections=0)
    headers = {"Connection": "close"}
    with httpx.Client(base_url=server.base_url, timeout=60, limits=limits, headers=headers) as client:
        while len(seen) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only workers {seen} answered in {timeout:g} s:\n{server.log_tail()}")
            seen.add(client.get("/healthz").headers["X-Worker-Pid"])
    return seen
