"""The editors' UI for a server that answers before Gradio is loaded (called from ``cli/serve``)::

from ui.deferred import mount_ui_deferred
app = mount_ui_deferred(create_app(services), services)

Importing Gradio and building the Blocks costs seconds of CPU (~5 s on these machines, most of what `finassist
serve` spent before it answered). ``mount_ui_deferred`` puts our login page and its gate on the app at once
(they need no Gradio) and, at the path, a ``DeferredUI`` that the server's start builds in the background:
Gradio imported, the Blocks made, Gradio's start-up events run. A request under the path meanwhile waits for
that and is then served by Gradio exactly as if Gradio had been mounted from the start; the API (and /readyz,
which checks the stores) answers meanwhile. The eager ``ui.mount.mount_ui`` stays for tests and embedding.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.auth import EditorAuth
from ui.login import guard_ui

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ui.app import UIServices

log = logging.getLogger(__name__)
Built = tuple[ASGIApp, Callable[[], AbstractAsyncContextManager[Any]]]


class DeferredUI:
    """An ASGI app whose real app is built on first need: by ``load_in_background()`` (the server's start) or
    by the first request. ``build`` runs in a worker thread and returns the app and its lifespan (entered on
    the event loop before the app serves; left by ``close()``)."""

    def __init__(self, build: Callable[[], Built]) -> None:
        self._build = build
        self._task: asyncio.Task[None] | None = None
        self._app: ASGIApp | None = None
        self._lifespan: AbstractAsyncContextManager[Any] | None = None

    @property
    def loaded(self) -> bool:
        return self._app is not None

    def load_in_background(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        try:
            app, lifespan = await _in_daemon_thread(self._build)
            context = lifespan()
            await context.__aenter__()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the editors' UI could not be built")
            return
        self._lifespan, self._app = context, app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self.load_in_background()
            assert self._task is not None
            await asyncio.shield(self._task)  # a client that gives up does not cut the build short
        if self._app is None:
            response = JSONResponse(
                {"error": {"code": "ui_unavailable", "message": "the editors' UI failed to load; see the server log"}},
                status_code=503,
            )
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)

    async def close(self) -> None:
        """Leave the built app's lifespan; a build still under way is abandoned (its thread dies with the process)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._lifespan is not None:
            context, self._lifespan = self._lifespan, None
            await context.__aexit__(None, None, None)


async def _in_daemon_thread(func: Callable[[], Built]) -> Built:
    """func() in a daemon thread of its own: unlike the event loop's worker threads, it never holds up the
    process's exit (a server stopped while Gradio is still importing stops at once)."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[Built] = loop.create_future()

    def settle(outcome: Built | None, error: BaseException | None) -> None:
        if result.done():
            return
        if error is not None:
            result.set_exception(error)
        else:
            result.set_result(outcome)  # type: ignore[arg-type]

    def run() -> None:
        try:
            outcome, error = func(), None
        except BaseException as exc:  # handed to the awaiting task, which logs it
            outcome, error = None, exc
        with suppress(RuntimeError):  # the loop closed meanwhile: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome, error)

    threading.Thread(target=run, name="ui-build", daemon=True).start()
    return await result


def build_gradio(services: UIServices, auth: EditorAuth, path: str) -> Built:
    """Gradio's app for the editors' UI at ``path``, as ``gr.mount_gradio_app`` makes it, with its lifespan."""
    import gradio as gr
    from fastapi import FastAPI

    from ui.mount import gradio_arguments

    blocks, options = gradio_arguments(services, auth)
    holder = FastAPI()  # gr.mount_gradio_app mounts on an app and makes that app's lifespan run Gradio's start
    gr.mount_gradio_app(holder, blocks, path=path, **options)
    mounted = next(route.app for route in holder.routes if isinstance(route, Mount) and route.path == path)
    return mounted, partial(holder.router.lifespan_context, holder)


def mount_ui_deferred(app: FastAPI, services: UIServices, path: str = "/ui") -> FastAPI:
    """Our login and gate on ``app`` now; Gradio at ``path`` built in the background once the app starts."""
    auth = guard_ui(app, services.store.api_keys, path)
    deferred = DeferredUI(partial(build_gradio, services, auth, path))
    app.mount(path, deferred)
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(instance: Any) -> AsyncIterator[Any]:
        async with outer(instance) as state:
            deferred.load_in_background()
            try:
                yield state
            finally:
                await deferred.close()

    app.router.lifespan_context = lifespan
    return app
