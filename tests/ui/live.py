"""Run a FastAPI app with the UI mounted under uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import httpx
import uvicorn
from fastapi import FastAPI

from tests.api.server_process import free_port


class LiveServer:
    """``with LiveServer(app) as server: server.url``: started when entered, stopped when left."""

    def __init__(self, app: FastAPI, *, startup_timeout: float = 30.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="ui-live-server", daemon=True)
        self.startup_timeout = startup_timeout

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.server.started:
                try:
                    if httpx.get(f"{self.url}/ui/", timeout=2).status_code < 500:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the UI server did not start within {self.startup_timeout} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
