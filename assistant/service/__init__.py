"""Member-service agent: safety screen, intents, grounded answers with citations, hand-off to staff and
consented lead capture, as a per-conversation state machine whose state lives in the store.

    agent = Agent.from_settings(settings, store=store, retriever=retriever, model=model)
    reply = agent.reply(session_id, "星火科创信用贷的年化利率是多少？")
    reply.to_dict()  # {session_id, answer, citations: [{source, title, snippet}], intent, escalation}
"""

from assistant.service.agent import Agent
from assistant.service.answer import Answerer, AnswerResult, Evidence
from assistant.service.escalation import EscalationDecision, EscalationPolicy
from assistant.service.guard import ComplianceGuard, ReplyGuard, SentenceGate, guard_text
from assistant.service.hours import WorkingHours
from assistant.service.intent import IntentResult, ModelIntentClassifier, RuleIntentClassifier
from assistant.service.safety import SafetyVerdict, sanitize_passages, screen
from assistant.service.types import INTENTS, ChatReply, Citation, EscalationRef, Intent, InvalidMessage

__all__ = [
    "INTENTS",
    "Agent",
    "AnswerResult",
    "Answerer",
    "ChatReply",
    "Citation",
    "ComplianceGuard",
    "EscalationDecision",
    "EscalationPolicy",
    "EscalationRef",
    "Evidence",
    "Intent",
    "IntentResult",
    "InvalidMessage",
    "ModelIntentClassifier",
    "ReplyGuard",
    "RuleIntentClassifier",
    "SafetyVerdict",
    "SentenceGate",
    "WorkingHours",
    "guard_text",
    "sanitize_passages",
    "screen",
]
