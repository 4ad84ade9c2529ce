"""Compliance: precision and recall of error and warning rules on the labelled texts.

Files named ``compliance*.jsonl`` among the context's extra datasets (``FINASSIST_EVAL_EXTRA``) are scored
too, under their file stem (``compliance_blind_test.error_recall``), never gated."""

from __future__ import annotations

from typing import Any

from assistant.compliance import check
from assistant.compliance.evaluation import load_dataset, score
from evals.context import EvalContext
from evals.types import CaseResult, SuiteResult

DATASET = "compliance.jsonl"


def score_rows(rows: list[dict[str, Any]], prefix: str = "") -> tuple[dict[str, float], list[CaseResult]]:
    reports = [check(row["text"]) for row in rows]
    cases = []
    for row, report in zip(rows, reports, strict=True):
        got, want = report.rule_ids("error"), set(row["expected_errors"])
        detail = f"expected {sorted(want)}, got {sorted(got)}"
        cases.append(CaseResult(f"{prefix}{row['id']}", got == want, detail))
    metrics: dict[str, float] = {**score(rows, reports).summary(), "cases": len(rows)}
    return {f"{prefix}{k}": v for k, v in metrics.items()}, cases


def run(ctx: EvalContext) -> SuiteResult:
    metrics, cases = score_rows(load_dataset(ctx.dataset(DATASET)))
    for path in ctx.extra_datasets("compliance"):
        more, more_cases = score_rows(load_dataset(path), f"{path.stem}.")
        metrics |= more
        cases += more_cases
    return SuiteResult("compliance", metrics, cases)
