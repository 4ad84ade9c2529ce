"""Checkable figures in Chinese text — rates, amounts, terms, dates, conditions — as comparable keys.

The same extractor runs over a draft (to find its claims) and over a cited chunk (to find what the chunk
supports), so "3.65%" matches "3.65％", "80万元" matches "800,000元", "1年" matches "12个月" and
"3月25日" matches "2027年3月25日". The figures themselves come from ``knowledge.text.figures``; this
module adds conditions ("成立满3年", "营业收入不低于500万元"), found first so that their figures are
not also claims of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.text import CN_DIGITS, GROUPED_DECIMAL, find_figures
from knowledge.text import Figure as TextFigure

Key = tuple[object, ...]

_NUM = GROUPED_DECIMAL
_CN = rf"[{CN_DIGITS}十]+"
_JOIN = r"\s?[-—–~～至到]\s?"
_M = rf"(?P<a>{_NUM})(?:{_JOIN}(?P<b>{_NUM}))?"
_CMP = r"(?:不低于|不少于|不超过|不高于|不足|超过|高于|低于|达到|达|在|满|为)"
# The claim kind of each kind of text figure.
_CLAIM_KINDS = {
    "amount": "amount", "rate": "rate", "duration": "term", "date": "date", "time": "date", "count": "amount",
    "ordinal": "amount",
}  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """One figure: its kind, span in the text, and the normalised values it states."""

    kind: str  # rate | amount | term | date | condition
    start: int
    end: int
    keys: frozenset[Key]
    values: frozenset[Key] = frozenset()  # a condition's bare values (its keys are qualified by subject)


def _date_key(unit: str, value: int) -> Key:
    keys: dict[str, Callable[[int], Key]] = {
        "ymd": lambda v: ("date", v // 10000, v // 100 % 100, v % 100),
        "ym": lambda v: ("ym", v // 100, v % 100),
        "md": lambda v: ("md", v // 100, v % 100),
        "month": lambda v: ("mon", v),
        "year": lambda v: ("year", v),
        "minutes": lambda v: ("time", v // 60, v % 60),
    }
    return keys[unit](value)


def _keys(figure: TextFigure) -> frozenset[Key]:
    """The comparable keys of a text figure: ("pct", 3.65), ("cny", 800000.0), ("months", 12.0) …"""
    unit = figure.unit
    if figure.kind in ("date", "time"):
        return frozenset(_date_key(unit, int(v)) for v in figure.values)
    if figure.kind in ("count", "ordinal"):
        return frozenset((figure.kind, unit, v) for v in figure.values)
    name = {"%": "pct", "元": "cny"}.get(unit, unit)
    return frozenset((name, v) for v in figure.values)


def _claim_figures(text: str, exclude: Iterable[tuple[int, int]] = ()) -> list[Figure]:
    return [Figure(_CLAIM_KINDS[f.kind], f.start, f.end, _keys(f)) for f in find_figures(text, exclude)]


_CONDITIONS = (
    re.compile(
        rf"(?:成立|注册|经营|营业|设立|运营|执业|取得营业执照|营业执照注册)(?:时间|年限)?\s?(?:满|超过|不少于|不低于|达到?)\s?"
        rf"(?:{_NUM}|{_CN})\s?(?:个完整会计年度|个会计年度|个月|年)(?:以上)?"
    ),
    re.compile(
        r"(?:营业收入|营收|销售收入|销售额|收入|纳税额|纳税|研发投入|研发费用|流水|净利润|资产总额|注册资本|融资需求|"
        rf"持股比例|年龄)[^，。；;\n]{{0,10}}?{_CMP}?\s?{_M}\s?(?:万亿|亿元|万元|亿|万|元|%|％|周岁|岁)(?:以上|以下|以内)?"
    ),
    re.compile(
        rf"(?:近|最近|过去)\s?(?:{_NUM}|{_CN})\s?(?:个月|年)[^，。；;\n]{{0,12}}?(?:纳税|流水|逾期|查询|收入|经营)"
    ),
)


# What a condition is about, so "成立满3年" is not supported by an unrelated "1—3年" in the same source.
_SUBJECTS = (
    ("established", ("成立", "注册", "设立", "营业执照", "经营满", "运营", "执业")),
    ("revenue", ("营业收入", "营收", "销售收入", "销售额", "收入")),
    ("tax", ("纳税",)),
    ("research", ("研发",)),
    ("cashflow", ("流水",)),
    ("profit", ("净利润",)),
    ("capital", ("资产总额", "注册资本")),
    ("need", ("融资需求",)),
    ("share", ("持股",)),
    ("age", ("年龄",)),
    ("overdue", ("逾期",)),
    ("inquiry", ("查询",)),
    ("operation", ("经营",)),
)
_AT_MOST_RE = re.compile(r"不超过|不高于|低于|不足|以下|以内")
_AT_LEAST_RE = re.compile(r"不低于|不少于|超过|高于|达到|达|满|以上")


def _qualifier(text: str) -> tuple[str, str]:
    """(subject, direction) of a condition: "营业收入不低于500万元" → ("revenue", "min")."""
    subject = next((name for name, words in _SUBJECTS if any(w in text for w in words)), "other")
    direction = "max" if _AT_MOST_RE.search(text) else "min" if _AT_LEAST_RE.search(text) else ""
    return subject, direction


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in taken)


def figures(text: str) -> list[Figure]:
    """Every figure in the text, in text order. Conditions carry the values of the figures inside them."""
    taken: list[tuple[int, int]] = []
    found: list[Figure] = []
    for pattern in _CONDITIONS:
        for m in pattern.finditer(text):
            if not _free(taken, m.start(), m.end()):
                continue
            values = frozenset(k for f in _claim_figures(m.group()) for k in f.keys)
            if values:
                taken.append((m.start(), m.end()))
                keys = frozenset(("cond", *_qualifier(m.group()), k) for k in values)
                found.append(Figure("condition", m.start(), m.end(), keys, values))
    found += _claim_figures(text, exclude=taken)
    return sorted(found, key=lambda f: (f.start, f.end))


def projections(key: Key) -> set[Key]:
    """A full date also supports its month-day, year-month, year and month; a year-month its year and month."""
    if key[0] == "date":
        _, y, m, d = key
        return {key, ("md", m, d), ("ym", y, m), ("year", y), ("mon", m)}
    if key[0] == "ym":
        _, y, m = key
        return {key, ("year", y), ("mon", m)}
    if key[0] == "md":
        return {key, ("mon", key[1])}
    return {key}


def supported_keys(text: str) -> set[Key]:
    """All values a source text states, including the partial dates its full dates imply."""
    return {p for f in figures(text) for key in f.keys | f.values for p in projections(key)}
