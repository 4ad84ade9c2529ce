"""Lead workflow rules as pure data and functions (no database, no web framework).

new → assigned → contacted → qualified → won | lost; `lost` is also reachable from assigned, contacted
and qualified. `won` and `lost` are final. An `assigned` lead has an assignee. The analytics funnel's stages
are the workflow's forward path (FUNNEL_STAGES). Amounts are stored in yuan; `lead_amount` reads the forms
members write ("50万", "500,000元", "五十万").
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final, Literal, get_args

from knowledge.text.numerals import parse_amount

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

LOST: Final = "lost"
# Shown to staff (UI, reports); one label per status.
STATUS_LABELS: Final[Mapping[str, str]] = {
    "new": "新线索",
    "assigned": "已分配",
    "contacted": "已联系",
    "qualified": "已确认意向",
    "won": "成交",
    "lost": "未成交",
}
MAX_AMOUNT: Final = 10**12  # yuan
_LEAD_ID_RE = re.compile(r"[0-9a-f]{32}")

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


class AssigneeRequired(ValueError):
    """A lead in `assigned` without an assignee (the API answers 422)."""


def clean_assignee(assignee: str | None) -> str | None:
    """The assignee as stored: surrounding whitespace removed; a blank name is no assignee (None)."""
    return (assignee or "").strip() or None


def check_assignee(status: str, assignee: str | None) -> None:
    """Raise AssigneeRequired when `status` is `assigned` and there is no assignee (a blank name is none)."""
    if status == "assigned" and not clean_assignee(assignee):
        raise AssigneeRequired("an assigned lead needs an assignee: give `assignee` with status `assigned`")


def is_lead_id(value: str) -> bool:
    """Whether `value` has the shape of a lead id (32 lower-case hex characters, as the store makes them)."""
    return _LEAD_ID_RE.fullmatch(value) is not None


def _forward_path() -> tuple[str, ...]:
    """new and each status's one forward step (not `lost`) until a final status: the funnel's stages."""
    path = ["new"]
    while forward := sorted(TRANSITIONS[path[-1]] - {LOST}):
        (step,) = forward  # the workflow has one forward step per status
        path.append(step)
    return tuple(path)


FUNNEL_STAGES: Final[tuple[str, ...]] = _forward_path()
# A lost lead got at least as far as the first stage `lost` can be reached from.
_LOST_FROM: Final = min(i for i, s in enumerate(FUNNEL_STAGES) if LOST in TRANSITIONS[s])


def stages_reached(status: str, *, contacted: bool = False) -> tuple[str, ...]:
    """The funnel stages a lead in `status` has passed through; `contacted`: it has a first-contact time
    (the only trace of how far a lost lead got beyond the first stage it can be lost from)."""
    last = FUNNEL_STAGES.index(status) if status in FUNNEL_STAGES else _LOST_FROM
    if status not in FUNNEL_STAGES and status != LOST:
        raise ValueError(f"unknown lead status {status!r}")
    if contacted:
        last = max(last, FUNNEL_STAGES.index("contacted"))
    return FUNNEL_STAGES[: last + 1]


_AMOUNT_HELP = 'amount must be a positive amount in yuan, e.g. 500000, "50万", "50万元" or "500,000元"'


def lead_amount(value: object) -> int | None:
    """The amount in whole yuan of a number or a written amount ("50万", "五十万", "500,000元"); None for
    None; ValueError with a clear message for anything else (zero, negative, other currencies, > 10^12)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_AMOUNT_HELP)
    if isinstance(value, int | float):
        yuan = round(value) if isinstance(value, int) or math.isfinite(value) else None
    elif isinstance(value, str):
        yuan = parse_amount(value)
    else:
        raise ValueError(_AMOUNT_HELP)
    if yuan is None or yuan <= 0:
        raise ValueError(f"{_AMOUNT_HELP}; got {value!r}")
    if yuan > MAX_AMOUNT:
        raise ValueError(f"amount must be at most {MAX_AMOUNT} yuan; got {value!r}")
    return yuan
