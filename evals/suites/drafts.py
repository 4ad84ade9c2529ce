"""Drafts: the drafting service on labelled briefs (every post type, topics from the sample corpus).

Metrics: claim support rate (supported claims over all claims, all drafts pooled), the share of drafts
with zero unsupported claims, the compliance pass rate (no error-level finding) and citation-source
accuracy (the expected document among the draft's citations). A brief that fails to produce a draft
counts against every per-draft rate.
"""

from __future__ import annotations

from typing import Any

import yaml

from evals.context import EvalContext
from evals.metrics import rate
from evals.types import CaseResult, SuiteResult

DATASET = "drafts.yaml"
AUTHOR = "eval:drafts"
BRIEF_FIELDS = ("type", "topic", "audience", "channel", "tone", "length")


def load_cases(ctx: EvalContext) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(ctx.dataset(DATASET).read_text(encoding="utf-8")) or []
    return cases


def _draft(ctx: EvalContext, case: dict[str, Any]) -> Any:
    from assistant.drafting import Brief

    brief = Brief(**{name: case[name] for name in BRIEF_FIELDS if case.get(name) is not None})
    return ctx.services.drafts.create(brief, author=AUTHOR)


def run(ctx: EvalContext) -> SuiteResult:
    supported = total = 0
    clean: list[bool] = []
    compliant: list[bool] = []
    cited: list[bool] = []
    results: list[CaseResult] = []
    for case in load_cases(ctx):
        try:
            view = _draft(ctx, case)
        except ValueError as error:  # a bad brief or no sources (NoSourcesError is a ValueError)
            clean.append(False)
            compliant.append(False)
            cited.append(False)
            results.append(CaseResult(str(case["id"]), False, f"no draft: {type(error).__name__}: {error}"))
            continue
        unsupported = [c for c in view.claims if not c.supported]
        errors = sorted({str(f.get("rule")) for f in view.findings if f.get("severity") == "error"})
        sources = sorted({c.source for c in view.citations})
        supported += len(view.claims) - len(unsupported)
        total += len(view.claims)
        clean.append(not unsupported)
        compliant.append(not errors)
        cited.append(case["expected_source"] in sources)
        detail = (
            f"claims {len(view.claims) - len(unsupported)}/{len(view.claims)} supported; "
            f"unsupported {[(c.kind, c.text, c.message) for c in unsupported]}; compliance errors {errors}; "
            f"cited {sources}"
        )
        results.append(CaseResult(str(case["id"]), clean[-1] and compliant[-1] and cited[-1], detail))
    metrics = {
        "claim_support_rate": round(supported / total, 4) if total else 0.0,
        "clean_draft_rate": round(rate(clean), 4),
        "compliance_pass_rate": round(rate(compliant), 4),
        "citation_accuracy": round(rate(cited), 4),
        "claims": total,
        "cases": len(results),
    }
    return SuiteResult("drafts", metrics, results)
