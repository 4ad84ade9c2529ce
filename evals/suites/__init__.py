"""Eval suites: each module has `run(ctx) -> SuiteResult`; SUITES lists them in report order."""

from __future__ import annotations

from collections.abc import Callable

from evals.context import EvalContext
from evals.suites import answers, compliance, drafts, escalation, retrieval, safety
from evals.types import SuiteResult

SUITES: dict[str, Callable[[EvalContext], SuiteResult]] = {
    "retrieval": retrieval.run,
    "compliance": compliance.run,
    "answers": answers.run,
    "escalation": escalation.run,
    "safety": safety.run,
    "drafts": drafts.run,
}
