"""Lead workflow rules as pure data and functions (no database, no web framework).

new → assigned → contacted → qualified → won | lost; `lost` is also reachable from assigned, contacted
and qualified. `won` and `lost` are final.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

LeadStatus = Literal["new", "assigned", "contacted", "qualified", "won", "lost"]
LeadPriority = Literal["normal", "high"]

STATUSES: Final[tuple[str, ...]] = get_args(LeadStatus)
PRIORITIES: Final[tuple[str, ...]] = get_args(LeadPriority)
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"won", "lost"})

TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    "new": frozenset({"assigned"}),
    "assigned": frozenset({"contacted", "lost"}),
    "contacted": frozenset({"qualified", "lost"}),
    "qualified": frozenset({"won", "lost"}),
    "won": frozenset(),
    "lost": frozenset(),
}

# Upper bounds (exclusive, in yuan) and labels kept on a lead after PII erasure instead of the amount.
AMOUNT_BUCKETS: Final[tuple[tuple[int | None, str], ...]] = (
    (1_000_000, "<100万"),
    (5_000_000, "100万-500万"),
    (10_000_000, "500万-1000万"),
    (50_000_000, "1000万-5000万"),
    (None, "≥5000万"),
)


class InvalidTransition(Exception):
    """A status change the lead workflow does not allow (the API answers 409)."""

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        super().__init__(f"lead status cannot change from {current!r} to {target!r} (allowed: {allowed})")


def allowed_targets(current: str) -> frozenset[str]:
    """Statuses reachable in one step from `current`."""
    if current not in TRANSITIONS:
        raise ValueError(f"unknown lead status {current!r}")
    return TRANSITIONS[current]


def transition(current: str, target: str) -> str:
    """Return `target` when the workflow allows current → target, else raise InvalidTransition."""
    if target not in TRANSITIONS:
        raise ValueError(f"unknown lead status {target!r}")
    if target not in allowed_targets(current):
        raise InvalidTransition(current, target)
    return target


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


def amount_bucket(amount: int | None) -> str | None:
    """Coarse range label for an amount in yuan (kept for reporting after erasure)."""
    if amount is None:
        return None
    if amount < 0:
        raise ValueError("amount must not be negative")
    for upper, label in AMOUNT_BUCKETS:
        if upper is None or amount < upper:
            return label
    raise AssertionError("unreachable")
