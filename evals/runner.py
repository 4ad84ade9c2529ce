"""Run eval suites, print deltas against the baseline, and gate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evals.context import EvalContext
from evals.gates import MetricDelta, compare, load_baseline, load_gates, write_baseline
from evals.report import write_report
from evals.suites import SUITES
from evals.types import SuiteResult


@dataclass
class EvalRun:
    results: list[SuiteResult]
    deltas: list[MetricDelta]

    @property
    def passed(self) -> bool:
        return not any(d.failure for d in self.deltas)

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "suites": [r.to_dict() for r in self.results],
            "deltas": [
                {
                    "suite": d.suite,
                    "metric": d.metric,
                    "value": d.value,
                    "baseline": d.baseline,
                    "delta": d.delta,
                    "gated": d.gated,
                    "failure": d.failure,
                }
                for d in self.deltas
            ],
        }

    def to_text(self) -> str:
        lines = []
        for d in self.deltas:
            delta = "" if d.delta is None else f" ({d.delta:+.4f})"
            mark = "  FAIL " + d.failure if d.failure else ("  gated" if d.gated else "")
            lines.append(f"{d.suite:<12} {d.metric:<20} {d.value:<8}{delta}{mark}")
        lines.append("gate: passed" if self.passed else "gate: FAILED")
        return "\n".join(lines)


def run_evals(
    names: list[str] | None = None,
    *,
    ctx: EvalContext | None = None,
    baseline: Path | None = None,
    gates: Path | None = None,
    report: Path | None = None,
    update_baseline: bool = False,
) -> EvalRun:
    unknown = [n for n in names or [] if n not in SUITES]
    if unknown:
        raise ValueError(f"unknown suite(s): {', '.join(unknown)}; known: {', '.join(SUITES)}")
    context = ctx or EvalContext()
    try:
        results = [SUITES[name](context) for name in (names or list(SUITES))]
    finally:
        if ctx is None:
            context.close()
    base = load_baseline(baseline) if baseline else load_baseline()
    deltas = compare(results, base, load_gates(gates) if gates else load_gates())
    if update_baseline:
        write_baseline(results, baseline) if baseline else write_baseline(results)
    if report:
        write_report(results, deltas, report)
    return EvalRun(results, deltas)
