"""Figures in Chinese text — amounts, rates, durations, dates, times, counts, ordinals — with normalised values.

The text is normalised first (full-width digits and signs, case, traditional characters), so "３．６５％"
is 3.65 %; spans are reported in the original text. Patterns are tried in priority order and a later
one never takes text an earlier one claimed, so the "2027年" of a date is not also a duration of 2027 years.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from knowledge.text.normalise import normalise_with_offsets, span_in_original
from knowledge.text.numerals import CN_DIGITS, GROUPED_DECIMAL, parse_number

FigureKind = Literal["amount", "rate", "duration", "date", "time", "count", "ordinal"]

_NUM = GROUPED_DECIMAL
_CN = rf"[{CN_DIGITS}十]+"
_JOIN = r"\s?[-—–~至到]\s?"
_HOUR = r"[01]?\d|2[0-3]"
_M = rf"(?P<a>{_NUM})(?:{_JOIN}(?P<b>{_NUM}))?"
_MONEY_UNITS = {"万亿": 1e12, "亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4, "千元": 1e3, "元": 1.0}
_DURATION_UNITS = {
    "个工作日": ("workdays", 1), "工作日": ("workdays", 1), "个自然日": ("days", 1), "自然日": ("days", 1),
    "个月": ("months", 1), "个星期": ("days", 7), "星期": ("days", 7), "年": ("months", 12), "天": ("days", 1),
    "日": ("days", 1), "周": ("days", 7),
}  # fmt: skip
_FRACTION_SCALE = {"百": 100, "千": 1000, "万": 10000}
_CN_MONEY_UNITS = {**_MONEY_UNITS, "块钱": 1.0, "块": 1.0}
# An amount in Chinese numerals (一百万, 十二万, 五十万块, 两千三百元, 两亿五 = 2.5亿): it starts with a digit
# (not 千万 "by all means", 万一 "in case"), and no vaguer numeral stands before it (几十万, 数百万).
_CN_AMOUNT = (
    r"(?<![几数多十百千万亿零一二两三四五六七八九])(?P<a>[一二两三四五六七八九十][零一二两三四五六七八九十百千万]*)"
    r"\s?(?P<u>万亿|亿元|亿|万元|万(?!分之|一)|千元|元|块钱|块)(?P<t>[一二三四五六七八九](?![十百千万亿元块]))?"
)
_COUNT_UNITS = (
    "人次|人|家|场|次|期|页|名|项|户|笔|倍|分钟|小时|mb|kb|gb|"  # people, events, pages, durations …
    "张|份|位|条|套|台|层|楼|个(?!月|工作日|自然日|星期|百分点)"
)


@dataclass(frozen=True)
class Figure:
    """One figure: its kind, its span and text in the original, and its values in ``unit``.

    Units: amount 元; rate % (3.65 for 3.65%), bp (basis points), pp (percentage points); duration days,
    months, workdays; date ymd (20270315), ym (202703), md (315), month, year; time minutes after
    midnight; count and ordinal the counter word (人, 家, 期 …). A range has two values.
    """

    kind: FigureKind
    start: int
    end: int
    text: str
    unit: str
    values: tuple[float, ...]

    @property
    def normalised(self) -> str:
        """The values as one canonical text: "500000元", "3.65-4.8%", "12个月", "2027-03-15", "14:00"."""
        if self.unit in _DATE_FORMATS:
            return "-".join(_DATE_FORMATS[self.unit](int(v)) for v in self.values)
        return "-".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in self.values) + _LABELS.get(self.unit, self.unit)


_LABELS = {"days": "天", "months": "个月", "workdays": "个工作日"}
_DATE_FORMATS: dict[str, Callable[[int], str]] = {
    "ymd": lambda v: f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}",
    "ym": lambda v: f"{v // 100:04d}-{v % 100:02d}",
    "md": lambda v: f"{v // 100:02d}-{v % 100:02d}",
    "month": lambda v: f"{v}月",
    "year": lambda v: f"{v}年",
    "minutes": lambda v: f"{v // 60:02d}:{v % 60:02d}",
}


def _number(token: str) -> float:
    value = parse_number(token)
    if value is None:
        raise ValueError(token)
    return value


def _pair(m: re.Match[str], first: str = "a", second: str = "b") -> tuple[float, ...]:
    values = [_number(m.group(first))]
    if m.group(second):
        values.append(_number(m.group(second)))
    return tuple(values)


def _r(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(round(v, 6) for v in values)


# ----- one function per pattern: match -> (unit, values) ----------------------------------------------------
Reading = tuple[str, tuple[float, ...]]


def _full_date(m: re.Match[str]) -> Reading:
    y, mo = int(m.group("y")), int(m.group("m"))
    if m.group("d"):
        return "ymd", (y * 10000 + mo * 100 + int(m.group("d")),)
    return "ym", (y * 100 + mo,)


def _month_day(m: re.Match[str]) -> Reading:
    return "md", (int(m.group("m")) * 100 + int(m.group("d")),)


def _months(m: re.Match[str]) -> Reading:
    return "month", tuple(float(int(v)) for v in _pair(m))


def _year(m: re.Match[str]) -> Reading:
    return "year", (int(m.group("y")),)


def _time(m: re.Match[str]) -> Reading:
    times = [int(m.group("h")) * 60 + int(m.group("mi"))]
    if m.group("h2"):
        times.append(int(m.group("h2")) * 60 + int(m.group("mi2")))
    return "minutes", tuple(float(t) for t in times)


def _percent(m: re.Match[str]) -> Reading:
    return "%", _r(_pair(m))


def _fraction(m: re.Match[str]) -> Reading:
    return "%", _r([_number(m.group("a")) * 100 / _FRACTION_SCALE[m.group("u")]])


def _basis_points(m: re.Match[str]) -> Reading:
    return "bp", _r([_number(m.group("a"))])


def _points(m: re.Match[str]) -> Reading:
    return "pp", _r([_number(m.group("a"))])


def _money(m: re.Match[str]) -> Reading:
    scale = _MONEY_UNITS[m.group("u")]
    return "元", _r(v * scale for v in _pair(m))


def _cn_money(m: re.Match[str]) -> Reading:
    scale = _CN_MONEY_UNITS[m.group("u")]
    tenths = _number(m.group("t")) * scale / 10 if m.group("t") else 0.0  # 两亿五: the 五 is 0.5亿
    return "元", _r([_number(m.group("a")) * scale + tenths])


def _duration(m: re.Match[str]) -> Reading:
    unit, factor = _DURATION_UNITS[m.group("u")]
    return unit, _r(v * factor for v in _pair(m))


def _half_year(m: re.Match[str]) -> Reading:
    return "months", (6.0,)


def _count(m: re.Match[str]) -> Reading:
    return m.group("u"), _r(_pair(m))


def _ordinal(m: re.Match[str]) -> Reading:
    return m.group("u"), _r([_number(m.group("a"))])


# (kind, a literal every match contains — the pattern is skipped when the text lacks it —, pattern, reader)
_Pattern = tuple[FigureKind, str, re.Pattern[str], Callable[[re.Match[str]], Reading]]
_PATTERNS: tuple[_Pattern, ...] = (
    (
        "date",
        "年",
        re.compile(r"(?<!\d)(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月(?:\s?(?P<d>\d{1,2})\s?[日号])?"),
        _full_date,
    ),
    ("date", "", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"), _full_date),
    ("date", "月", re.compile(r"(?<![\d年.])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"), _month_day),
    ("date", "月", re.compile(rf"(?<![\d年.])(?P<a>\d{{1,2}})(?:{_JOIN}(?P<b>\d{{1,2}}))?\s?月(?![\d日号])"), _months),
    ("date", "年", re.compile(r"(?<!\d)(?P<y>\d{4})\s?年"), _year),
    (
        "time",
        ":",
        re.compile(rf"(?<![\d.])(?P<h>{_HOUR}):(?P<mi>[0-5]\d)(?:{_JOIN}(?P<h2>{_HOUR}):(?P<mi2>[0-5]\d))?(?!\d)"),
        _time,
    ),
    ("rate", "%", re.compile(rf"(?<![\d.])(?P<a>{_NUM})\s?%?(?:{_JOIN}(?P<b>{_NUM}))?\s?%"), _percent),
    ("rate", "分之", re.compile(rf"(?P<u>[百千万])分之(?P<a>{_NUM}|{_CN})"), _fraction),
    ("rate", "基点", re.compile(rf"(?<![\d.])(?P<a>{_NUM})\s?个?基点"), _basis_points),
    ("rate", "百分点", re.compile(rf"(?<![\d.])(?P<a>{_NUM}|{_CN})\s?个百分点"), _points),
    ("amount", "", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>万亿|亿元|万元|千元|亿|万(?!分之)|元)"), _money),
    ("amount", "", re.compile(_CN_AMOUNT), _cn_money),
    ("ordinal", "第", re.compile(rf"第\s?(?P<a>{_NUM})\s?(?P<u>期|场|批|届|次|名|条|款|项|轮|季度|部分)"), _ordinal),
    (
        "duration",
        "",
        re.compile(
            rf"(?<![\d.第])(?P<a>{_NUM}|{_CN})(?:{_JOIN}(?P<b>{_NUM}|{_CN}))?\s?"
            r"(?P<u>个工作日|工作日|个自然日|自然日|个月|个星期|星期|年(?![化度版级龄月])|天|日|周(?!岁|年))"
        ),
        _duration,
    ),
    ("duration", "半年", re.compile(r"(?<![上下前后])半年"), _half_year),
    ("count", "", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>{_COUNT_UNITS})"), _count),
    ("count", "岁", re.compile(rf"(?<![\d.])(?:{_M})\s?(?P<u>周岁|岁)"), _count),
)


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in taken)


def find_figures(text: str, exclude: Iterable[tuple[int, int]] = ()) -> list[Figure]:
    """Every figure in the text, in text order; no figure overlaps a span of ``exclude`` or another figure."""
    # "，" would fold to ",", making "100，200万元" one grouped number; "、" separates just as well.
    normalised, offsets = normalise_with_offsets(text.replace("，", "、"))
    taken = list(exclude)  # spans of the original text
    found: list[Figure] = []
    for kind, needed, pattern, read in _PATTERNS:
        if needed not in normalised:
            continue
        for m in pattern.finditer(normalised):
            if m.end() <= m.start():
                continue
            start, end = span_in_original(offsets, m.start(), m.end(), len(text))
            if not _free(taken, start, end):
                continue
            try:
                unit, values = read(m)
            except ValueError:  # a malformed Chinese numeral ("十十")
                continue
            taken.append((start, end))
            found.append(Figure(kind, start, end, text[start:end], unit, values))
    return sorted(found, key=lambda f: (f.start, f.end))


def arabic_amounts(text: str) -> str:
    """The text with amounts written in Chinese numerals put in Arabic ones, as documents write them: 一百万 →
    100万, 两亿五 → 2.5亿, 五十万块 → 50万元; everything else unchanged."""
    for figure in reversed(find_figures(text)):
        if figure.kind != "amount" or re.search(r"\d", figure.text):
            continue
        value = figure.values[0]
        scale, name = next(((s, n) for s, n in ((1e8, "亿"), (1e4, "万")) if value >= s), (1.0, ""))
        currency = "元" if re.search(r"[元块]", figure.text) or not name else ""
        text = text[: figure.start] + f"{value / scale:g}{name}{currency}" + text[figure.end :]
    return text


# A two-digit year is only read where a year must be meant (24年度, 27年3月, 21年版): "24年" alone is as likely
# a duration.
_SHORT_YEAR_RE = re.compile(r"(?<![\d.])(?P<y>\d{2})\s?年(?=度|版|初|底|末|\s?\d{1,2}\s?月)")
_YEAR_UNITS = {"year": 1, "ym": 100, "ymd": 10000}


def years_named(text: str, skip_after: Iterable[str] = ()) -> list[int]:
    """The calendar years the text names (2027年, 2027年3月, 2027-03-15, 27年度), in text order, once each.

    A year directly followed by one of ``skip_after`` (成立, 注册 …) is left out: it describes the asker.
    """
    normalised, _ = normalise_with_offsets(text)
    skips = tuple(skip_after)
    found: list[tuple[int, int]] = []
    for figure in find_figures(text):
        if figure.kind == "date" and figure.unit in _YEAR_UNITS:
            found += [(figure.start, int(v) // _YEAR_UNITS[figure.unit]) for v in figure.values[:1]]
            if skips and text[figure.end :].lstrip("的").startswith(skips):
                found.pop()
    for m in _SHORT_YEAR_RE.finditer(normalised):
        rest = normalised[m.end() :]
        if not (skips and rest.lstrip("度的").startswith(skips)):
            found.append((m.start(), 2000 + int(m.group("y"))))
    return list(dict.fromkeys(year for _, year in sorted(found)))


def seasons_named(text: str, seasons: Iterable[str]) -> list[str]:
    """The seasons the text names, in text order, each as its first character (春 for 春季 or 春天), from the
    season words given (``lexicons/seasons.txt``)."""
    named = sorted((text.find(word), word[0]) for word in seasons if word in text)
    return list(dict.fromkeys(season for _, season in named))


def mentions_season(season: str, text: str, seasons: Iterable[str]) -> bool:
    """The text names the season (春) by one of its words."""
    return any(word[0] == season and word in text for word in seasons)
