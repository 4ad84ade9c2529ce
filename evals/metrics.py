"""Plain metric functions used by the eval suites (no I/O, hand-checkable)."""

from __future__ import annotations

from collections.abc import Sequence


def first_rank(ranked: Sequence[str], wanted: set[str]) -> int | None:
    """1-based rank of the first wanted item, or None."""
    return next((i for i, item in enumerate(ranked, start=1) if item in wanted), None)


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall of a binary label; 1.0 when there is nothing to find or nothing predicted."""
    tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
    fp = sum(p and not a for p, a in zip(predicted, actual, strict=True))
    fn = sum(a and not p for p, a in zip(predicted, actual, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0
