"""Member chat: `POST /v1/chat` (one JSON reply) and `POST /v1/chat/stream` (Server-Sent Events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import anyio
from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from api.agent_processes import AgentProcesses
from api.agent_threads import AgentThreads
from api.deps import ChatRateLimit, ServicesDep
from api.errors import COMMON, ApiError, classify, error_body, responses
from api.metrics import CHAT_REPLIES, ESCALATIONS
from api.schemas import CHAT_EVENT_SCHEMA, ChatRequest, ChatResponse, sse_response

router = APIRouter(prefix="/v1", tags=["chat"])
LLM_ERRORS = (429, 502, 503, 504)


class ChatReplyLike(Protocol):
    session_id: str
    answer: str
    intent: str
    citations: Any
    escalation: Any
    lead_id: str | None

    def to_dict(self) -> dict[str, Any]: ...


class ChatAgent(Protocol):
    """The agent's interface the API relies on (assistant.service.agent.Agent)."""

    def reply(self, session_id: str | None, message: str) -> ChatReplyLike: ...

    def stream(self, session_id: str | None, message: str) -> Iterator[str | ChatReplyLike]: ...


async def in_agent_thread(request: Request, func: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking agent call on the app's agent threads (`resolved_chat_concurrency` per process)."""
    threads: AgentThreads = request.app.state.agent_threads
    return await threads.run(func, *args)


async def agent_reply(request: Request, agent: ChatAgent, session_id: str | None, message: str) -> Any:
    """The agent's whole reply: from the app's agent processes when it has them, else on its agent threads."""
    processes: AgentProcesses | None = request.app.state.agent_processes

    def in_server() -> Awaitable[Any]:
        return in_agent_thread(request, agent.reply, session_id, message)

    if processes is None:
        return await in_server()
    reply = await processes.reply(session_id, message, in_server)
    notifier = request.app.state.services.notifier
    if notifier is not None and (reply.escalation is not None or reply.lead_id is not None):
        notifier.wake()  # a worker process queued the staff notice; this process sends it
    return reply


def check_message(message: str, limit: int) -> None:
    """422 with a clear message when the member's message is over MAX_MESSAGE_CHARS (or blank)."""
    if len(message) > limit:
        raise ApiError(422, "message_too_long", f"the message has {len(message)} characters; at most {limit} allowed")
    if not message.strip():
        raise ApiError(422, "invalid_message", "the message is empty")


def observe(reply: ChatReplyLike, channel: str) -> None:
    CHAT_REPLIES.labels(reply.intent, channel).inc()
    if reply.escalation is not None:
        ESCALATIONS.labels(reply.escalation.type).inc()


class ReplyStream:
    """Pulls a sync agent stream from the threadpool; `close()` finishes it so the turn is always stored."""

    def __init__(self, request: Request, items: Iterator[Any]) -> None:
        self._request = request
        self._items = items
        self.done = False

    async def next(self) -> Any:
        item = await in_agent_thread(self._request, next, self._items, None)
        self.done = item is None
        return item

    async def close(self) -> None:
        # The turn is written after the last delta: a client that hangs up mid-answer still gets it stored.
        with anyio.CancelScope(shield=True):
            while not self.done:
                try:
                    await self.next()
                except Exception:
                    self.done = True


async def open_stream(request: Request, session_id: str | None, message: str) -> tuple[ReplyStream, Any]:
    """Start the agent's stream and take its first item, so invalid input fails before the 200 is sent."""
    agent: ChatAgent = request.app.state.services.agent
    stream = ReplyStream(request, agent.stream(session_id, message))
    first = await stream.next()
    return stream, first


@router.post(
    "/chat",
    response_model=ChatResponse,
    summary="Send a member message and get the agent's answer",
    responses=responses(*COMMON, *LLM_ERRORS),
    dependencies=[ChatRateLimit],
)
async def chat(body: ChatRequest, services: ServicesDep, request: Request) -> dict[str, Any]:
    check_message(body.message, services.settings.max_message_chars)
    reply = await agent_reply(request, services.agent, body.session_id, body.message)
    observe(reply, "web")
    return reply.to_dict()


def _event(name: str, data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


async def _sse_events(stream: ReplyStream, first: Any) -> AsyncIterator[dict[str, str]]:
    item = first
    try:
        while item is not None:
            if isinstance(item, str):
                yield _event("token", {"text": item})
            else:
                observe(item, "web")
                yield _event("final", item.to_dict())
            item = await stream.next()
    except Exception as exc:
        stream.done = True
        yield _event("error", error_body(*classify(exc)[1:]))
    finally:
        await stream.close()


@router.post(
    "/chat/stream",
    summary="Send a member message and stream the answer (SSE)",
    description=(
        "Server-Sent Events: `token` events `{text}` as the answer is produced, then one `final` event with "
        "the same object as `POST /v1/chat` (citations, intent, escalation). A failure after the stream "
        "started arrives as an `error` event `{error: {code, message}}`."
    ),
    response_class=EventSourceResponse,
    responses={
        200: sse_response("Event stream: token events, then one final (or error) event", CHAT_EVENT_SCHEMA),
        **responses(*COMMON, *LLM_ERRORS),
    },
    dependencies=[ChatRateLimit],
)
async def chat_stream(body: ChatRequest, services: ServicesDep, request: Request) -> EventSourceResponse:
    check_message(body.message, services.settings.max_message_chars)
    stream, first = await open_stream(request, body.session_id, body.message)
    return EventSourceResponse(_sse_events(stream, first), ping=15)
