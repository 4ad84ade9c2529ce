"""The channel callbacks' logic, shared by both platforms (the API route only translates HTTP).

    verify signature → decrypt → parse → claim the message in the store (first delivery only) → text to the
    agent (the same turn as POST /v1/chat) → passive reply when ready within the budget, else "success" now
    and the reply later through the customer-service API

A retried delivery (the platforms retry a MsgId up to three times) never reaches the agent again: it gets
the stored passive reply when there is one (waiting up to the budget while the first delivery runs), else
"success".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio

from assistant.channels.identity import conversation_id, message_key
from assistant.channels.outbound import CustomerService
from assistant.channels.platforms import Inbound, Platform
from assistant.channels.texts import FAILED, NOT_TEXT, TOO_LONG, WELCOME, render_reply
from assistant.privacy import mask_pii
from assistant.service.types import InvalidMessage
from assistant.store import Store
from assistant.store.channels import Delivery

log = logging.getLogger(__name__)
RunTurn = Callable[[str, str], Awaitable[Any]]  # (session id, message) -> the agent's ChatReply
KEEP_MESSAGES = timedelta(days=2)
POLL_SECONDS = 0.05  # the platforms retry within seconds; kept longer only for diagnosis


class NotConfigured(Exception):
    """No credentials for this platform (answer 404)."""


@dataclass(frozen=True)
class Reply:
    body: str
    xml: bool  # a sealed passive reply (else the bare "success"/empty acknowledgement)


class ChannelGateway:
    """Handles the callbacks of the configured platforms; `senders` deliver replies after the budget."""

    def __init__(
        self,
        store: Store,
        platforms: Mapping[str, Platform],
        senders: Mapping[str, CustomerService],
        id_keys: Mapping[str, bytes],
        *,
        budget: float = 4.0,
        max_chars: int = 2000,
    ) -> None:
        self.store = store
        self.platforms = dict(platforms)
        self.senders = dict(senders)
        self.id_keys = dict(id_keys)
        self.budget = budget
        self.max_chars = max_chars
        self._background: set[asyncio.Task[None]] = set()

    def platform(self, name: str) -> Platform:
        found = self.platforms.get(name)
        if found is None:
            raise NotConfigured(name)
        return found

    def verify(self, name: str, query: Mapping[str, str]) -> str:
        """The echostr to answer the platform's URL check with (BadSignature when not ours)."""
        return self.platform(name).verify(query)

    async def receive(self, name: str, query: Mapping[str, str], body: bytes, run_turn: RunTurn) -> Reply:
        platform = self.platform(name)
        inbound = platform.open(query, body)  # BadSignature / BadMessage before anything is stored
        key = message_key(self.id_keys[name], name, inbound.dedupe)
        delivery = await anyio.to_thread.run_sync(self.store.channel_messages.claim, key, name)
        if not delivery.first:
            delivery = await self._settled(key, delivery)
            log.info("%s delivery retried (state %s)", name, delivery.status)
            if delivery.status == "replied" and delivery.reply:
                return Reply(platform.seal(inbound, delivery.reply), True)
            return Reply(platform.success, False)
        if key.startswith("00"):  # now and then (1 in 256), forget old deliveries
            await anyio.to_thread.run_sync(self.store.channel_messages.purge, KEEP_MESSAGES)
        if inbound.kind == "text" and 0 < len(inbound.text.strip()) <= self.max_chars:
            return await self._answer(platform, inbound, key, run_turn)
        text = {"text": TOO_LONG, "subscribe": WELCOME, "other": NOT_TEXT}.get(inbound.kind)
        if text is None:  # other events (unsubscribe, menu clicks, location reports): nothing to say
            self._spawn(self._move(key, "sent"))
            return Reply(platform.success, False)
        self._spawn(self._move(key, "replied", text))
        return Reply(platform.seal(inbound, text), True)

    async def _answer(self, platform: Platform, inbound: Inbound, key: str, run_turn: RunTurn) -> Reply:
        session_id = conversation_id(self.id_keys[inbound.platform], inbound.platform, inbound.sender)
        await anyio.to_thread.run_sync(
            lambda: self.store.conversations.get_or_create(session_id, channel=inbound.platform)
        )
        turn = asyncio.ensure_future(self._turn(run_turn, session_id, inbound.text))
        done, _ = await asyncio.wait({turn}, timeout=self.budget)
        if done:
            text = turn.result()
            # Stored while the reply goes out (a write is a disk sync on SQLite): a retry comes seconds later.
            self._spawn(self._move(key, "replied", text))
            return Reply(platform.seal(inbound, text), True)
        await self._move(key, "deferred")
        self._spawn(self._later(inbound, key, turn))
        return Reply(platform.success, False)

    async def _settled(self, key: str, delivery: Delivery) -> Delivery:
        """A retry that arrives while the first delivery runs waits (up to the budget) for its outcome."""
        deadline = time.monotonic() + self.budget
        while delivery.status == "running" and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            found = await anyio.to_thread.run_sync(lambda: self.store.channel_messages.get(key))
            delivery = found or delivery
        return delivery

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after this response, kept until done (and awaited by `drain` at shutdown)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @staticmethod
    async def _turn(run_turn: RunTurn, session_id: str, text: str) -> str:
        try:
            reply = await run_turn(session_id, text)
        except InvalidMessage:
            return TOO_LONG
        except Exception:
            log.exception("channel turn failed")
            return FAILED
        return render_reply(reply.answer, reply.citations)

    async def _later(self, inbound: Inbound, key: str, turn: asyncio.Future[str]) -> None:
        """Send the reply that missed the passive window through the customer-service API."""
        text = await turn
        sender = self.senders.get(inbound.platform)
        if sender is None:
            log.warning("%s reply missed the passive window and no API secret is set: not delivered", inbound.platform)
            await self._move(key, "failed")
            return
        try:
            await anyio.to_thread.run_sync(sender.send_text, inbound.sender, text)
        except Exception as exc:
            log.warning("%s customer-service send failed: %s", inbound.platform, exc)
            await self._move(key, "failed")
            return
        await self._move(key, "sent")

    async def _move(self, key: str, status: Any, reply: str | None = None) -> None:
        masked = mask_pii(reply) if reply is not None else None
        try:
            await anyio.to_thread.run_sync(lambda: self.store.channel_messages.move(key, status, reply=masked))
        except Exception:  # the member has their answer; a retry would then get "success"
            log.exception("could not record the %s delivery state", status)

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait (up to `timeout`) for replies still being sent (at shutdown)."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=timeout)
