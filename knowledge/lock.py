"""One writer per data directory: an exclusive, non-blocking advisory lock (released by the OS on crash)."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from types import TracebackType


class WriterBusy(RuntimeError):
    """Another process holds the data directory for writing."""


class WriteLock:
    """`with WriteLock(data_dir):` — fails at once if another process is writing the same directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "write.lock"
        self._fd: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
            os.close(fd)
            raise WriterBusy(
                f"{self.path.parent} is being written by another process ({holder}); "
                "only one writer per data directory is allowed — stop it or use a Chroma server"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {' '.join(os.path.basename(a) for a in sys.argv[:2])}".encode(), 0)
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
