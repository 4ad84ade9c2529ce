"""The retrieval golden set: member-style questions with the document that answers them."""

from __future__ import annotations

import json

from knowledge.retriever import HybridRetriever
from tests.conftest import CORPUS, REPO

DATASET = REPO / "evals" / "datasets" / "retrieval.jsonl"


def _cases() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dataset_is_well_formed() -> None:
    cases = _cases()
    assert len(cases) >= 60
    for case in cases:
        for source in [case["expected_source"], *case.get("also_ok", [])]:  # type: ignore[list-item]
            assert (CORPUS / str(source)).is_file(), source


def test_hit_at_5_is_at_least_0_90(sample_retriever: HybridRetriever) -> None:
    misses = []
    for case in _cases():
        wanted = {case["expected_source"], *case.get("also_ok", [])}  # type: ignore[misc]
        got = [r.source for r in sample_retriever.search(str(case["question"]), k=5)]
        if not wanted & set(got):
            misses.append((case["id"], case["question"], case["expected_source"], got[:3]))
    hit_rate = 1 - len(misses) / len(_cases())
    assert hit_rate >= 0.90, f"hit@5 = {hit_rate:.3f}; misses: {misses}"
