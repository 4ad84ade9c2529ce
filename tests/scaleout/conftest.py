"""The scale-out deployment, started once per session: a Chroma server (`chroma run`), PostgreSQL (a throwaway
schema in database `test`), Redis for shared rate limits, and `finassist serve --workers 2` on top.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) must be running; when either is unreachable the tests
skip with the reason, unless the environment variable CI is set: then they fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from tests.api.helpers import bearer
from tests.api.server_process import REPO, ServerProcess, clean_env, run_cli
from tests.support import scaleout
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
    try:
        return scaleout.chroma_command()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


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
    chroma_command()
    root = tmp_path_factory.mktemp("scaleout")
    with scaleout.scaleout_backends(root, user) as backends:
        redis_prefix = f"finassist-test-{backends.run_id}"
        env = clean_env(
            **backends.env(),
            FINASSIST_REDIS_URL=REDIS_URL,
            FINASSIST_REDIS_PREFIX=redis_prefix,
            FINASSIST_CHAT_RATE_LIMIT="100000/minute",
            FINASSIST_TRUSTED_PROXIES="127.0.0.1",  # the tests' X-Forwarded-For stand for a proxy's clients
            FINASSIST_LEAD_RATE_LIMIT=f"{LEAD_LIMIT}/minute",
        )
        server: ServerProcess | None = None
        try:
            data_dir = root / "data"
            ingested = run_cli(["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(data_dir)], env)
            assert ingested.returncode == 0, ingested.stderr
            staff, admin = create_key("staff", data_dir, env), create_key("admin", data_dir, env)
            server = ServerProcess(data_dir, env, workers=2).start()
            scaleout.wait_for_workers(server, 2)
            yield Deployment(server, staff, admin, backends.database_url)
        finally:
            if server is not None:
                server.stop()
            keys = redis.Redis.from_url(REDIS_URL)
            for key in keys.scan_iter(f"{redis_prefix}:*"):
                keys.delete(key)
