"""One pure-ASGI middleware for every request: request id, worker pid, body cap, metrics, access log, and a
500 in the error shape for anything unhandled (BaseHTTPMiddleware would cost more per request)."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from api.logs import request_id_var
from api.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("api.access")
REQUEST_ID_HEADER = "x-request-id"
WORKER_PID_HEADER = "x-worker-pid"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the cap; an HTTPException so FastAPI's body parsing re-raises it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "mounted" if scope.get("root_path") else "unmatched"


def _mask_ip(host: str) -> str:
    """Drop the host part of an address (an IP can identify a person)."""
    if host.count(".") == 3:
        return host.rsplit(".", 1)[0] + ".x"
    if ":" in host:
        return ":".join(host.split(":")[:3]) + ":x"
    return host


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": payload})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, large_bodies: Sequence[tuple[str, int]] = ()) -> None:
        """`large_bodies`: (path prefix, cap) pairs for endpoints that take files (uploads, the UI)."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.large_bodies = tuple(large_bodies)

    def _limit(self, scope: Scope) -> int:
        path = scope.get("path", "")
        return next((cap for prefix, cap in self.large_bodies if path.startswith(prefix)), self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        incoming = _header(scope, REQUEST_ID_HEADER.encode())
        request_id = incoming if incoming and _REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        extra = [
            (REQUEST_ID_HEADER.encode(), request_id.encode()),
            (WORKER_PID_HEADER.encode(), str(os.getpid()).encode()),
        ]
        state = {"status": 500, "started": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            early = self._early_rejection(scope)
            if early is not None:
                state["status"] = early[0]
                await _send_json(send, early[0], error_body(*early[1:]), extra)
                return
            await self.app(scope, self._capped(receive, self._limit(scope)), send_with_headers)
        except BodyTooLarge as exc:
            if not state["started"]:
                state["status"] = 413
                await _send_json(send, 413, error_body("payload_too_large", str(exc.detail)), extra)
        except Exception:
            log.exception("unhandled error")
            if not state["started"]:
                state["status"] = 500
                message = f"internal error; quote request id {request_id} when reporting it"
                await _send_json(send, 500, error_body("internal_error", message), extra)
        finally:
            self._observe(scope, int(state["status"]), time.perf_counter() - started_at)
            request_id_var.reset(token)

    def _early_rejection(self, scope: Scope) -> tuple[int, str, str] | None:
        declared = _header(scope, b"content-length")
        if declared is None:
            return None
        if not declared.isdigit():
            return 400, "bad_request", "invalid Content-Length header"
        limit = self._limit(scope)
        if int(declared) > limit:
            return 413, "payload_too_large", f"the request body is larger than {limit} bytes"
        return None

    @staticmethod
    def _capped(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return capped_receive

    @staticmethod
    def _observe(scope: Scope, status: int, seconds: float) -> None:
        method, route = scope["method"], _route_label(scope)
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        HTTP_LATENCY.labels(method, route).observe(seconds)
        path = scope.get("path", "")
        level = logging.DEBUG if path in _QUIET_PATHS else logging.INFO
        if log.isEnabledFor(level):
            client = scope.get("client")
            log.log(
                level,
                "%s %s %d",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 2),
                    "client": _mask_ip(client[0]) if client else None,
                },
            )


class _ShapedCORS(CORSMiddleware):
    """Starlette's CORS whose refused preflight answers in the error shape (not plain text)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode() or "Disallowed CORS request"
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return JSONResponse(error_body("cors_refused", reason), status_code=response.status_code, headers=headers)


class ChatCORSMiddleware:
    """CORS for the member page's endpoints only, for CHAT_ALLOWED_ORIGINS (none: same-origin use only; the
    page itself calls them from the app's own origin, which needs no CORS). Other paths get no CORS headers."""

    def __init__(self, app: ASGIApp, paths: Sequence[str], allow_origins: Sequence[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.cors = _ShapedCORS(
            app,
            allow_origins=list(allow_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "") in self.paths:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def page_security_headers(frame_origins: Sequence[str]) -> list[tuple[bytes, bytes]]:
    """The member page's headers: only the app's own scripts, styles and API, and framed only by the app itself
    and CHAT_ALLOWED_ORIGINS (validated origins, so they cannot inject CSP directives)."""
    ancestors = " ".join(["'self'", *frame_origins])
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
    ]


class PageHeadersMiddleware:
    """Adds `headers` to every response under `prefix` (the member page and its assets)."""

    def __init__(self, app: ASGIApp, prefix: str, headers: Sequence[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.prefix = prefix
        self.headers = list(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
