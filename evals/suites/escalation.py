"""Escalation: hand-offs and leads on labelled multi-turn conversations (each in a fresh session).

A conversation's predicted escalation is the first one it created (escalation ids seen in the replies, in
order); a lead counts as created when any reply carries a lead id. Metrics: precision and recall of
"escalated at all", of lead creation and of complaints, and exact-type accuracy (``none`` included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from assistant.service import ChatReply
from evals.context import EvalContext
from evals.metrics import precision_recall, rate
from evals.types import CaseResult, SuiteResult

DATASET = "escalation.yaml"
TYPES = ("none", "human", "complaint", "application", "amount", "unanswered")


def load_cases(ctx: EvalContext) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(ctx.dataset(DATASET).read_text(encoding="utf-8")) or []
    for case in cases:
        if case["expect"]["escalation"] not in TYPES:
            raise ValueError(f"{case['id']}: unknown escalation type {case['expect']['escalation']!r}")
    return cases


def created_escalations(replies: Sequence[ChatReply]) -> list[str]:
    """Types of the escalations the conversation created, in the order they first appeared."""
    seen: dict[str, str] = {}
    for reply in replies:
        if reply.escalation is not None and reply.escalation.id not in seen:
            seen[reply.escalation.id] = reply.escalation.type
    return list(seen.values())


def _transcript(turns: Sequence[str], replies: Sequence[ChatReply]) -> str:
    return " | ".join(f"{t} → {r.answer[:60]}" for t, r in zip(turns, replies, strict=True))


def run(ctx: EvalContext) -> SuiteResult:
    expected: list[str] = []
    predicted: list[str] = []
    complaint_seen: list[bool] = []
    lead_expected: list[bool] = []
    lead_seen: list[bool] = []
    results: list[CaseResult] = []
    for case in load_cases(ctx):
        turns = case["turns"]
        replies = ctx.services.converse(turns)
        kinds = created_escalations(replies)
        got = kinds[0] if kinds else "none"
        lead = any(r.lead_id for r in replies)
        want, want_lead = case["expect"]["escalation"], bool(case["expect"]["lead_created"])
        expected.append(want)
        predicted.append(got)
        complaint_seen.append("complaint" in kinds)
        lead_expected.append(want_lead)
        lead_seen.append(lead)
        detail = f"expected {want}/lead={want_lead}, got {kinds or ['none']}/lead={lead}; {_transcript(turns, replies)}"
        results.append(CaseResult(str(case["id"]), got == want and lead == want_lead, detail))
    esc_p, esc_r = precision_recall([p != "none" for p in predicted], [e != "none" for e in expected])
    lead_p, lead_r = precision_recall(lead_seen, lead_expected)
    comp_p, comp_r = precision_recall(complaint_seen, [e == "complaint" for e in expected])
    metrics = {
        "escalate_precision": round(esc_p, 4),
        "escalate_recall": round(esc_r, 4),
        "lead_precision": round(lead_p, 4),
        "lead_recall": round(lead_r, 4),
        "complaint_precision": round(comp_p, 4),
        "complaint_recall": round(comp_r, 4),
        "type_accuracy": round(rate([p == e for p, e in zip(predicted, expected, strict=True)]), 4),
        "cases": len(results),
    }
    return SuiteResult("escalation", metrics, results)
