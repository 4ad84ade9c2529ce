"""uvicorn factory for bench/api.py's framework-ceiling run: the real app and services, except that the agent
returns one precomputed reply (a real answer with citations) without retrieving, generating or writing.

`/v1/chat` on this app costs what the HTTP path costs (parsing, validation, the worker-thread hop, metrics,
serialisation): the ceiling of the chat/healthz ratio with an agent that takes no time. Not for production.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from fastapi import FastAPI

from api.app import create_app
from assistant.config import Settings
from assistant.service import ChatReply
from assistant.services import build_services

QUESTION = "安心政担贷的贷款利率是多少？"


class FixedReplyAgent:
    """Answers every message with the same reply (the session id echoed)."""

    def __init__(self, reply: ChatReply) -> None:
        self._reply = reply

    def reply(self, session_id: str | None, message: str, **_origin: str | None) -> ChatReply:
        return replace(self._reply, session_id=session_id or self._reply.session_id)

    def stream(self, session_id: str | None, message: str, **_origin: str | None) -> Iterator[str | ChatReply]:
        yield self.reply(session_id, message)


def app() -> FastAPI:
    services = build_services(Settings())
    services.agent = FixedReplyAgent(services.agent.reply(None, QUESTION))  # type: ignore[assignment]
    return create_app(services, on_shutdown=services.close)
