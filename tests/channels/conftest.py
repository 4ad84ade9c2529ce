"""Channel fixtures: the API served on 127.0.0.1 with both platforms configured, a fake of the platforms'
customer-service APIs, and the platform simulators pointed at the server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from assistant.config import Settings
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.api.live import serve_in_thread
from tests.channels.fake_api import FakePlatformApi
from tests.channels.simulator import OfficialAccountSim, WeComSim, new_aes_key
from tests.store.conftest import db_url  # noqa: F401  (SQLite file or a throwaway PostgreSQL schema)

APP_ID, APP_SECRET, CORP_ID, CORP_SECRET = "wxsimapp0001", "oa-secret", "wwsimcorp0001", "corp-secret"


@dataclass
class Channels:
    url: str
    services: Services
    api: FakePlatformApi
    oa: OfficialAccountSim
    wecom: WeComSim


@pytest.fixture
def fake_api() -> Iterator[tuple[FakePlatformApi, str]]:
    api = FakePlatformApi({APP_ID: APP_SECRET, CORP_ID: CORP_SECRET})
    with serve_in_thread(api.app()) as url:
        yield api, url


@pytest.fixture
def start_channels(
    tmp_path: Path,
    sample_index: KnowledgeIndex,
    sample_retriever: HybridRetriever,
    fake_api: tuple[FakePlatformApi, str],
) -> Iterator[Callable[..., Channels]]:
    """Start the API (settings overrides as keywords; database_url to pick the store); stopped after the test."""
    stack = ExitStack()
    api, api_url = fake_api

    def start(**overrides: Any) -> Channels:
        oa_token, oa_key, wc_token, wc_key = "oa-token", new_aes_key(), "wc-token", new_aes_key()
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": f"sqlite:///{tmp_path / 'channels.db'}",
            "embedding_backend": "hashing",
            "llm_backend": "offline",
            "chat_rate_limit": "off",
            "lead_rate_limit": "off",
            "wechat_app_id": APP_ID,
            "wechat_token": oa_token,
            "wechat_aes_key": oa_key,
            "wechat_app_secret": APP_SECRET,
            "wechat_api_base": api_url,
            "wecom_corp_id": CORP_ID,
            "wecom_token": wc_token,
            "wecom_aes_key": wc_key,
            "wecom_agent_id": 1000002,
            "wecom_secret": CORP_SECRET,
            "wecom_api_base": api_url,
        }
        settings = Settings(**(values | overrides))
        store = build_store(settings.resolved_database_url)
        services = build_services(settings, index=sample_index, retriever=sample_retriever, store=store)
        stack.callback(store.close)
        if services.notifier is not None:
            stack.callback(services.notifier.close)
        url = stack.enter_context(serve_in_thread(create_app(services)))
        oa = OfficialAccountSim(url, APP_ID, oa_token, oa_key)
        wecom = WeComSim(url, CORP_ID, wc_token, wc_key)
        return Channels(url, services, api, oa, wecom)

    yield start
    stack.close()


class CountingAgent:
    """The real agent behind a counter (and an optional delay: a slow model)."""

    def __init__(self, agent: Any, delay: float = 0.0) -> None:
        self.agent = agent
        self.delay = delay
        self.calls: list[tuple[str | None, str]] = []

    def reply(self, session_id: str | None, message: str) -> Any:
        import time

        self.calls.append((session_id, message))
        if self.delay:
            time.sleep(self.delay)
        return self.agent.reply(session_id, message)

    def stream(self, session_id: str | None, message: str) -> Any:
        return self.agent.stream(session_id, message)
