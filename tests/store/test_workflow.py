"""The pure lead workflow rules (assistant/leads.py)."""

from __future__ import annotations

import itertools

import pytest

from assistant.leads import (
    FUNNEL_STAGES,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    AssigneeRequired,
    InvalidTransition,
    allowed_targets,
    amount_bucket,
    check_assignee,
    is_final,
    is_lead_id,
    lead_amount,
    stages_reached,
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


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        (None, None),
        (500_000, 500_000),
        (2.5e6, 2_500_000),
        ("500000", 500_000),
        ("500,000元", 500_000),
        ("50万", 500_000),
        ("50万元", 500_000),
        ("五十万", 500_000),
        ("两千三百元", 2_300),
        ("人民币1.5亿元", 150_000_000),
    ],
)
def test_lead_amount(value: object, yuan: int | None) -> None:
    assert lead_amount(value) == yuan


@pytest.mark.parametrize("value", ["", "很多", "五十万美元", "0", 0, -3, "-3万", 10**13, True, float("nan"), [500]])
def test_lead_amount_refuses_nonsense(value: object) -> None:
    with pytest.raises(ValueError, match="amount"):
        lead_amount(value)


def test_funnel_stages_follow_the_workflow() -> None:
    assert FUNNEL_STAGES == ("new", "assigned", "contacted", "qualified", "won")
    for earlier, later in itertools.pairwise(FUNNEL_STAGES):
        assert later in TRANSITIONS[earlier]
    assert set(STATUS_LABELS) == set(STATUSES)


@pytest.mark.parametrize(
    ("status", "contacted", "reached"),
    [
        ("new", False, 1),
        ("assigned", False, 2),
        ("won", True, 5),
        ("lost", False, 2),  # lost is only reachable from assigned on
        ("lost", True, 3),
    ],
)
def test_stages_reached(status: str, contacted: bool, reached: int) -> None:
    assert stages_reached(status, contacted=contacted) == FUNNEL_STAGES[:reached]


def test_assignee_rule() -> None:
    check_assignee("new", None)
    check_assignee("contacted", None)
    check_assignee("assigned", "rm-zhao")
    for assignee in (None, ""):
        with pytest.raises(AssigneeRequired, match="assignee"):
            check_assignee("assigned", assignee)


@pytest.mark.parametrize("lead_id", ["0" * 32, "0123456789abcdef0123456789abcdef"])
def test_lead_ids(lead_id: str) -> None:
    assert is_lead_id(lead_id)
    assert not is_lead_id(lead_id.upper().replace("0", "G")) and not is_lead_id(lead_id + "0")
