"""Short staff summaries for escalations: the configured model when asked, else the extractive summary."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from assistant.llm import ChatModel, ChatRequest, LLMError, Message
from assistant.llm.offline import summarize
from assistant.service.fields import mask_for_storage

log = logging.getLogger(__name__)
MAX_TURNS = 12


class Summarizer:
    """Summarises a conversation for the relationship manager who picks it up (PII always masked)."""

    def __init__(self, model: ChatModel | None = None) -> None:
        self.model = model

    def summarize(self, turns: Sequence[tuple[str, str]], reason: str) -> str:
        """``turns`` are (role, text) pairs, oldest first; the result starts with the reason."""
        messages = [
            Message.user(mask_for_storage(text)) if role == "user" else Message.assistant(mask_for_storage(text))
            for role, text in turns[-MAX_TURNS:]
        ]
        text = ""
        if self.model is not None:
            try:
                text = self.model.generate(ChatRequest(messages, task="summary", temperature=0.0)).text.strip()
            except LLMError as error:
                log.info("summary model unavailable, using the extractive summary: %s", error)
        if not text:
            text = summarize(messages)
        return mask_for_storage(f"转人工原因：{reason}。{text}")[:1000]
