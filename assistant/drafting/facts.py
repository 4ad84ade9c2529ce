"""Checkable figures in Chinese text — rates, amounts, terms, dates, conditions — with normalised values.

The same extractor runs over a draft (to find its claims) and over a cited chunk (to find what the chunk
supports), so "3.65%" matches "3.65％", "80万元" matches "800,000元", "1年" matches "12个月" and
"3月25日" matches "2027年3月25日". Figures are found in priority order and later patterns never take text
an earlier one claimed, so "2027年" in a date is not also a term of 2027 years.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.compliance.rates import cn_number

Key = tuple[object, ...]

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十]+"
_JOIN = r"\s?[-—–~～至到]\s?"
_HOUR = r"[01]?\d|2[0-3]"
_CMP = r"(?:不低于|不少于|不超过|不高于|不足|超过|高于|低于|达到|达|在|满|为)"
_MONEY_UNITS = {"万亿": 1e12, "亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4, "千元": 1e3, "元": 1.0}
_TERM_UNITS = {
    "个工作日": ("workdays", 1), "工作日": ("workdays", 1), "个自然日": ("days", 1), "自然日": ("days", 1),
    "个月": ("months", 1), "个星期": ("days", 7), "星期": ("days", 7), "年": ("months", 12), "天": ("days", 1),
    "日": ("days", 1), "周": ("days", 7),
}  # fmt: skip
_COUNT_UNITS = (
    "人次|人|家|场|次|期|页|名|项|户|笔|倍|分钟|小时|MB|KB|GB|"  # counts of people, events, pages, durations…
    "张|份|位|条|套|台|层|楼|个(?!月|工作日|自然日|星期)"
)


@dataclass(frozen=True)
class Figure:
    """One figure: its kind, span in the text, and the normalised values it states."""

    kind: str  # rate | amount | term | date | condition
    start: int
    end: int
    keys: frozenset[Key]
    values: frozenset[Key] = frozenset()  # a condition's bare values (its keys are qualified by subject)


def _number(token: str) -> float:
    token = token.replace(",", "")
    return float(token) if re.fullmatch(r"\d+(?:\.\d+)?", token) else cn_number(token)


def _r(value: float) -> float:
    return round(value, 6)


def _pair(match: re.Match[str], first: str = "a", second: str = "b") -> list[float]:
    values = [_number(match.group(first))]
    if match.group(second):
        values.append(_number(match.group(second)))
    return values


# ----- one function per figure kind: match -> normalised keys -----------------------------------------------


def _full_date(m: re.Match[str]) -> set[Key]:
    y, mo = int(m.group("y")), int(m.group("m"))
    return {("date", y, mo, int(m.group("d")))} if m.group("d") else {("ym", y, mo)}


def _month_day(m: re.Match[str]) -> set[Key]:
    return {("md", int(m.group("m")), int(m.group("d")))}


def _months(m: re.Match[str]) -> set[Key]:
    return {("mon", int(v)) for v in _pair(m)}


def _year(m: re.Match[str]) -> set[Key]:
    return {("year", int(m.group("y")))}


def _time(m: re.Match[str]) -> set[Key]:
    keys: set[Key] = {("time", int(m.group("h")), int(m.group("mi")))}
    if m.group("h2"):
        keys.add(("time", int(m.group("h2")), int(m.group("mi2"))))
    return keys


def _percent(m: re.Match[str]) -> set[Key]:
    return {("pct", _r(v)) for v in _pair(m)}


def _fraction(m: re.Match[str]) -> set[Key]:
    scale = {"百": 100, "千": 1000, "万": 10000}[m.group("u")]
    return {("pct", _r(_number(m.group("a")) * 100 / scale))}


def _basis_points(m: re.Match[str]) -> set[Key]:
    return {("bp", _r(_number(m.group("a"))))}


def _money(m: re.Match[str]) -> set[Key]:
    scale = _MONEY_UNITS[m.group("u")]
    return {("cny", _r(v * scale)) for v in _pair(m)}


def _term(m: re.Match[str]) -> set[Key]:
    unit, factor = _TERM_UNITS[m.group("u")]
    return {(unit, _r(v * factor)) for v in _pair(m)}


def _half_year(m: re.Match[str]) -> set[Key]:
    return {("months", 6.0)}


def _count(m: re.Match[str]) -> set[Key]:
    unit = m.group("u")
    return {("count", unit, _r(v)) for v in _pair(m)}


def _ordinal(m: re.Match[str]) -> set[Key]:
    return {("ordinal", m.group("u"), _r(_number(m.group("a"))))}


Extractor = tuple[str, re.Pattern[str], Callable[[re.Match[str]], set[Key]]]
_M = rf"(?P<a>{_NUM})(?:{_JOIN}(?P<b>{_NUM}))?"
_EXTRACTORS: tuple[Extractor, ...] = (
    ("date", re.compile(r"(?<!\d)(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月(?:\s?(?P<d>\d{1,2})\s?[日号])?"), _full_date),
    ("date", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"), _full_date),
    ("date", re.compile(r"(?<![\d年.])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"), _month_day),
    ("date", re.compile(rf"(?<![\d年.])(?P<a>\d{{1,2}})(?:{_JOIN}(?P<b>\d{{1,2}}))?\s?月(?![\d日号])"), _months),
    ("date", re.compile(r"(?<!\d)(?P<y>\d{4})\s?年"), _year),
    (
        "date",
        re.compile(
            rf"(?<![\d.])(?P<h>{_HOUR})[:：](?P<mi>[0-5]\d)(?:{_JOIN}(?P<h2>{_HOUR})[:：](?P<mi2>[0-5]\d))?(?!\d)"
        ),
        _time,
    ),
    ("rate", re.compile(rf"(?<![\d.])(?P<a>{_NUM})\s?[%％]?(?:{_JOIN}(?P<b>{_NUM}))?\s?[%％]"), _percent),
    ("rate", re.compile(rf"(?P<u>[百千万])分之(?P<a>{_NUM}|{_CN})"), _fraction),
    ("rate", re.compile(rf"(?<![\d.])(?P<a>{_NUM})\s?个?基点"), _basis_points),
    ("amount", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>万亿|亿元|万元|千元|亿|万(?!分之)|元)"), _money),
    ("amount", re.compile(rf"第\s?(?P<a>{_NUM})\s?(?P<u>期|场|批|届|次|名|条|款|项|轮|季度|部分)"), _ordinal),
    (
        "term",
        re.compile(
            rf"(?<![\d.第])(?P<a>{_NUM}|{_CN})(?:{_JOIN}(?P<b>{_NUM}|{_CN}))?\s?"
            r"(?P<u>个工作日|工作日|个自然日|自然日|个月|个星期|星期|年(?![化度版级龄月])|天|日|周(?!岁|年))"
        ),
        _term,
    ),
    ("term", re.compile(r"(?<![上下前后])半年"), _half_year),
    ("amount", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>{_COUNT_UNITS})"), _count),
    ("amount", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>周岁|岁)"), _count),
)
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


def _atoms(text: str, base: int, taken: list[tuple[int, int]]) -> Iterator[Figure]:
    for kind, pattern, keys in _EXTRACTORS:
        for m in pattern.finditer(text):
            start, end = base + m.start(), base + m.end()
            if m.end() > m.start() and _free(taken, start, end):
                taken.append((start, end))
                yield Figure(kind, start, end, frozenset(keys(m)))


def figures(text: str) -> list[Figure]:
    """Every figure in the text, in text order. Conditions carry the values of the figures inside them."""
    taken: list[tuple[int, int]] = []
    found: list[Figure] = []
    for pattern in _CONDITIONS:
        for m in pattern.finditer(text):
            if not _free(taken, m.start(), m.end()):
                continue
            values = frozenset(k for f in _atoms(m.group(), m.start(), []) for k in f.keys)
            if values:
                taken.append((m.start(), m.end()))
                keys = frozenset(("cond", *_qualifier(m.group()), k) for k in values)
                found.append(Figure("condition", m.start(), m.end(), keys, values))
    found += _atoms(text, 0, taken)
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
