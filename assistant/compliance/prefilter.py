"""Literal triggers: a cheap proof that a regex cannot match a text, so most rules skip most texts.

`required_literals(pattern)` walks the parsed regex and returns a set of literal strings such that every
match contains at least one of them (or None when it cannot tell). `TriggerIndex` finds, in one scan,
which triggers occur in a text. Correctness never depends on this: a pattern without triggers always runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import product
from typing import Any

try:  # the stdlib regex parser (private but stable across 3.11+); without it nothing is pre-filtered
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _p = _c = None

_MAX_EXPANSIONS = 64
Literals = frozenset[str]


def _finite(item: tuple[Any, Any]) -> set[str] | None:
    """All strings a single parsed item can match, when that is a small finite set."""
    op, av = item
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN and all(o is _c.LITERAL for o, _ in av):
        return {chr(v) for _, v in av}
    if op is _c.SUBPATTERN:
        return None if _case_insensitive(av) else _finite_seq(av[3])
    if op is _c.BRANCH:
        out = _each_branch(av[1], _finite_seq)
        return out if out is not None and len(out) <= _MAX_EXPANSIONS else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == av[1] == 1:
        return _finite_seq(av[2])
    return None


def _each_branch(branches: Iterable[Any], strings_of: Callable[[Any], set[str] | None]) -> set[str] | None:
    """The union of `strings_of` over an alternation's branches; None when a branch gives None."""
    out: set[str] = set()
    for branch in branches:
        strings = strings_of(branch)
        if strings is None:
            return None
        out |= strings
    return out


def _case_insensitive(subpattern_args: tuple[Any, ...]) -> bool:
    return bool(subpattern_args[1] & re.IGNORECASE)


def _zero_width(op: Any) -> bool:
    return op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


def _finite_seq(seq: Any) -> set[str] | None:
    strings = {""}
    for op, av in seq:
        if _zero_width(op):
            continue
        item = _finite((op, av))
        if item is None:
            return None
        strings = {a + b for a, b in product(strings, item)}
        if len(strings) > _MAX_EXPANSIONS:
            return None
    return strings


def _required(item: tuple[Any, Any]) -> set[str] | None:
    op, av = item
    if op is _c.SUBPATTERN:
        return None if _case_insensitive(av) else _required_seq(av[3])
    if op is _c.BRANCH:
        return _each_branch(av[1], _required_seq)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _required_seq(av[2])
    return None


# Words so frequent in loan texts that they make poor triggers (they would wake a rule on every post).
_COMMON = frozenset(["利率", "利息", "年化", "费率", "贷款", "额度", "申请", "银行"])


def _score(literals: set[str]) -> tuple[int, bool, int]:
    """Higher is a better trigger set: longer shortest literal, no common words, fewer alternatives."""
    return (min(map(len, literals)), not literals & _COMMON, -len(literals))


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    if not a or "" in a:
        return b if b and "" not in b else None
    if not b or "" in b:
        return a
    return a if _score(a) >= _score(b) else b


def _required_seq(seq: Any) -> set[str] | None:
    best: set[str] | None = None
    run: set[str] | None = None
    for op, av in seq:
        if _zero_width(op):
            continue
        finite = _finite((op, av))
        if finite is not None and "" not in finite:
            joined = finite if run is None else {a + b for a, b in product(run, finite)}
            run = joined if len(joined) <= _MAX_EXPANSIONS else finite
            best = _better(best, run)
            continue
        run = None
        best = _better(best, _required((op, av)))
    return best


def required_literals(pattern: str) -> Literals | None:
    """Literals one of which every match of `pattern` contains; None when that cannot be derived."""
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _required_seq(parsed)
    return frozenset(found) if found and "" not in found else None


class TriggerIndex:
    """One regex over every trigger of every filtered pattern; reports which keys may match a text."""

    def __init__(self, keyed: Iterable[tuple[str, Literals | None]]) -> None:
        self.always: set[str] = set()
        by_trigger: dict[str, set[str]] = {}
        for key, literals in keyed:
            if not literals:
                self.always.add(key)
                continue
            for literal in literals:
                by_trigger.setdefault(literal, set()).add(key)
        triggers = sorted(by_trigger, key=len, reverse=True)
        # A lookahead reports the longest trigger at each position; shorter ones that are its prefixes count too.
        self._keys_for = {t: _prefix_keys(t, by_trigger) for t in triggers}
        self._regex = re.compile(_trie(triggers)) if triggers else None

    def candidates(self, text: str) -> dict[str, list[int] | None]:
        """Keys whose pattern may match in text, each with the trigger positions (None: scan everything)."""
        found: dict[str, list[int] | None] = dict.fromkeys(self.always)
        if self._regex is None:
            return found
        search, pos = self._regex.search, 0
        while (m := search(text, pos)) is not None:  # restart one past each hit: triggers may overlap
            for key in self._keys_for[m.group()]:
                positions = found.setdefault(key, [])
                if positions is not None:
                    positions.append(m.start())
            pos = m.start() + 1
        return found


def _prefix_keys(trigger: str, by_trigger: dict[str, set[str]]) -> set[str]:
    """The keys of every trigger that is a prefix of `trigger` (itself included)."""
    keys: set[str] = set()
    for end in range(1, len(trigger) + 1):
        keys |= by_trigger.get(trigger[:end], set())
    return keys


def max_width(pattern: str) -> int | None:
    """The most characters a match can span, or None when unbounded or unknown."""
    if _p is None:
        return None
    try:
        width = _p.parse(pattern).getwidth()[1]
    except (re.error, OverflowError):
        return None
    return width if width < 1000 else None


# Lookarounds in rule patterns reach at most this far beyond a match.
LOOKAROUND_MARGIN = 8


def finditer_near(
    regex: re.Pattern[str], text: str, positions: list[int] | None, width: int | None
) -> Iterator[re.Match[str]]:
    """Matches of regex, scanning only around trigger positions when its match width is bounded.

    positions None (no triggers known) or width None (unbounded) means scanning the whole text.
    """
    if positions is None or width is None:
        yield from regex.finditer(text)
        return
    for lo, hi in windows(positions, width, LOOKAROUND_MARGIN, len(text)):
        yield from regex.finditer(text, lo, hi)


def windows(positions: Iterable[int], width: int, margin: int, length: int) -> list[tuple[int, int]]:
    """Merged [start, end) ranges that hold every match of at most `width` chars touching a position."""
    merged: list[tuple[int, int]] = []
    for pos in sorted(positions):
        lo, hi = max(0, pos - width - margin), min(length, pos + width + margin)
        if lo >= hi:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _trie(words: Iterable[str]) -> str:
    """A regex alternation factored as a trie, longest alternatives first."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        optional = "" in node
        body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return emit(root)
