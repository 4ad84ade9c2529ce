"""The eval runner on small fixture datasets with hand-checked metrics, and the gate on a planted regression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.context import EvalContext
from evals.gates import compare, load_baseline
from evals.metrics import first_rank, hit_at, mean_reciprocal_rank, precision_recall
from evals.runner import run_evals
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.conftest import TEST_TODAY


def test_metrics_on_hand_checked_values() -> None:
    ranks = [first_rank(["a", "b", "c"], {"a"}), first_rank(["x", "b"], {"b"}), first_rank(["x"], {"z"})]
    assert ranks == [1, 2, None]
    assert hit_at(ranks, 1) == pytest.approx(1 / 3) and hit_at(ranks, 5) == pytest.approx(2 / 3)
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 0) / 3)
    assert precision_recall([True, True, False, False], [True, False, True, False]) == (0.5, 0.5)


class _Ctx(EvalContext):
    """An eval context over the session's sample index and a fixture dataset folder."""

    def __init__(self, datasets: Path, index: KnowledgeIndex) -> None:
        super().__init__(datasets=datasets, workdir=datasets)
        self.__dict__["index"] = index
        self.__dict__["retriever"] = HybridRetriever(index, today=lambda: TEST_TODAY)

    def close(self) -> None:  # the session fixture owns the index
        pass


def _write(folder: Path, name: str, rows: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


RETRIEVAL = [
    {"id": "a", "question": "知识产权质押贷款质押率", "expected_source": "products/zhihui-ip-pledge-loan.md"},
    {"id": "b", "question": "设备融资租赁保证金比例", "expected_source": "products/yunqi-equipment-leasing.md"},
    {"id": "c", "question": "知识产权质押贷款质押率", "expected_source": "products/no-such-product.md"},
    {"id": "d", "question": "设备融资租赁保证金比例", "expected_source": "products/no-such-product.md"},
]


def test_retrieval_suite_counts_right(tmp_path: Path, sample_index: KnowledgeIndex) -> None:
    _write(tmp_path, "retrieval.jsonl", RETRIEVAL)
    run = run_evals(["retrieval"], ctx=_Ctx(tmp_path, sample_index), baseline=tmp_path / "none.json")
    metrics = run.results[0].metrics
    # a and b are found at rank 1 (checked by hand with `finassist search`); c and d can never be found.
    assert metrics["hit@1"] == 0.5 and metrics["hit@5"] == 0.5 and metrics["mrr"] == 0.5
    assert sorted(c.id for c in run.results[0].failures) == ["c", "d"]


def test_gate_fails_on_a_planted_regression(tmp_path: Path, sample_index: KnowledgeIndex) -> None:
    _write(tmp_path, "retrieval.jsonl", RETRIEVAL[:2])
    ctx = _Ctx(tmp_path, sample_index)
    baseline = tmp_path / "baseline.json"
    first = run_evals(["retrieval"], ctx=ctx, baseline=baseline, update_baseline=True)
    assert first.passed and load_baseline(baseline)["retrieval"]["hit@5"] == 1.0
    # Plant a regression: the dataset now expects a document the index does not hold for one question.
    _write(tmp_path, "retrieval.jsonl", [RETRIEVAL[0], RETRIEVAL[3]])
    report = tmp_path / "out" / "report.md"
    second = run_evals(["retrieval"], ctx=ctx, baseline=baseline, report=report)
    assert not second.passed
    failing = {d.metric: d.failure for d in second.deltas if d.failure}
    assert "hit@5" in failing and "below the minimum 0.9" in str(failing["hit@5"])
    assert "Gate: FAILED" in report.read_text(encoding="utf-8")
    assert (tmp_path / "out" / "report-retrieval.png").stat().st_size > 1000


def test_lower_is_better_gate() -> None:
    from evals.types import SuiteResult

    gates = {"compliance.false_error_rate": {"max": 0.05, "better": "lower", "tolerance": 0.0}}
    rows = compare(
        [SuiteResult("compliance", {"false_error_rate": 0.02})], {"compliance": {"false_error_rate": 0.0}}, gates
    )
    assert rows[0].failure and "worse than the baseline" in rows[0].failure
    rows = compare(
        [SuiteResult("compliance", {"false_error_rate": 0.0})], {"compliance": {"false_error_rate": 0.02}}, gates
    )
    assert rows[0].failure is None


def test_unknown_suite_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown suite"):
        run_evals(["nope"])
