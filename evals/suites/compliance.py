"""Compliance: precision and recall of error and warning rules on the labelled texts."""

from __future__ import annotations

from assistant.compliance import check
from assistant.compliance.evaluation import load_dataset, score
from evals.context import EvalContext
from evals.types import CaseResult, SuiteResult

DATASET = "compliance.jsonl"


def run(ctx: EvalContext) -> SuiteResult:
    rows = load_dataset(ctx.dataset(DATASET))
    reports = [check(row["text"]) for row in rows]
    cases = []
    for row, report in zip(rows, reports, strict=True):
        got, want = report.rule_ids("error"), set(row["expected_errors"])
        cases.append(CaseResult(str(row["id"]), got == want, f"expected {sorted(want)}, got {sorted(got)}"))
    metrics: dict[str, float] = {**score(rows, reports).summary(), "cases": len(rows)}
    return SuiteResult("compliance", metrics, cases)
