"""Shared test helpers: a loopback OpenAI-compatible server and pytest fixtures."""

from tests.support.openai_server import OpenAIServer, RecordedRequest, deterministic_vector

__all__ = ["OpenAIServer", "RecordedRequest", "deterministic_vector"]
