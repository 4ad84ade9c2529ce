"""The HTTP side of rate limits: who the client is (the real peer, or what a trusted proxy says it is) and a
dependency answering 429 with Retry-After. The budgets themselves are the core's (assistant/ratelimit.py)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ApiError
from api.metrics import LIMITER_ERRORS, RATE_LIMITED
from assistant.ratelimit import Decision, RateLimits


class PeerMiddleware:
    """Keeps the connection's own peer address in `scope["state"]["peer"]` before uvicorn's
    ProxyHeadersMiddleware (inside it) replaces `scope["client"]` with what a trusted proxy forwarded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            scope.setdefault("state", {})["peer"] = client[0] if client else None
        await self.app(scope, receive, send)


def client_key(request: Request) -> str:
    """The client's address: the peer, or the address a TRUSTED_PROXIES proxy forwarded for it."""
    return request.client.host if request.client else "unknown"


def peer_address(request: Request) -> str | None:
    """The address of the connection itself, never taken from a header."""
    peer = request.scope.get("state", {}).get("peer")
    if peer is not None:
        return str(peer)
    return request.client.host if request.client else None


def rate_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.services.limits
    if limits.on_error is None:  # a failing Redis shows on /metrics (the core knows no metrics)
        limits.on_error = _count_error
    return limits


def _count_error(_exc: Exception) -> None:
    LIMITER_ERRORS.inc()


def raise_if_refused(decision: Decision, scope: str, limits: RateLimits) -> None:
    if decision.allowed:
        return
    RATE_LIMITED.labels(scope).inc()
    wait = max(1, math.ceil(decision.retry_after))
    rate = limits.rate(scope)
    limit = f" (limit {rate.describe()})" if rate else ""
    raise ApiError(
        429,
        "rate_limited",
        f"too many {scope} requests from this client{limit}; retry in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def rate_limit(scope: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency spending one of the client's hits in `scope`: 429 with Retry-After when exceeded."""

    async def dependency(request: Request) -> None:
        limits = rate_limits(request)
        if limits.rate(scope) is None:
            return
        key = client_key(request)
        decision = await run_in_threadpool(limits.hit, scope, key) if limits.shared else limits.hit(scope, key)
        raise_if_refused(decision, scope, limits)

    return dependency
