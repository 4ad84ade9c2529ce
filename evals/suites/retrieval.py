"""Retrieval: document-level hit@1, hit@5 and MRR of member-style questions."""

from __future__ import annotations

import json

from evals.context import EvalContext
from evals.metrics import first_rank, hit_at, mean_reciprocal_rank
from evals.types import CaseResult, SuiteResult

DATASET = "retrieval.jsonl"


def run(ctx: EvalContext) -> SuiteResult:
    cases = [json.loads(line) for line in ctx.dataset(DATASET).read_text(encoding="utf-8").splitlines() if line.strip()]
    ranks: list[int | None] = []
    results = []
    for case in cases:
        sources: list[str] = []
        for hit in ctx.retriever.search(case["question"], k=10):
            if hit.source not in sources:
                sources.append(hit.source)
        rank = first_rank(sources, {case["expected_source"], *case.get("also_ok", [])})
        ranks.append(rank)
        results.append(CaseResult(str(case["id"]), rank is not None and rank <= 5, f"rank {rank}; top {sources[:3]}"))
    metrics = {
        "hit@1": round(hit_at(ranks, 1), 4),
        "hit@5": round(hit_at(ranks, 5), 4),
        "mrr": round(mean_reciprocal_rank(ranks), 4),
        "cases": len(cases),
    }
    return SuiteResult("retrieval", metrics, results)
