"""Hermetic services for the agent and drafting suites: a fresh SQLite store in the eval workdir, the offline
model, a clock fixed inside working hours on EVAL_DATE, and the context's retriever.

Settings are built from defaults only (no environment, no .env), so a developer's FINASSIST_* variables
cannot change what the evals measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.llm import OfflineModel
from assistant.llm.reader import Reader
from assistant.service import Agent, ChatReply
from assistant.store import Store, build_store

if TYPE_CHECKING:
    from evals.context import EvalContext

SHANGHAI = timedelta(hours=8)
# 11:00 in Asia/Shanghai: inside the default working hours (09:00-18:00) on a weekday.
LOCAL_NOON_ISH = time(11, 0)


def eval_settings(ctx: EvalContext) -> Settings:
    """Default Settings pointing at the eval workdir, read from nothing outside the process."""
    return Settings.model_construct(data_dir=ctx.workdir / "services")


def fixed_clock(day: date) -> datetime:
    """A UTC instant at 11:00 Shanghai time on ``day`` (moved to the next weekday if it is a weekend)."""
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, LOCAL_NOON_ISH, tzinfo=UTC) - SHANGHAI


@dataclass
class EvalServices:
    """What the agent and drafting suites run: one store, one agent, drafting built on first use."""

    ctx: EvalContext
    settings: Settings
    store: Store
    agent: Agent
    now: datetime

    @cached_property
    def drafts(self) -> Any:
        """A DraftService on the same store (imported lazily: drafting is optional for the agent suites)."""
        from assistant.drafting import DraftService

        return DraftService(
            self.ctx.retriever,
            OfflineModel(reader=Reader(self.ctx.index.embedding)),
            self.store,
            today=lambda: self.ctx.today,
        )

    def converse(self, turns: Sequence[str]) -> list[ChatReply]:
        """One fresh conversation: every turn in order, each reply kept."""
        replies: list[ChatReply] = []
        session: str | None = None
        for message in turns:
            reply = self.agent.reply(session, message)
            session = reply.session_id
            replies.append(reply)
        return replies

    def close(self) -> None:
        self.store.close()


def build_eval_services(ctx: EvalContext) -> EvalServices:
    settings = eval_settings(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = build_store(settings.resolved_database_url)
    now = fixed_clock(ctx.today)
    agent = Agent.from_settings(
        settings,
        store=store,
        retriever=ctx.retriever,
        model=OfflineModel(risk_note=False, reader=Reader(ctx.index.embedding)),
        clock=lambda: now,
    )
    return EvalServices(ctx, settings, store, agent, now)
