"""One turn's decisions: safety screen → sensitive data → lead flow → intent branch → escalation.

``Responder.respond`` yields the guarded reply pieces as they are produced and records in the
``TurnContext`` everything the agent must then write (consent, escalation, lead, audit, state change).
Nothing here writes to the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.service import lead_capture, replies
from assistant.service.answer import Answerer, AnswerResult
from assistant.service.escalation import EscalationDecision, EscalationPolicy
from assistant.service.fields import (
    LeadFields,
    find_sensitive,
    mask_for_storage,
    parse_amount,
    redact,
    strip_sensitive,
)
from assistant.service.followup import resolve
from assistant.service.guard import ReplyGuard, guard_text
from assistant.service.hours import WorkingHours
from assistant.service.intent import IntentClassifier, chitchat_kind, is_acknowledgement
from assistant.service.safety import screen
from assistant.service.state import ConversationState, StateChange
from assistant.service.types import Citation, EscalationRef, EscalationType, Intent
from assistant.store import ConversationRecord

_MEANINGFUL_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}")
_ACTIVE_STAGES = ("awaiting_consent", "collecting", "completing")
# Escalation kinds an intent refers back to when the conversation was already handed over for it.
_OPEN_KINDS: dict[str, tuple[EscalationType, ...]] = {
    "human": ("human",),
    "complaint": ("complaint",),
    "apply": ("application", "amount"),
}


@dataclass
class TurnContext:
    """A turn in progress: its input, and what it decided."""

    conversation: ConversationRecord
    state: ConversationState
    text: str  # the member's message (validated, never stored as is)
    stored_text: str = ""  # the message as it may be stored and logged
    intent: Intent = "question"
    answered: bool | None = None
    citations: tuple[Citation, ...] = ()
    refused: str | None = None
    consent: bool | None = None
    decision: EscalationDecision | None = None
    existing: EscalationRef | None = None
    lead: LeadFields | None = None  # fields (with phone) of a lead to create
    lead_fill: LeadFields | None = None  # name / company to add to the conversation's lead
    lead_priority: str = "normal"
    change: StateChange = field(default_factory=StateChange)
    audit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Spends one of the client's lead hits (LEAD_RATE_LIMIT); False: this client may not leave a lead now.
    lead_allowed: Callable[[], bool] = field(default=lambda: True)

    def __post_init__(self) -> None:
        self.stored_text = self.stored_text or mask_for_storage(self.text)


class Responder:
    """The agent's decision logic for one message (see the module docstring)."""

    def __init__(
        self,
        answerer: Answerer,
        guard: ReplyGuard,
        classifier: IntentClassifier,
        policy: EscalationPolicy,
        hours: WorkingHours,
    ) -> None:
        self.answerer = answerer
        self.guard = guard
        self.classifier = classifier
        self.policy = policy
        self.hours = hours

    def say(self, text: str) -> str:
        return guard_text(self.guard, text)

    def respond(self, ctx: TurnContext, *, streaming: bool = False) -> Iterator[str]:
        verdict = screen(ctx.text)
        if verdict is not None:
            ctx.intent, ctx.refused = "out_of_scope", verdict.category
            ctx.audit.append(("agent.refused", {"category": verdict.category, "matched": verdict.matched}))
            yield self.say(replies.REFUSALS[verdict.category])
            return
        sensitive = find_sensitive(ctx.text)
        if sensitive:
            ctx.audit.append(("agent.sensitive_data", {"kinds": sensitive}))
            yield self.say(replies.SENSITIVE_WARNING)
            ctx.text = strip_sensitive(ctx.text)
            if not _MEANINGFUL_RE.search(ctx.text):
                ctx.intent = "apply" if ctx.state.lead_stage in _ACTIVE_STAGES else "chitchat"
                return
        yield from self._route(ctx, streaming)

    def _route(self, ctx: TurnContext, streaming: bool) -> Iterator[str]:
        result = self.classifier.classify(ctx.text)
        ctx.intent = result.intent
        stage, kept = ctx.state.lead_stage, ctx.state.lead_fields
        reminder = None
        if stage in _ACTIVE_STAGES and result.intent not in ("human", "complaint", "apply"):
            step = lead_capture.on_message(stage, kept, ctx.text)
            if step is not None and step.reply is not None:
                yield from self._lead(ctx, step)
                return
            if step is not None and step.stage != stage:
                ctx.change.lead_stage = step.stage  # the one question after the lead went unanswered
            reminder = step.reminder if step is not None else None
        if stage == "done" and result.intent == "question" and is_acknowledgement(ctx.text):
            yield self.say(replies.LEAD_ACKNOWLEDGED)  # confirms the completed lead; nothing to look up
            return
        if result.intent == "apply":  # nothing reaches staff before consent: the lead's creation escalates
            self._point_at_open(ctx)
            yield from self._lead(ctx, lead_capture.start(stage, kept, ctx.text))
            return
        if result.intent in ("human", "complaint"):
            yield from self._escalate(ctx, negative=result.strongly_negative)
        elif result.intent == "chitchat":
            yield self.say(replies.CHITCHAT_REPLIES[chitchat_kind(ctx.text)])
        elif result.intent == "out_of_scope":
            yield self.say(replies.OUT_OF_SCOPE)
        else:
            yield from self._answer(ctx, streaming)
        if reminder:
            yield self.say(reminder)

    def _answer(self, ctx: TurnContext, streaming: bool) -> Iterator[str]:
        query = resolve(redact(ctx.text) or ctx.stored_text, ctx.state.topic, self.answerer.catalog.get())
        ctx.change.topic = query.topic
        result: AnswerResult | None = None
        for item in self.answerer.run(query, streaming=streaming):
            if isinstance(item, AnswerResult):
                result = item
            else:
                yield item
        assert result is not None
        ctx.answered, ctx.citations = result.answered, result.citations
        streak = 0 if result.answered else ctx.conversation.unanswered_streak + 1
        yield from self._escalate(ctx, unanswered_streak=streak, quiet_if_existing=True)
        if result.answered and ctx.decision is None and parse_amount(ctx.text) is not None:
            yield self.say(replies.APPLY_OFFER)  # names an amount: say how to apply, register nothing

    def _escalate(
        self,
        ctx: TurnContext,
        *,
        negative: bool = False,
        amount: int | None = None,
        unanswered_streak: int = 0,
        quiet_if_existing: bool = False,
    ) -> Iterator[str]:
        """Decide on an escalation and tell the member who will contact them, and when."""
        existing = ctx.state.escalations
        ctx.decision = self.policy.decide(
            ctx.intent, negative=negative, amount=amount, unanswered_streak=unanswered_streak, existing=existing
        )
        if ctx.decision is None:
            kind = self._point_at_open(ctx)
            if kind is not None and not quiet_if_existing:
                yield self.say(replies.handoff(kind, self.hours.is_open(), self.hours.label, already=True))
            return
        if ctx.decision.type == "amount" and amount is not None:
            ctx.lead_priority = "high"
        yield self.say(replies.handoff(ctx.decision.type, self.hours.is_open(), self.hours.label))

    def _point_at_open(self, ctx: TurnContext) -> str | None:
        """Refer the reply to the escalation already open for this intent, if any; its kind."""
        existing = ctx.state.escalations
        kind = next((k for k in _OPEN_KINDS.get(ctx.intent, ()) if k in existing), None)
        if kind is not None:
            ctx.existing = EscalationRef(kind, existing[kind])
        return kind

    def _lead(self, ctx: TurnContext, step: lead_capture.LeadStep) -> Iterator[str]:
        ctx.intent = "apply"
        ctx.change.lead_stage = step.stage
        ctx.consent = step.consent
        if step.fill:  # added to the lead record only, never kept in the conversation state
            ctx.lead_fill = step.fields
            yield self.say(step.reply or "")
            return
        ctx.change.lead_fields = step.fields
        if step.fields.amount is not None and step.fields.amount > self.policy.amount_threshold:
            ctx.lead_priority = "high"
        if not step.create:
            yield self.say(step.reply or "")
            return
        if not ctx.lead_allowed():  # too many leads from this client: keep collecting, create nothing
            ctx.change.lead_stage = "collecting"
            ctx.audit.append(("lead.rate_limited", {}))
            yield self.say(replies.LEAD_RATE_LIMITED)
            return
        ctx.lead = step.fields
        amount = step.fields.amount
        ctx.decision = self.policy.decide("apply", amount=amount, existing=ctx.state.escalations)
        thanks = "感谢您的同意。" if step.consent else ""
        phone = step.fields.phone or ""
        recorded = replies.lead_recorded(step.fields.name, phone, self.hours.is_open(), self.hours.label)
        yield self.say(thanks + recorded + (replies.ask_contact(step.ask) if step.ask else ""))
