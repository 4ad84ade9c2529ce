"""Agent fixtures: a fresh SQLite store per test, the shared sample-corpus retriever, pinned clocks."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.llm import ChatModel, OfflineModel
from assistant.llm.reader import Reader
from assistant.service import Agent
from assistant.store import Store, build_store
from knowledge.retriever import HybridRetriever
from tests.support.fixtures import openai_server, openai_settings_env  # noqa: F401

# 2026-12-02 is a Wednesday; Asia/Shanghai is UTC+8.
IN_HOURS = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
EVENING = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)  # 21:30 in Shanghai
SATURDAY = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agent.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = build_store(f"sqlite:///{db_path}")
    yield s
    s.close()


@pytest.fixture
def make_agent(store: Store, semantic_retriever: HybridRetriever, tmp_path: Path) -> Callable[..., Agent]:
    """An agent over the sample corpus; override model, clock, retriever, store or Settings fields."""

    def make(
        model: ChatModel | None = None,
        *,
        clock: datetime = IN_HOURS,
        retriever: HybridRetriever | None = None,
        agent_store: Store | None = None,
        **settings: Any,
    ) -> Agent:
        agent = Agent.from_settings(
            Settings(data_dir=tmp_path, **settings),
            store=agent_store or store,
            retriever=retriever or semantic_retriever,
            model=model
            or OfflineModel(risk_note=False, reader=Reader((retriever or semantic_retriever).index.embedding)),
            clock=lambda: clock,
        )
        return agent

    return make


@pytest.fixture
def agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent()


def table_dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the SQLite database, as stored."""
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}


def tables_containing(db_path: Path, needle: str) -> list[str]:
    """Tables with a cell whose text contains ``needle``."""
    return sorted(t for t, rows in table_dump(db_path).items() if any(needle in str(v) for r in rows for v in r))
