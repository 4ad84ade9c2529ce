"""DeferredUI: the app answers while the UI is still being built; a UI request waits for the build and is then
served by the built app; a build that fails answers 503, and the rest of the app is unaffected."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from ui.deferred import Built, DeferredUI


def app_with(deferred: DeferredUI) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        deferred.load_in_background()
        yield
        await deferred.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/ui", deferred)
    return app


def test_requests_wait_for_the_build_and_the_api_does_not() -> None:
    release, events = threading.Event(), []

    async def built_app(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(f"built {scope['path']}")(scope, receive, send)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append("stopped")

    def build() -> Built:
        assert release.wait(30)
        return built_app, lifespan

    deferred = DeferredUI(build)
    with TestClient(app_with(deferred)) as client, ThreadPoolExecutor(1) as pool:
        assert client.get("/healthz").status_code == 200 and not deferred.loaded  # the build is still waiting
        waiting = pool.submit(client.get, "/ui/page")
        assert client.get("/healthz").status_code == 200
        release.set()
        answer = waiting.result(timeout=30)
        assert answer.status_code == 200 and answer.text == "built /ui/page" and deferred.loaded
        assert events == ["started"]  # the built app's lifespan ran before it served
    assert events == ["started", "stopped"]


def test_a_failed_build_answers_503_under_the_path_only() -> None:
    def build() -> Any:
        raise RuntimeError("no UI today")

    with TestClient(app_with(DeferredUI(build))) as client:
        failed = client.get("/ui/")
        assert failed.status_code == 503 and failed.json()["error"]["code"] == "ui_unavailable"
        assert client.get("/healthz").status_code == 200
