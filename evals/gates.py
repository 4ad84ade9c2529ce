"""Compare a run with the committed baseline and apply the gates in gates.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evals.types import SuiteResult

EVALS_DIR = Path(__file__).resolve().parent
BASELINE = EVALS_DIR / "baseline.json"
GATES = EVALS_DIR / "gates.yaml"


@dataclass(frozen=True)
class MetricDelta:
    suite: str
    metric: str
    value: float
    baseline: float | None
    gated: bool
    failure: str | None

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None else round(self.value - self.baseline, 4)


def load_baseline(path: Path = BASELINE) -> dict[str, dict[str, float]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_gates(path: Path = GATES) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _failure(value: float, baseline: float | None, gate: dict[str, Any]) -> str | None:
    lower_is_better = gate.get("better", "higher") == "lower"
    if "min" in gate and value < gate["min"]:
        return f"{value} is below the minimum {gate['min']}"
    if "max" in gate and value > gate["max"]:
        return f"{value} is above the maximum {gate['max']}"
    if baseline is not None:
        worse_by = (value - baseline) if lower_is_better else (baseline - value)
        if worse_by > gate.get("tolerance", 0.0) + 1e-9:
            return f"{value} is worse than the baseline {baseline} by {round(worse_by, 4)}"
    return None


def compare(
    results: list[SuiteResult], baseline: dict[str, dict[str, float]], gates: dict[str, dict[str, Any]]
) -> list[MetricDelta]:
    rows = []
    for result in results:
        for metric, value in result.metrics.items():
            key = f"{result.name}.{metric}"
            base = baseline.get(result.name, {}).get(metric)
            gate = gates.get(key)
            rows.append(
                MetricDelta(
                    result.name, metric, value, base, gate is not None, _failure(value, base, gate) if gate else None
                )
            )
    return rows


def write_baseline(results: list[SuiteResult], path: Path = BASELINE) -> None:
    data = load_baseline(path)
    for result in results:
        data[result.name] = result.metrics
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
