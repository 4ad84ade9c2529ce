"""A real, scriptable OpenAI-compatible HTTP server on 127.0.0.1 for tests.

Speaks ``POST /v1/chat/completions`` (JSON and SSE streaming), ``GET /v1/models`` and
``POST /v1/embeddings`` (deterministic vectors). Tests script it (queued replies, a delay, forced
errors, hangs) and read back every request body it received::

    with OpenAIServer() as server:
        server.enqueue("你好[1]")
        OpenAI(base_url=server.base_url, api_key="test").chat.completions.create(...)
        assert server.chat_requests[0]["messages"][-1]["content"] == ...
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Union

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

Reply = Union[str, dict[str, Any]]  # noqa: UP007
ScriptedReply = Union[Reply, Callable[[dict[str, Any]], Reply]]  # noqa: UP007


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class OpenAIServer:
    """Loopback OpenAI-protocol server run by uvicorn in a background thread.

    Script it with ``enqueue`` (a string is the reply content; a dict may set ``content``, ``status``,
    ``error``, ``finish_reason``, ``usage``; a callable receives the request body), ``delay``,
    ``fail_next`` and ``hang_next``. With an empty queue the reply echoes the last user message.
    """

    def __init__(self, *, models: tuple[str, ...] = ("test-model",), embedding_dim: int = 16) -> None:
        self.models = models
        self.embedding_dim = embedding_dim
        self.stream_chunk_size = 4
        self.max_hang = 30.0
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.reset()

    # ----- scripting -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget requests and script, and release any request that is hanging."""
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self._queue: deque[ScriptedReply] = deque()
            self.delay = 0.0
            self._failures: deque[tuple[int, str]] = deque()
            self._hangs = 0
            self._generation = getattr(self, "_generation", 0) + 1

    def enqueue(self, *replies: ScriptedReply) -> OpenAIServer:
        with self._lock:
            self._queue.extend(replies)
        return self

    def fail_next(self, count: int = 1, status: int = 503, message: str = "forced failure") -> OpenAIServer:
        """The next ``count`` chat/embedding calls answer HTTP ``status`` with an OpenAI error body."""
        with self._lock:
            self._failures.extend([(status, message)] * count)
        return self

    def hang_next(self, count: int = 1) -> OpenAIServer:
        """The next ``count`` calls never answer (until ``reset``/``stop`` or ``max_hang`` seconds)."""
        with self._lock:
            self._hangs += count
        return self

    # ----- inspection ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of every chat-completions request, in arrival order (including failed ones)."""
        return [r.body for r in list(self.requests) if r.path.endswith("/chat/completions")]

    def received_text(self) -> str:
        """Everything the server received, as one string (for 'this never reached the provider' checks)."""
        return "\n".join(json.dumps(r.body, ensure_ascii=False) for r in list(self.requests))

    # ----- lifecycle -------------------------------------------------------------------------------
    def start(self) -> OpenAIServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="openai-test-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.reset()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- HTTP ------------------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    async def _record(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        body = json.loads(raw) if raw else {}
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), body))
        return body

    async def _obstacle(self) -> Response | None:
        """Apply the scripted hang, delay and forced failure, in that order."""
        with self._lock:
            hang, generation = self._hangs > 0, self._generation
            self._hangs -= 1 if hang else 0
            failure = self._failures.popleft() if self._failures else None
            delay = self.delay
        if hang:
            deadline = time.monotonic() + self.max_hang
            while self._generation == generation and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        if delay:
            await asyncio.sleep(delay)
        if self._generation != generation:
            # Released by reset(): the caller is gone; never consume the next test's script.
            return _error(503, "released by reset")
        if failure is not None:
            return _error(*failure)
        return None

    def _next_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            scripted = self._queue.popleft() if self._queue else None
        if scripted is None:
            user = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
            scripted = f"echo: {user[-1] if user else ''}"
        reply = scripted(body) if callable(scripted) else scripted
        return {"content": reply} if isinstance(reply, str) else dict(reply)

    async def _chat(self, request: Request) -> Response:
        body = await self._record(request)
        blocked = await self._obstacle()
        if blocked is not None:
            return blocked
        reply = self._next_reply(body)
        if "status" in reply and reply["status"] >= 400:
            return _error(reply["status"], reply.get("error", "scripted error"))
        model = body.get("model", self.models[0])
        content = str(reply.get("content", ""))
        finish = reply.get("finish_reason", "stop")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(self._sse(model, content, finish, include_usage), media_type="text/event-stream")
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
        usage = reply.get("usage") or _usage(prompt_tokens, len(content))
        return JSONResponse(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                        "logprobs": None,
                    }
                ],
                "usage": usage,
            }
        )

    async def _sse(self, model: str, content: str, finish: str, include_usage: bool) -> AsyncIterator[str]:
        def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
            data = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [] if extra.get("usage") else [choice],
                **extra,
            }
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        size = max(1, self.stream_chunk_size)
        for start in range(0, len(content), size):
            yield chunk({"content": content[start : start + size]})
            await asyncio.sleep(0)
        yield chunk({}, finish)
        if include_usage:
            yield chunk({}, usage=_usage(0, len(content)))
        yield "data: [DONE]\n\n"

    async def _embeddings(self, request: Request) -> Response:
        body = await self._record(request)
        blocked = await self._obstacle()
        if blocked is not None:
            return blocked
        raw = body.get("input", [])
        inputs = [raw] if isinstance(raw, str) or (raw and isinstance(raw[0], int)) else list(raw)
        dim = int(body.get("dimensions") or self.embedding_dim)
        data = []
        for index, item in enumerate(inputs):
            text = item if isinstance(item, str) else json.dumps(item)
            vector = deterministic_vector(text, dim)
            if body.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(str(item)) for item in inputs)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", self.models[0]),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def _models(self, request: Request) -> Response:
        await self._record(request)
        return JSONResponse(
            {
                "object": "list",
                "data": [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in self.models],
            }
        )


def deterministic_vector(text: str, dim: int) -> list[float]:
    """A unit vector derived from sha256 of the text: same text, same vector, across runs."""
    values: list[float] = []
    counter = 0
    while len(values) < dim:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    norm = math.sqrt(sum(v * v for v in values[:dim])) or 1.0
    return [v / norm for v in values[:dim]]


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _error(status: int, message: str) -> JSONResponse:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": None}}, status)
