"""A member's contact request from a form (chat widget, WeChat bridge): consent, rate limit, lead and audit in one
place, so that every entry point gets the same rules as the chat flow's lead capture."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.ratelimit import RateLimits
from assistant.service.replies import CONSENT_PURPOSE, CONSENT_TEXT
from assistant.service.sessions import MemberSessions
from assistant.store import ConsentRequired, LeadRecord, Store
from assistant.store.leads import normalise_phone

CHANNEL = "form"


class LeadRateLimited(Exception):
    """The client left more leads than LEAD_RATE_LIMIT allows (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after: float, limit: str) -> None:
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(f"too many leads from this client (limit {limit}); retry later")


@dataclass(frozen=True)
class ContactRequest:
    name: str
    company: str
    phone: str
    consent: bool
    amount: int | None = None
    purpose: str | None = None
    session_id: str | None = None  # a member session id issued by the server, to attach the lead to


def submit(
    store: Store,
    limits: RateLimits | None,
    request: ContactRequest,
    *,
    client: str | None,
    request_id: str | None = None,
) -> tuple[LeadRecord, str]:
    """Store the lead; returns it and the member's session id. ConsentRequired, ValueError (phone),
    SessionRefused (a session id the server did not issue) or LeadRateLimited, each before anything is written."""
    if not request.consent:
        raise ConsentRequired("consent is required: the member must agree to the consent text first")
    phone = normalise_phone(request.phone)
    sessions = MemberSessions(store)
    opened = sessions.open(request.session_id, CHANNEL) if request.session_id is not None else None
    if limits is not None:
        decision = limits.hit("lead", client)
        if not decision.allowed:
            rate = limits.rate("lead")
            raise LeadRateLimited(decision.retry_after, rate.describe() if rate else "")
    conversation, credential = opened or sessions.start(CHANNEL)
    consent = store.consents.record(conversation.id, purpose=CONSENT_PURPOSE, granted=True, text=CONSENT_TEXT)
    record = store.leads.create(
        conversation_id=conversation.id,
        consent_id=consent.id,
        name=request.name,
        company=request.company,
        phone=phone,
        amount=request.amount,
        purpose=request.purpose,
        type="contact_request",
    )
    detail = {"channel": CHANNEL, "phone": record.phone_masked, "conversation_id": conversation.id}
    store.audit.record("member", "lead.create", record.id, request_id=request_id, detail=detail)
    return record, credential
