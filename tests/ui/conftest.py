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
ADMIN = "admin-li"
STAFF = "staff-zhao"


@dataclass
class UIEnv:
    """The services the UI is built on, plus the plaintext keys of an editor, a staff member and an admin."""

    services: Services
    editor_key: str
    staff_key: str
    admin_key: str
    key_ids: dict[str, str]  # key name → key id

    def request(self, name: str = EDITOR) -> SimpleNamespace:
        """What a Gradio handler sees as ``request`` once the key named ``name`` has logged in (Gradio's user name
        is the key's id; an unknown name stays as it is, which no key has as its id)."""
        return SimpleNamespace(username=self.key_ids.get(name, name))


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
    roles = ((EDITOR, "editor"), (STAFF, "staff"), (ADMIN, "admin"))
    keys = {name: store.api_keys.create(name, role) for name, role in roles}
    ids = {name: record.id for name, (record, _) in keys.items()}
    env = UIEnv(services, keys[EDITOR][1], keys[STAFF][1], keys[ADMIN][1], ids)
    return env, [store, index]


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


# A browser that prefers English: the UI must be Chinese all the same (Gradio's own strings included).
BROWSER_LOCALE = "en-US"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale=BROWSER_LOCALE,
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": 1440, "height": 1000},
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()
