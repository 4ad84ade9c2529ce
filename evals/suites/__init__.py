"""Eval suites: each module has `run(ctx) -> SuiteResult`; SUITES lists them in report order."""

from __future__ import annotations

from collections.abc import Callable

from evals.context import EvalContext
from evals.suites import compliance, retrieval
from evals.types import SuiteResult

SUITES: dict[str, Callable[[EvalContext], SuiteResult]] = {
    "retrieval": retrieval.run,
    "compliance": compliance.run,
}
