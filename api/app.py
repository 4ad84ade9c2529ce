"""The FastAPI app factory: `create_app(services)`; `cli/` builds the services and may mount the UI."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.agent_processes import AgentProcesses
from api.agent_threads import AgentThreads
from api.deps import AppServices
from api.limits import PeerMiddleware
from api.middleware import ChatCORSMiddleware, PageHeadersMiddleware, RequestContextMiddleware, page_security_headers
from api.routes import (
    analytics,
    audit,
    channels,
    chat,
    completions,
    compliance,
    drafts,
    escalations,
    health,
    keys,
    knowledge,
    leads,
    member_page,
)

log = logging.getLogger(__name__)
ROUTERS = (
    health,
    chat,
    completions,
    channels,
    leads,
    audit,
    keys,
    compliance,
    knowledge,
    analytics,
    drafts,
    escalations,
    member_page,
)
DESCRIPTION = """Member chat (plain, SSE and OpenAI-compatible), the staff lead workflow, audit, compliance and
knowledge endpoints of finassist. Errors are always `{"error": {"code", "message"}}`; every response carries
`X-Request-ID` (send your own to correlate) and `X-Worker-Pid`. Staff endpoints need `Authorization: Bearer
<API key>` with a suitable role (staff, editor, admin)."""


def _built(services: AppServices, part: str) -> bool:
    """Whether the services have built `part` (services without lazy parts have built everything)."""
    built = getattr(type(services), "built", None)
    return built is None or bool(built(services, part))


def _start_warm_up(warm_up: Callable[[], Any] | None) -> threading.Thread | None:
    if warm_up is None:
        return None

    def run() -> None:
        try:
            warm_up()
        except Exception:  # the requests that need it build it again, and report what fails
            log.exception("warm-up failed")

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def create_app(
    services: AppServices,
    *,
    mounts: Sequence[tuple[str, ASGIApp]] = (),
    on_shutdown: Callable[[], Any] | None = None,
    agent_processes: AgentProcesses | None = None,
    warm_up: Callable[[], Any] | None = None,
) -> FastAPI:
    """The API over `services`. `mounts` adds ASGI apps under paths (e.g. the UI); `on_shutdown` runs at exit;
    `agent_processes` runs whole chat replies in worker processes (launched as the app starts; turns run in this
    process until they are up); `warm_up` runs in a thread once the app serves (loading what the first member
    would otherwise wait for: requests meanwhile build what they need themselves, with the same results)."""
    settings = services.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if agent_processes is not None:
            agent_processes.launch()
        warming = _start_warm_up(warm_up)
        yield
        if warming is not None:
            await anyio.to_thread.run_sync(warming.join)  # it reads the stores that close below
        if _built(services, "channels"):
            await services.channels.drain()  # replies still on their way to the platforms' APIs
        if agent_processes is not None:
            await anyio.to_thread.run_sync(agent_processes.close)
        app.state.agent_threads.close()  # running turns finish before the stores close
        if on_shutdown is not None:
            on_shutdown()

    app = FastAPI(title="finassist API", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    app.state.ingest_lock = threading.Lock()
    app.state.agent_threads = AgentThreads(settings.resolved_chat_concurrency)
    app.state.agent_processes = agent_processes
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount(member_page.ASSETS_PATH, member_page.assets(), name="chat-assets")
    for path, sub_app in mounts:
        app.mount(path, sub_app)
    uploads = [(prefix, settings.max_upload_bytes) for prefix in ("/v1/knowledge/documents", "/ui", *dict(mounts))]
    if settings.trusted_proxy_list:  # X-Forwarded-For names the client only when a trusted proxy sent it
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.add_middleware(PeerMiddleware)
    origins = settings.chat_allowed_origins
    app.add_middleware(ChatCORSMiddleware, paths=member_page.PAGE_API_PATHS, allow_origins=origins)
    app.add_middleware(PageHeadersMiddleware, prefix=member_page.PAGE_PATH, headers=page_security_headers(origins))
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, large_bodies=uploads)
    return app
