"""The member-service agent: one conversation turn at a time, all state in the store.

    open the member's session (or start one) → respond (screen, intent, branch, guard; see turn.py) → write consent,
    escalation, lead and audit entries → state + both turns in one transaction (optimistic version, one retry)

``reply`` returns a ChatReply; ``stream`` yields the same reply's text deltas and then the ChatReply. Both take the
member's session id (see sessions.py: a token the server issued, refused otherwise); ``reply_as`` is for channels
whose platform has authenticated the member and that name the conversation themselves. ``client`` is the key the
lead rate limit counts against (the entry point knows it: the peer address, a channel's user id); ``request_id``
goes on every audit row the turn writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from assistant.config import Settings
from assistant.llm import ChatModel, OfflineModel
from assistant.notify import HandoffSink, turn_handoffs
from assistant.privacy import mask_pii
from assistant.ratelimit import RateLimits
from assistant.service.answer import Answerer
from assistant.service.catalog import CatalogCache
from assistant.service.escalation import EscalationPolicy
from assistant.service.fields import LeadFields
from assistant.service.guard import ComplianceGuard, ReplyGuard
from assistant.service.hours import WorkingHours, utc_now
from assistant.service.intent import IntentClassifier, ModelIntentClassifier, RuleIntentClassifier
from assistant.service.plain import plain_text
from assistant.service.replies import CONSENT_PURPOSE, CONSENT_TEXT
from assistant.service.sessions import MemberSessions
from assistant.service.state import ConversationState
from assistant.service.summary import Summarizer
from assistant.service.turn import Responder, TurnContext
from assistant.service.types import ChatReply, EscalationRef, InvalidMessage
from assistant.store import ConflictError, ConversationRecord, Store
from knowledge.retriever import HybridRetriever

log = logging.getLogger(__name__)
ACTOR = "agent"


class Agent:
    """Answers members, hands over to humans and captures consented leads (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        answerer: Answerer,
        guard: ReplyGuard,
        *,
        classifier: IntentClassifier | None = None,
        policy: EscalationPolicy | None = None,
        hours: WorkingHours | None = None,
        summarizer: Summarizer | None = None,
        max_message_chars: int = 2000,
        channel: str = "web",
        limits: RateLimits | None = None,
        notifier: HandoffSink | None = None,
    ) -> None:
        self.store = store
        self.sessions = MemberSessions(store)
        self.limits = limits
        self.answerer = answerer
        self.guard = guard
        self.policy = policy or EscalationPolicy()
        self.hours = hours or WorkingHours.parse("09:00-18:00")
        self.summarizer = summarizer or Summarizer()
        self.max_message_chars = max_message_chars
        self.channel = channel
        self.notifier = notifier
        self.responder = Responder(answerer, guard, classifier or RuleIntentClassifier(), self.policy, self.hours)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        store: Store,
        retriever: HybridRetriever,
        model: ChatModel,
        guard: ReplyGuard | None = None,
        clock: Callable[[], datetime] = utc_now,
        limits: RateLimits | None = None,
        notifier: HandoffSink | None = None,
    ) -> Agent:
        """The agent as Settings configure it (thresholds, hours, model-backed intent/summary switches)."""
        guard = guard or ComplianceGuard()
        offline = isinstance(model, OfflineModel)
        return cls(
            store,
            Answerer(retriever, model, guard, catalog=CatalogCache(retriever.index), k=settings.retrieval_k),
            guard,
            classifier=ModelIntentClassifier(model) if settings.llm_intent and not offline else None,
            policy=EscalationPolicy.from_settings(settings),
            hours=WorkingHours.parse(settings.working_hours, settings.timezone, settings.working_days, clock),
            summarizer=Summarizer(model if settings.llm_summary and not offline else None),
            max_message_chars=settings.max_message_chars,
            limits=limits,
            notifier=notifier,
        )

    def warm_up(self) -> None:
        """Load rules, the product catalog (with its words' pinyin) and the tokenizer before the first member
        arrives."""
        from knowledge.tokenize import configure_jieba

        configure_jieba(None)  # jieba's whole dictionary (an index opens it word by word: fine for a query or two)
        warm = getattr(self.guard, "warm_up", None)
        if callable(warm):
            warm()
        self.answerer.catalog.get().homophones().warm_up()

    def validate(self, message: str) -> str:
        """The message stripped; InvalidMessage when empty or too long."""
        if not isinstance(message, str) or not message.strip():
            raise InvalidMessage("the message is empty")
        text = message.strip()
        if len(text) > self.max_message_chars:
            raise InvalidMessage(f"the message is longer than {self.max_message_chars} characters")
        return text

    def reply(
        self, session_id: str | None, message: str, *, client: str | None = None, request_id: str | None = None
    ) -> ChatReply:
        """Answer one message (a new conversation when session_id is None; SessionRefused for a session id the
        server did not issue or whose token is wrong)."""
        return _last(self.stream(session_id, message, client=client, request_id=request_id, streaming=False))

    def stream(
        self,
        session_id: str | None,
        message: str,
        *,
        client: str | None = None,
        request_id: str | None = None,
        streaming: bool = True,
    ) -> Iterator[str | ChatReply]:
        """Text deltas as they are ready (each already guarded), then the final ChatReply."""
        text = self.validate(message)
        conversation, credential = self.sessions.open(session_id, self.channel)
        yield from self._turn(conversation, credential, text, client, request_id, streaming)

    def reply_as(
        self,
        conversation_id: str,
        message: str,
        *,
        channel: str | None = None,
        client: str | None = None,
        request_id: str | None = None,
    ) -> ChatReply:
        """Answer in the conversation `conversation_id`, created when missing: only for callers that have
        authenticated the member themselves (a messaging platform's signed callback), never for a client's word."""
        text = self.validate(message)
        conversation = self.store.conversations.get_or_create(conversation_id, channel=channel or self.channel)
        turn = self._turn(conversation, conversation.id, text, client or conversation.id, request_id, False)
        return _last(turn)

    def _turn(
        self,
        conversation: ConversationRecord,
        session_id: str,
        text: str,
        client: str | None,
        request_id: str | None,
        streaming: bool,
    ) -> Iterator[str | ChatReply]:
        ctx = TurnContext(conversation, ConversationState.from_dict(conversation.state), text)
        ctx.lead_allowed = lambda: self._lead_allowed(client)
        parts: list[str] = []
        for raw in self.responder.respond(ctx, streaming=streaming):
            delta = plain_text(raw)  # every reply, streamed or not, on every route, is plain text
            if delta:
                parts.append(delta)
                yield delta
        answer = "".join(parts)
        escalation = self._write_effects(ctx, request_id)
        if escalation is not None:
            escalation = replace(escalation, open_now=self.hours.is_open(), hours=self.hours.label)
        self._commit(ctx, answer, request_id)
        self._notify(ctx)
        yield ChatReply(
            session_id=session_id,
            answer=answer,
            citations=ctx.citations,
            intent=ctx.intent,
            escalation=escalation,
            answered=ctx.answered,
            refused=ctx.refused,
            lead_id=ctx.change.lead_id,
            conversation_id=conversation.id,
        )

    def _lead_allowed(self, client: str | None) -> bool:
        return self.limits is None or self.limits.hit("lead", client).allowed

    def _write_effects(self, ctx: TurnContext, request_id: str | None) -> EscalationRef | None:
        """Consent, escalation, lead and audit records decided by the turn."""
        conversation_id = ctx.conversation.id
        if ctx.consent is not None:
            consent = self.store.consents.record(
                conversation_id, purpose=CONSENT_PURPOSE, granted=ctx.consent, text=CONSENT_TEXT
            )
            if consent.granted:
                ctx.change.consent_id = consent.id
            ctx.audit.append(("consent.record", {"consent_id": consent.id, "granted": consent.granted}))
        escalation = ctx.existing
        if ctx.decision is not None:
            escalation = self._escalate(ctx)
            ctx.audit.append(("escalation.create", {"escalation_id": escalation.id, "type": escalation.type}))
        if ctx.lead is not None:
            self._create_lead(ctx)
        if ctx.lead_fill is not None and ctx.state.lead_id is not None:
            self._fill_lead(ctx.state.lead_id, ctx.lead_fill, ctx)
        for action, detail in ctx.audit:
            target = detail.get("lead_id") if action in ("lead.create", "lead.update") else conversation_id
            detail = {**detail, "conversation_id": conversation_id}
            self.store.audit.record(ACTOR, action, target, request_id=request_id, detail=detail)
        return escalation

    def _escalate(self, ctx: TurnContext) -> EscalationRef:
        decision = ctx.decision
        assert decision is not None
        turns = [(t.role, t.text) for t in self.store.conversations.transcript(ctx.conversation.id)]
        summary = self.summarizer.summarize([*turns, ("user", ctx.stored_text)], decision.reason)
        record = self.store.escalations.create(
            ctx.conversation.id, decision.type, reason=decision.reason, summary=summary, priority=decision.priority
        )
        ctx.change.escalation = (record.type, record.id)
        log.info("escalation %s (%s) for conversation %s", record.id, record.type, ctx.conversation.id)
        return EscalationRef(decision.type, record.id)

    def _create_lead(self, ctx: TurnContext) -> None:
        fields = ctx.lead
        assert fields is not None
        escalations = {**ctx.state.escalations, **dict([ctx.change.escalation] if ctx.change.escalation else [])}
        lead = self.store.leads.create(
            conversation_id=ctx.conversation.id,
            consent_id=ctx.change.consent_id or ctx.state.consent_id,
            name=fields.name,
            company=fields.company,
            phone=fields.phone,
            amount=fields.amount,
            purpose=fields.purpose,
            priority="high" if ctx.lead_priority == "high" else "normal",
            escalation_id=escalations.get("amount") or escalations.get("application"),
        )
        ctx.change.lead_id = lead.id
        ctx.audit.append(("lead.create", {"lead_id": lead.id, "phone": lead.phone_masked or ""}))

    def _fill_lead(self, lead_id: str, fields: LeadFields, ctx: TurnContext) -> None:
        """Add the name / company the member gave after the lead was created (empty fields only)."""
        filled = self.store.leads.fill_contact(lead_id, name=fields.name, company=fields.company)
        if filled:
            ctx.audit.append(("lead.update", {"lead_id": lead_id, "fields": list(filled)}))

    def _notify(self, ctx: TurnContext) -> None:
        """Tell staff about this turn's handoffs, after the turn is committed; never fails the turn."""
        if self.notifier is None or (ctx.change.escalation is None and ctx.change.lead_id is None):
            return
        try:
            escalation_id = ctx.change.escalation[1] if ctx.change.escalation else None
            for handoff in turn_handoffs(
                self.store, escalation_id=escalation_id, lead_id=ctx.change.lead_id, known_lead_id=ctx.state.lead_id
            ):
                self.notifier.notify(handoff)
        except Exception:
            log.exception("staff notice for conversation %s not queued", ctx.conversation.id)

    def _commit(self, ctx: TurnContext, answer: str, request_id: str | None) -> None:
        """Write the new state and both turns in one transaction, retrying once on a concurrent change."""
        conversation, state = ctx.conversation, ctx.state
        turns: list[dict[str, Any]] = [
            {"role": "user", "text": ctx.stored_text, "intent": ctx.intent, "request_id": request_id},
            {
                "role": "assistant",
                "text": mask_pii(answer),
                "answered": ctx.answered,
                "citations": [c.to_dict() for c in ctx.citations],
                "request_id": request_id,
            },
        ]
        for attempt in range(2):
            try:
                self.store.conversations.commit_turn(
                    conversation.id, ctx.change.apply(state).to_dict(), conversation.version, turns
                )
                return
            except ConflictError:
                if attempt:
                    raise
                log.info("conversation %s changed concurrently; re-applying this turn's changes", conversation.id)
                conversation = self.store.conversations.get(conversation.id)
                state = ConversationState.from_dict(conversation.state)


def _last(items: Iterator[str | ChatReply]) -> ChatReply:
    final: ChatReply | None = None
    for item in items:
        if isinstance(item, ChatReply):
            final = item
    assert final is not None
    return final
