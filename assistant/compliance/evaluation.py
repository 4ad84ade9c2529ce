"""Score the engine against a labelled JSONL set (evals/datasets/compliance.jsonl)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.compliance.engine import Report, check

DATASET = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "compliance.jsonl"


@dataclass
class Scores:
    """Per-(text, rule) counts for errors and warnings, plus clean texts that got a false error."""

    error_tp: int = 0
    error_fp: int = 0
    error_fn: int = 0
    warning_tp: int = 0
    warning_fp: int = 0
    warning_fn: int = 0
    clean_texts: int = 0
    clean_with_errors: int = 0
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def error_recall(self) -> float:
        return self._ratio(self.error_tp, self.error_tp + self.error_fn)

    @property
    def error_precision(self) -> float:
        return self._ratio(self.error_tp, self.error_tp + self.error_fp)

    @property
    def false_error_rate(self) -> float:
        """Share of texts labelled without errors on which the engine reported an error."""
        return self.clean_with_errors / self.clean_texts if self.clean_texts else 0.0

    @property
    def warning_recall(self) -> float:
        return self._ratio(self.warning_tp, self.warning_tp + self.warning_fn)

    @property
    def warning_precision(self) -> float:
        return self._ratio(self.warning_tp, self.warning_tp + self.warning_fp)

    def summary(self) -> dict[str, float]:
        return {
            "error_recall": round(self.error_recall, 4),
            "error_precision": round(self.error_precision, 4),
            "false_error_rate": round(self.false_error_rate, 4),
            "warning_recall": round(self.warning_recall, 4),
            "warning_precision": round(self.warning_precision, 4),
        }


def load_dataset(path: Path = DATASET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(rows: Iterable[dict[str, Any]], reports: Iterable[Report] | None = None) -> Scores:
    """Compare each row's rule ids with its labels: from `reports` (one per row, in order) when the caller
    already checked the texts, else from running check() (context "post") on every row's text. A row without
    ``expected_warnings`` is scored on its errors only."""
    scores = Scores()
    rows = list(rows)
    for row, report in zip(
        rows, reports if reports is not None else map(check, (r["text"] for r in rows)), strict=True
    ):
        got_e, want_e = report.rule_ids("error"), set(row["expected_errors"])
        labelled_warnings = "expected_warnings" in row
        got_w = report.rule_ids("warning") if labelled_warnings else set()
        want_w = set(row.get("expected_warnings", ()))
        scores.error_tp += len(got_e & want_e)
        scores.error_fp += len(got_e - want_e)
        scores.error_fn += len(want_e - got_e)
        scores.warning_tp += len(got_w & want_w)
        scores.warning_fp += len(got_w - want_w)
        scores.warning_fn += len(want_w - got_w)
        if not want_e:
            scores.clean_texts += 1
            scores.clean_with_errors += bool(got_e)
        if got_e != want_e or got_w != want_w:
            scores.mistakes.append(
                {
                    "id": row["id"],
                    "missed": sorted((want_e | want_w) - (got_e | got_w)),
                    "extra": sorted((got_e | got_w) - (want_e | want_w)),
                }
            )
    return scores
