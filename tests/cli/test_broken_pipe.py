"""A command whose reader goes away (`finassist check … --json | head -c0`) stops quietly, with no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_a_closed_pipe_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("本产品保证100%下款，当天放款，无任何门槛。\n" * 200, encoding="utf-8")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "check", str(post), "--json"],
            cwd=REPO,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 128 + signal.SIGPIPE
