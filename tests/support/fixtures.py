"""Pytest fixtures shared across suites. Import the ones you need into a conftest.py::

    from tests.support.fixtures import openai_server  # noqa: F401

Each fixture is self-contained, so importing one name is enough.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from functools import lru_cache

import pytest

from tests.support.openai_server import OpenAIServer


@lru_cache(maxsize=1)
def shared_openai_server() -> OpenAIServer:
    """One loopback server per test process, started on first use and stopped at exit."""
    server = OpenAIServer().start()
    atexit.register(server.stop)
    return server


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A clean, scriptable OpenAI-compatible server on 127.0.0.1 (shared process-wide, reset per test)."""
    server = shared_openai_server()
    server.reset()
    try:
        yield server
    finally:
        server.reset()


@pytest.fixture
def openai_settings_env(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIServer:
    """Point FINASSIST_LLM_* at the loopback server so Settings() builds an OpenAIModel that uses it."""
    monkeypatch.setenv("FINASSIST_LLM_BACKEND", "openai")
    monkeypatch.setenv("FINASSIST_LLM_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("FINASSIST_LLM_API_KEY", "test-key-not-secret")
    monkeypatch.setenv("FINASSIST_LLM_MODEL", "test-model")
    monkeypatch.setenv("FINASSIST_LLM_TIMEOUT", "5")
    monkeypatch.setenv("FINASSIST_LLM_MAX_RETRIES", "1")
    return openai_server
