"""The labelled set evals/datasets/compliance.jsonl: schema, coverage, and the precision/recall gates."""

from __future__ import annotations

from collections import Counter

from assistant.compliance import default_rules
from assistant.compliance.evaluation import DATASET, load_dataset, score

ROWS = load_dataset(DATASET)
RULE_IDS = {r.id for r in default_rules().rules}


BASE_KEYS = {"id", "text", "expected_errors", "note"}


def test_dataset_shape() -> None:
    assert len(ROWS) >= 80
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    for row in ROWS:
        # The blind rows (issue 16) label errors only: they are scored on errors (assistant.compliance.evaluation).
        assert {"id", "text", "expected_errors", "note"} <= set(row) <= {*BASE_KEYS, "expected_warnings"}, row["id"]
        assert ("expected_warnings" in row) or row["id"].startswith("blind-"), row["id"]
        assert row["text"].strip(), row["id"]
        assert set(row["expected_errors"]) <= RULE_IDS, row["id"]
        assert set(row.get("expected_warnings", ())) <= RULE_IDS, row["id"]


def test_dataset_has_violations_and_clean_texts_for_every_error_rule() -> None:
    clean = [r for r in ROWS if not r["expected_errors"]]
    violating = [r for r in ROWS if r["expected_errors"]]
    assert len(clean) >= 30 and len(violating) >= 30
    covered = Counter(rule for r in ROWS for rule in r["expected_errors"])
    error_rules = {r.id for r in default_rules().rules if r.severity == "error"}
    assert error_rules <= set(covered), error_rules - set(covered)


def test_error_recall_and_false_error_rate() -> None:
    scores = score(ROWS)
    assert scores.error_recall >= 0.95, scores.mistakes
    assert scores.false_error_rate <= 0.05, scores.mistakes
    assert scores.error_precision >= 0.9, scores.mistakes


def test_warning_recall() -> None:
    scores = score(ROWS)
    assert scores.warning_recall >= 0.8, scores.mistakes
