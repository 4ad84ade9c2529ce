"""`finassist serve` in a subprocess on a free 127.0.0.1 port: start, wait until healthy, stop or kill -9."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**overrides: str) -> dict[str, str]:
    """This environment without any FINASSIST_* or proxy settings, plus the overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINASSIST_") and "proxy" not in k.lower()}
    if "FINASSIST_VECTOR_CACHE" in os.environ:  # the run's shared vector cache (tests/conftest.py)
        env["FINASSIST_VECTOR_CACHE"] = os.environ["FINASSIST_VECTOR_CACHE"]
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env | {"ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"} | overrides


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


class ServerProcess:
    """One `finassist serve` process tree, in its own process group so that cleanup reaches every worker."""

    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str],
        *,
        workers: int = 1,
        log: Path | None = None,
        app_factory: str | None = None,
    ) -> None:
        """`app_factory` ("module:function"): run that app under uvicorn instead of `finassist serve` (benchmarks)."""
        self.data_dir = data_dir
        self.env = env
        self.workers = workers
        self.app_factory = app_factory
        self.port = free_port()
        self.log_path = log or data_dir.parent / f"serve-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> ServerProcess:
        args = ["serve", "--port", str(self.port), "--workers", str(self.workers), "--data-dir", str(self.data_dir)]
        command = ["-m", "cli.main", *args]
        env = self.env
        if self.app_factory:
            command = [
                "-m",
                "uvicorn",
                self.app_factory,
                "--factory",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ]
            env = {**env, "FINASSIST_DATA_DIR": str(self.data_dir)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *command],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"finassist serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"finassist serve did not become ready in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill9(self) -> None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would."""
        if self.process is not None:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)  # the group this process leads (start_new_session)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
