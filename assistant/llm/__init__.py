"""Chat-model backends behind one interface: offline (default), OpenAI-compatible, and a fake for tests."""

from assistant.llm.base import (
    ChatModel,
    ChatRequest,
    Completion,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    LLMUnsupported,
    Message,
    Usage,
    cited_numbers,
)
from assistant.llm.factory import build_chat_model
from assistant.llm.fake import FakeModel
from assistant.llm.offline import OfflineModel, UngroundedNumberError, check_numbers_grounded
from assistant.llm.rendering import format_passages, to_openai_messages

__all__ = [
    "ChatModel",
    "ChatRequest",
    "Completion",
    "FakeModel",
    "LLMError",
    "LLMTimeout",
    "LLMUnavailable",
    "LLMUnsupported",
    "Message",
    "OfflineModel",
    "OpenAIModel",
    "UngroundedNumberError",
    "Usage",
    "build_chat_model",
    "check_numbers_grounded",
    "cited_numbers",
    "format_passages",
    "to_openai_messages",
]


def __getattr__(name: str) -> object:
    # OpenAIModel is loaded lazily so offline use never imports the openai SDK.
    if name == "OpenAIModel":
        from assistant.llm.openai_backend import OpenAIModel

        return OpenAIModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
