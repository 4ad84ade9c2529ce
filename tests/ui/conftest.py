"""UI fixtures: real services (sample corpus, offline model, SQLite) on a temp data dir, an editor key, a request
stub for calling handlers directly, and for browser tests the app under uvicorn plus Debian's chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI

from assistant.config import Settings
from assistant.drafting import DraftService
from assistant.llm import OfflineModel
from assistant.services import Services, build_services
from assistant.store import build_store
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever
from tests.conftest import CORPUS, TEST_TODAY
from tests.ui.live import LiveServer
from ui.mount import mount_ui

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EDITOR = "小王"


@dataclass
class UIEnv:
    """The services the UI is built on, plus an editor's plaintext key."""

    services: Services
    editor_key: str
    staff_key: str

    def request(self, name: str = EDITOR) -> SimpleNamespace:
        """What a Gradio handler sees as ``request`` once ``name`` has logged in."""
        return SimpleNamespace(username=name)


def build_env(data_dir: Path) -> tuple[UIEnv, list[Any]]:
    """Real services over a fresh index of the sample corpus (uploads must not leak into other suites' index);
    the drafting clock is pinned like the retriever's."""
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'ui.db'}",
        chroma_host=None,
        redis_url=None,
        llm_backend="offline",
    )
    index = KnowledgeIndex.open(data_dir, HashingEmbedding(settings.embedding_dim))
    report = ingest(index, [CORPUS])
    assert report.ok, report.failed
    retriever = HybridRetriever(index, today=lambda: TEST_TODAY)
    store = build_store(settings.resolved_database_url)
    built = build_services(settings, index=index, retriever=retriever, store=store, chat_model=OfflineModel())
    services = built.replace(drafts=DraftService(retriever, built.chat_model, store, today=lambda: TEST_TODAY))
    editor_key = store.api_keys.create(EDITOR, "editor")[1]
    staff_key = store.api_keys.create("staff-zhao", "staff")[1]
    return UIEnv(services, editor_key, staff_key), [store, index]


@pytest.fixture(scope="module")
def ui_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIEnv]:
    env, closing = build_env(tmp_path_factory.mktemp("ui-data"))
    yield env
    for thing in closing:
        thing.close()


@pytest.fixture(scope="module")
def ui_app(ui_env: UIEnv) -> FastAPI:
    return mount_ui(FastAPI(), ui_env.services)


@pytest.fixture(scope="module")
def live_ui(ui_app: FastAPI) -> Iterator[str]:
    """The UI's URL on a loopback port."""
    with LiveServer(ui_app) as server:
        yield f"{server.url}/ui/"


def chromium_or_skip() -> Path:
    if CHROMIUM.exists() and shutil.which(str(CHROMIUM)):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests need Debian's chromium"
    if os.environ.get("CI"):
        pytest.fail(reason + " — and CI is set, so this is a failure", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()
