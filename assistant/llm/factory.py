"""Build the configured chat model from Settings."""

from __future__ import annotations

from assistant.config import Settings
from assistant.llm.base import ChatModel


def build_chat_model(settings: Settings) -> ChatModel:
    """OfflineModel unless ``LLM_BACKEND=openai``; the OpenAI SDK is imported only when needed."""
    if settings.llm_backend == "openai":
        from assistant.llm.openai_backend import OpenAIModel

        return OpenAIModel(settings)
    from assistant.llm.offline import OfflineModel

    return OfflineModel()
