"""The agent's reply object (the `POST /v1/chat` contract) and the small value types inside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Intent = Literal["question", "apply", "human", "complaint", "chitchat", "out_of_scope"]
INTENTS: tuple[Intent, ...] = ("question", "apply", "human", "complaint", "chitchat", "out_of_scope")
EscalationType = Literal["human", "complaint", "application", "amount", "unanswered"]


class InvalidMessage(ValueError):
    """The member's message is empty or too long (HTTP 422, CLI exit 2)."""


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer; ``[n]`` in the answer text is ``citations[n - 1]``."""

    source: str
    title: str
    snippet: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "title": self.title, "snippet": self.snippet}


@dataclass(frozen=True)
class EscalationRef:
    """The escalation a turn created (or the open one it refers to); ``open_now`` and ``hours`` say whether
    staff are at work as the member is told, and the working hours (set by the agent on its replies)."""

    type: EscalationType
    id: str
    open_now: bool | None = None
    hours: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "id": self.id}
        if self.open_now is not None:
            data |= {"open_now": self.open_now, "hours": self.hours}
        return data


@dataclass(frozen=True)
class ChatReply:
    """What the member gets back for one message.

    ``to_dict()`` is exactly the contract shape ``{session_id, answer, citations, intent, escalation}``;
    the other attributes are for callers inside the process (API metrics, tests, the UI preview).
    """

    session_id: str
    answer: str
    citations: tuple[Citation, ...] = ()
    intent: Intent = "question"
    escalation: EscalationRef | None = None
    answered: bool | None = None  # True: grounded answer; False: "I don't know"; None: not a question
    refused: str | None = None  # safety category when the message was refused
    lead_id: str | None = None  # set on the turn that created a lead

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "intent": self.intent,
            "escalation": self.escalation.to_dict() if self.escalation else None,
        }
