"""Consented lead capture as a small state machine (PIPL §13-17: say why, ask first, collect the minimum).

    idle ──apply──▶ awaiting_consent ──同意──▶ collecting ──phone given──▶ done
                          │ 不同意                 │ 算了/不留了      │ name or company missing
                          ▼                        ▼                ▼
                       refused                 withdrawn        completing ──next message──▶ done
                                          (a later apply intent asks again)

The lead is created as soon as the phone arrives (it is never held back: the clear phone may not wait in
the conversation state). When the member's name or company is still missing, the reply asks for it once
(stage ``completing``); the next message fills in what it gives, or is 跳过/不用, or is handled as usual,
and the flow is done either way: it never asks twice.

Nothing personal is kept before consent: only the amount and purpose (not personal data) survive in the
conversation state, the clear phone goes straight into the lead's contact record and nowhere else.
Functions here are pure; the agent records consents and creates leads from the returned step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.service import replies
from assistant.service.fields import LeadFields, extract_fields

LeadStage = Literal["idle", "awaiting_consent", "collecting", "done", "completing", "refused", "withdrawn"]
REQUIRED = ("name", "company", "phone", "amount", "purpose")
CONTACT = ("name", "company")  # asked for once more after the lead was created without them

_END = r"(?:了|的|啊|呀|吧|哦)?(?=$|[，,。.!！~～\s])"
_REFUSE_RE = re.compile(
    r"^(?:不同意|不愿意|不想|不要|不用|不需要|拒绝|算了|不行|不可以|不方便|不了|不必|先不|no|nope)"
    + _END
    + r"|不同意|拒绝|不授权|不想留|不留|不提供|不愿意提供",
    re.IGNORECASE,
)
_GRANT_RE = re.compile(
    r"^(?:同意|我同意|可以|好|好的|行|愿意|没问题|ok|okay|yes|嗯|嗯嗯|是的|确认|授权|允许)" + _END + r"|同意|授权你们",
    re.IGNORECASE,
)
_SKIP_RE = re.compile(
    r"跳过|略过|不用|不需要|不必|不想说|不想留|不方便|不提供|不填|没有|算了|就这样|pass|skip", re.IGNORECASE
)
_WITHDRAW_RE = re.compile(r"算了|不留了|不想留|不方便留|不登记了|不用登记|取消登记|不办了|先不办|不申请了|撤回")


@dataclass(frozen=True)
class LeadStep:
    """What one message does to the lead flow.

    ``reply`` is None when the message is not about the lead flow and should be handled normally
    (``reminder`` is then appended to that reply). ``consent`` is the answer to record this turn.
    ``create`` asks for a lead with ``fields`` (phone included) to be created; ``ask`` names the contact
    fields the reply then asks for once. ``fill`` adds ``fields`` (name, company) to the lead created earlier.
    """

    stage: LeadStage
    fields: LeadFields
    reply: str | None = None
    reminder: str | None = None
    consent: bool | None = None
    create: bool = False
    ask: tuple[str, ...] = ()
    fill: bool = False


def parse_consent(message: str) -> bool | None:
    """True for 同意/好的/可以…, False for 不同意/算了…, None when the message is not an answer."""
    text = re.sub(r"\s+", "", message.lower())
    if _REFUSE_RE.search(text):
        return False
    if _GRANT_RE.search(text):
        return True
    return None


def missing_fields(fields: LeadFields) -> list[str]:
    return [name for name in REQUIRED if getattr(fields, name) is None]


def start(stage: LeadStage, kept: LeadFields, message: str) -> LeadStep:
    """An application intent: ask for consent (or say the lead already exists)."""
    if stage == "completing":
        step = complete(message)
        return step if step.fill else LeadStep("done", LeadFields(), reply=replies.lead_exists())
    if stage == "done":
        return LeadStep("done", LeadFields(), reply=replies.lead_exists())
    if stage == "collecting":
        step = collect(kept, message)
        if step.reply is None:  # asked to apply again without new details: ask for what is missing
            return LeadStep("collecting", kept, reply=replies.ask_fields(missing_fields(kept)))
        return step
    if stage == "awaiting_consent":
        consent = parse_consent(message)
        if consent is not None:
            return answer_consent(kept, message, consent)
    given = extract_fields(message)
    keep = LeadFields(amount=given.amount or kept.amount, purpose=given.purpose or kept.purpose)
    notice = replies.UNSAVED_DETAILS if given.personal or given.company else ""
    return LeadStep("awaiting_consent", keep, reply=notice + replies.CONSENT_TEXT)


def answer_consent(kept: LeadFields, message: str, granted: bool) -> LeadStep:
    if not granted:
        return LeadStep("refused", LeadFields(), reply=replies.CONSENT_REFUSED, consent=False)
    step = collect(kept, message)
    reply = step.reply if step.create else replies.consent_granted(missing_fields(step.fields))
    return LeadStep(step.stage, step.fields, reply=reply, consent=True, create=step.create, ask=step.ask)


def collect(kept: LeadFields, message: str) -> LeadStep:
    """Merge the fields in this message; a lead is created once the phone arrives (asking once more for a
    missing name or company)."""
    given = extract_fields(message)
    if _WITHDRAW_RE.search(message) and given.phone is None:
        return LeadStep("withdrawn", LeadFields(), reply=replies.LEAD_WITHDRAWN)
    fields = kept.merged(given)
    if given.phone is not None:
        ask = tuple(name for name in CONTACT if getattr(fields, name) is None)
        return LeadStep("completing" if ask else "done", fields, create=True, reply="", ask=ask)
    if not given.any:
        return LeadStep("collecting", kept, reminder=replies.fields_reminder(missing_fields(kept)))
    return LeadStep("collecting", fields, reply=replies.ask_fields(missing_fields(fields)))


def complete(message: str) -> LeadStep:
    """The answer to the one question for a missing name or company: what it gives is added to the lead;
    跳过/不用 is thanked; anything else is handled as a normal message (reply None). Done in every case."""
    given = extract_fields(message)
    found = LeadFields(name=given.name, company=given.company)
    if found.any:
        return LeadStep("done", found, reply=replies.CONTACT_ADDED, fill=True)
    if _SKIP_RE.search(message) or parse_consent(message) is False:
        return LeadStep("done", LeadFields(), reply=replies.CONTACT_SKIPPED)
    return LeadStep("done", LeadFields())


def on_message(stage: LeadStage, kept: LeadFields, message: str) -> LeadStep | None:
    """Advance the flow for a message that is not itself a new application; None when not in the flow."""
    if stage == "awaiting_consent":
        consent = parse_consent(message)
        if consent is None:
            return LeadStep("awaiting_consent", kept, reminder=replies.CONSENT_REMINDER)
        return answer_consent(kept, message, consent)
    if stage == "collecting":
        return collect(kept, message)
    if stage == "completing":
        return complete(message)
    return None
