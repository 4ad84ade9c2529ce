"""A killed `finassist ingest` leaves no process behind: its pool workers and multiprocessing's resource
tracker exit with it (before: both lived on after kill -9 of the ingest)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from knowledge.ingest import POOL_MIN_FILES
from tests.api.server_process import REPO, clean_env

FILES = POOL_MIN_FILES * 8  # enough that the pool is busy when the ingest is killed


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of every process whose parent is `pid` (read from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_pool_workers_and_tracker_exit_when_ingest_is_killed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(FILES):
        (corpus / f"doc{i:05d}.md").write_text(f"# 文档{i}\n\n第{i}号产品的年化利率为{i % 9 + 1}.5%。\n" * 20)
    env = clean_env(FINASSIST_EMBEDDING_BACKEND="hashing")
    command = [sys.executable, "-m", "cli.main", "ingest", str(corpus), "--data-dir", str(tmp_path / "data")]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        assert _wait(lambda: any("spawn_main" in c for c in _children(process.pid).values()), 120), (
            "the ingest never started its pool"
        )
        children = _children(process.pid)
        assert any("resource_tracker" in c for c in children.values()), children
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert _wait(lambda: not any(_alive(pid) for pid in children), 10), {
            pid: cmd for pid, cmd in children.items() if _alive(pid)
        }
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group of the ingest started here, should any be left
        process.wait()
