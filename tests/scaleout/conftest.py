"""The scale-out deployment, started once per session: a Chroma server (`chroma run`), PostgreSQL (a throwaway
schema in database `test`), Redis for shared rate limits, and `finassist serve --workers 2` on top.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) must be running; when either is unreachable the tests
skip with the reason, unless the environment variable CI is set: then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from tests.api.helpers import bearer
from tests.api.server_process import REPO, ServerProcess, clean_env, free_port, run_cli
from tests.support.postgres import PG_DB, PG_HOST, PG_PORT, pg_user

REDIS_URL = "redis://127.0.0.1:6379/0"
LEAD_LIMIT = 5  # per client per minute in the deployment, to prove the limit is shared by the workers


def unavailable(message: str) -> None:
    hint = " (restart: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)"
    if os.environ.get("CI"):
        pytest.fail(f"{message} and CI is set{hint if 'PostgreSQL' in message else ''}", pytrace=False)
    pytest.skip(message)


def require_services() -> str:
    user, reason = pg_user()
    if user is None:
        unavailable(f"PostgreSQL on {PG_HOST}:{PG_PORT}/{PG_DB} unreachable ({reason})")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} unreachable ({exc})")
    assert user is not None
    return user


def chroma_command() -> str:
    found = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(found).exists():
        pytest.fail("the `chroma` command (shipped with chromadb) is missing", pytrace=False)
    return found


@dataclass
class Deployment:
    server: ServerProcess
    staff: dict[str, str]
    admin: dict[str, str]
    database_url: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def client(self, **kwargs: object) -> httpx.Client:
        """A client that opens a new connection per request, so requests spread over the workers."""
        limits = httpx.Limits(max_keepalive_connections=0)
        return httpx.Client(
            base_url=self.base_url, timeout=60, limits=limits, headers={"Connection": "close"}, **kwargs
        )  # type: ignore[arg-type]


def wait_for_workers(deployment: Deployment, count: int, timeout: float = 120) -> None:
    """Until `count` distinct worker pids have answered (a worker may still be starting after the first)."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    with deployment.client() as client:
        while len(seen) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only workers {seen} answered in {timeout} s:\n{deployment.server.log_tail()}")
            seen.add(client.get("/healthz").headers["X-Worker-Pid"])


def start_chroma(path: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [chroma_command(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                return process, port
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_group(process)
    raise RuntimeError("chroma run did not answer its heartbeat within 60 s")


def stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def create_key(role: str, data_dir: Path, env: dict[str, str]) -> dict[str, str]:
    result = run_cli(
        ["keys", "create", "--role", role, "--name", f"scaleout-{role}", "--json", "--data-dir", str(data_dir)], env
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["role"] == role
    return bearer(created["key"])


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    user = require_services()
    root = tmp_path_factory.mktemp("scaleout")
    run_id = uuid.uuid4().hex[:12]
    schema = f"scaleout_{run_id}"
    conninfo = {"host": PG_HOST, "port": PG_PORT, "dbname": PG_DB, "user": user}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    database_url = f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"
    chroma, chroma_port = start_chroma(root / "chroma-server", root / "chroma.log")
    server: ServerProcess | None = None
    env = clean_env(
        FINASSIST_DATABASE_URL=database_url,
        FINASSIST_CHROMA_HOST="127.0.0.1",
        FINASSIST_CHROMA_PORT=str(chroma_port),
        FINASSIST_COLLECTION=f"scaleout{run_id}",
        FINASSIST_REDIS_URL=REDIS_URL,
        FINASSIST_REDIS_PREFIX=f"finassist-test-{run_id}",
        FINASSIST_CHAT_RATE_LIMIT="100000/minute",
        FINASSIST_LEAD_RATE_LIMIT=f"{LEAD_LIMIT}/minute",
    )
    try:
        data_dir = root / "data"
        ingested = run_cli(["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(data_dir)], env)
        assert ingested.returncode == 0, ingested.stderr
        staff, admin = create_key("staff", data_dir, env), create_key("admin", data_dir, env)
        server = ServerProcess(data_dir, env, workers=2).start()
        deployment = Deployment(server, staff, admin, database_url)
        wait_for_workers(deployment, 2)
        yield deployment
    finally:
        if server is not None:
            server.stop()
        stop_group(chroma)
        keys = redis.Redis.from_url(REDIS_URL)
        for key in keys.scan_iter(f"finassist-test-{run_id}:*"):
            keys.delete(key)
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
