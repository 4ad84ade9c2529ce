"""Worker processes that die with their parent: on Linux the kernel's PR_SET_PDEATHSIG (SIGKILL when the
parent thread exits), and everywhere a watchdog thread that polls the parent's pid (for a parent killed
before the signal was set, or platforms without prctl)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent(parent_pid: int | None = None) -> None:
    """Make this process exit when `parent_pid` (default: its parent now) is gone. Call first in a worker."""
    watched = parent_pid if parent_pid is not None else os.getppid()
    first_parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        event = threading.Event()
        while _alive(watched) and os.getppid() == first_parent:
            event.wait(WATCH_SECONDS)
        os._exit(1)

    if not _alive(watched):
        os._exit(1)
    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
