"""OpenAI-compatible `POST /v1/chat/completions` (plain and streaming) and `GET /v1/models`.

The agent keeps the conversation itself: only the last user message is used (system prompts and earlier
turns from the client are ignored, so a client cannot rewrite the agent's rules). The session is a member
session id the server issued (see assistant/service/sessions.py), sent in the `X-Session-Id` header or the
`user` field; a `user` value of another shape (plain OpenAI clients send any string there) is ignored. Without
one a new conversation starts, and its session id is returned in `session_id` and the `X-Session-Id` response
header. A session id with a wrong token is refused (401).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.deps import ChatRateLimit, ServicesDep
from api.errors import COMMON, ApiError, classify, error_body, responses
from api.routes.chat import LLM_ERRORS, ReplyStream, agent_reply, check_message, observe, open_stream
from api.schemas import (
    AGENT_MODEL,
    COMPLETION_EVENT_SCHEMA,
    SESSION_ID_PATTERN,
    CompletionRequest,
    CompletionResponse,
    ModelList,
    sse_response,
)
from assistant.service.sessions import looks_like_credential

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
_CREATED = int(time.time())
_WORD_RE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")
SessionHeader = Annotated[str | None, Header(alias="X-Session-Id", pattern=SESSION_ID_PATTERN, max_length=64)]


def session_for(header: str | None, user: str | None) -> str | None:
    """The header's session id, else the `user` field when it has a session id's shape, else None (new)."""
    if header:
        return header
    return user if looks_like_credential(user) else None


def last_user_message(body: CompletionRequest) -> str:
    for message in reversed(body.messages):
        if message.role != "user":
            continue
        if isinstance(message.content, str):
            return message.content
        if message.content:
            return "".join(part.text or "" for part in message.content if part.type == "text")
    raise ApiError(422, "validation_error", "messages: at least one message with role 'user' is required")


def estimate_tokens(text: str) -> int:
    """Rough token count (one per Chinese character or Latin word); the agent has no tokenizer."""
    return len(_WORD_RE.findall(text))


def _check_model(model: str) -> None:
    if model != AGENT_MODEL:
        raise ApiError(404, "model_not_found", f"model {model!r} does not exist; use {AGENT_MODEL!r}")


def _extras(reply: Any) -> dict[str, Any]:
    data = reply.to_dict()
    return {k: data[k] for k in ("citations", "session_id", "intent", "escalation")}


@router.get("/models", response_model=ModelList, summary="Models served (OpenAI-compatible)")
async def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": AGENT_MODEL, "object": "model", "created": _CREATED, "owned_by": "finassist"}],
    }


@router.post(
    "/chat/completions",
    response_model=CompletionResponse,
    summary="OpenAI-compatible chat completion (set stream=true for SSE chunks)",
    responses={
        200: sse_response(
            "A chat.completion, or with stream=true chat.completion.chunk events", COMPLETION_EVENT_SCHEMA
        ),
        **responses(*COMMON, 401, 404, *LLM_ERRORS),
    },
    dependencies=[ChatRateLimit],
)
async def chat_completions(
    body: CompletionRequest,
    services: ServicesDep,
    request: Request,
    response: Response,
    x_session_id: SessionHeader = None,
) -> Any:
    _check_model(body.model)
    message = last_user_message(body)
    check_message(message, services.settings.max_message_chars)
    session_id = session_for(x_session_id, body.user)
    completion_id = "chatcmpl-" + uuid.uuid4().hex
    if body.stream:
        stream, first = await open_stream(request, session_id, message)
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        chunks = _chunks(stream, first, completion_id, estimate_tokens(message), include_usage)
        headers = {"Cache-Control": "no-store", **({"X-Session-Id": session_id} if session_id else {})}
        return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)
    reply = await agent_reply(request, services.agent, session_id, message)
    observe(reply, "openai")
    response.headers["X-Session-Id"] = reply.session_id
    prompt, completion = estimate_tokens(message), estimate_tokens(reply.answer)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": AGENT_MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.answer}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        **_extras(reply),
    }


def _sse(data: dict[str, Any] | BaseModel | str) -> str:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n"


async def _chunks(
    stream: ReplyStream, first: Any, completion_id: str, prompt_tokens: int, include_usage: bool
) -> AsyncIterator[str]:
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": AGENT_MODEL}
        return _sse({**body, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    item, answer = first, []
    try:
        while item is not None:
            if isinstance(item, str):
                answer.append(item)
                yield chunk({"content": item})
            else:
                observe(item, "openai")
                yield chunk({}, "stop", **_extras(item))
            item = await stream.next()
        if include_usage:
            completion = estimate_tokens("".join(answer))
            usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion}
            base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": AGENT_MODEL}
            yield _sse({**base, "choices": [], "usage": {**usage, "total_tokens": prompt_tokens + completion}})
        yield _sse("[DONE]")
    except Exception as exc:
        stream.done = True
        yield _sse(error_body(*classify(exc)[1:]))
    finally:
        await stream.close()
