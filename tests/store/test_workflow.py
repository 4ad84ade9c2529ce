"""The pure lead workflow rules (assistant/leads.py)."""

from __future__ import annotations

import itertools

import pytest

from assistant.leads import (
    STATUSES,
    TRANSITIONS,
    InvalidTransition,
    allowed_targets,
    amount_bucket,
    is_final,
    transition,
)

ALLOWED = {
    ("new", "assigned"),
    ("assigned", "contacted"),
    ("contacted", "qualified"),
    ("qualified", "won"),
    ("qualified", "lost"),
    ("assigned", "lost"),
    ("contacted", "lost"),
}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed(current: str, target: str) -> None:
    assert transition(current, target) == target


@pytest.mark.parametrize(("current", "target"), sorted(set(itertools.product(STATUSES, STATUSES)) - ALLOWED))
def test_everything_else_is_refused(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition) as info:
        transition(current, target)
    assert (info.value.current, info.value.target) == (current, target)


def test_table_matches_the_rules() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert is_final("won") and is_final("lost") and not is_final("qualified")
    assert allowed_targets("won") == frozenset()


def test_unknown_status() -> None:
    with pytest.raises(ValueError):
        transition("new", "archived")
    with pytest.raises(ValueError):
        allowed_targets("archived")


@pytest.mark.parametrize(
    ("amount", "bucket"),
    [
        (None, None),
        (0, "<100万"),
        (999_999, "<100万"),
        (1_000_000, "100万-500万"),
        (5_000_000, "500万-1000万"),
        (30_000_000, "1000万-5000万"),
        (50_000_000, "≥5000万"),
        (10**12, "≥5000万"),
    ],
)
def test_amount_bucket(amount: int | None, bucket: str | None) -> None:
    assert amount_bucket(amount) == bucket


def test_negative_amount() -> None:
    with pytest.raises(ValueError):
        amount_bucket(-1)
