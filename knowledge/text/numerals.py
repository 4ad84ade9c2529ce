"""Numbers written in Chinese, Arabic or mixed forms (五十万, 两千三百, 1.5亿, 50万, 800,000) and money
amounts in 元, parsed with ``cn2an``.

Importing cn2an compiles its large patterns (about a second of CPU), so the regular forms (a number before
units, 五十万, 一亿五千万, 三点五) are read here directly and only the others (colloquial 两千三, digit strings
二〇二六) load cn2an, on first use: a command that meets no such numeral never pays for it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from types import ModuleType

from knowledge.text.normalise import normalise

CN_DIGITS = "零〇一二两三四五六七八九"
DECIMAL = r"\d+(?:\.\d+)?"  # regex fragment: 5, 3.65
GROUPED_DECIMAL = r"\d+(?:,\d{3})*(?:\.\d+)?"  # regex fragment: 800,000, 1,000.5

_GROUPED_RE = re.compile(GROUPED_DECIMAL)
_WRITTEN_RE = re.compile(r"\d+(?:[.,]\d+)*")
_DIGIT_COMMA_RE = re.compile(r"(?<=\d),(?=\d{3})")
# "两三百万", "七八千": two neighbouring digits before a unit give a rough range.
_APPROXIMATE_RE = re.compile(r"([一二两三四五六七八])([二三四五六七八九])([十百千万亿].*)")
_NUMERAL_RE = re.compile(rf"[\d.{CN_DIGITS}十百千万亿点]+")
_SPACES_RE = re.compile(r"\s+")
_HEADING_NUMBER_RE = re.compile(r"\s*([一二三四五六七八九十]{1,3})[、.．]\s*")
# Amount suffixes: informal units (50w, 5k) and the currency, which states no scale.
_INFORMAL_UNITS = (("w", "万"), ("k", "千"))
_CURRENCY = ("人民币", "元整", "元", "块钱", "块", "圆")


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "亿": 10**8}
_ARABIC_UNITS_RE = re.compile(r"(\d+(?:\.\d+)?)([十百千万亿]+)")


@cache
def _cn2an() -> ModuleType:
    import cn2an

    return cn2an


def _chinese_integer(token: str) -> int | None:
    """A regular Chinese integer (十五, 一百零五, 一亿五千万); None for any other form (left to cn2an)."""
    total, section, digit = 0, 0, None
    small, big = 10**4, 10**12  # units must come down: within a section (十百千) and across (亿万)
    previous: int | None = None  # the last unit seen
    zero = False  # a 零 since that unit

    def lone_digit_is_ones() -> bool:  # 三万五 and 两千三 are colloquial (35000, 2300): cn2an reads those
        return digit is None or previous in (None, 10) or zero

    for ch in token:
        if ch in _DIGITS:
            if digit is not None:
                return None  # a digit string (二〇二六) or a rough range (七八千)
            if _DIGITS[ch] == 0:
                zero = True
            else:
                digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= small or (digit is None and (unit != 10 or section or total or zero)):
                return None
            section += (1 if digit is None else digit) * unit
            small, previous, digit, zero = unit, unit, None, False
        else:
            unit = _BIG_UNITS[ch]
            if unit >= big or (digit is None and not section) or not lone_digit_is_ones():
                return None
            total += (section + (digit or 0)) * unit
            section, digit, small, big, previous, zero = 0, None, 10**4, unit, unit, False
    if not lone_digit_is_ones():
        return None
    return total + section + (digit or 0)


def _regular_number(token: str) -> float | None:
    """The value of a regular numeral (digits before units, or a regular Chinese number with 点 decimals)."""
    arabic = _ARABIC_UNITS_RE.fullmatch(token)
    if arabic:
        value = float(arabic.group(1))
        for unit in arabic.group(2):
            value *= _SMALL_UNITS.get(unit) or _BIG_UNITS[unit]
        return value
    whole, _, decimals = token.partition("点")
    if not whole or any(ch not in _DIGITS for ch in decimals) or (_ and not decimals):
        return None
    if any(ch.isdigit() and ch not in _DIGITS for ch in whole):
        return None
    integer = _chinese_integer(whole)
    if integer is None:
        return None
    return float(f"{integer}.{''.join(str(_DIGITS[ch]) for ch in decimals) or '0'}")


def written_numbers(text: str) -> list[str]:
    """The Arabic numbers as written, in order ("3.65", "800,000", "2027"): what a grounded answer must
    not invent."""
    return _WRITTEN_RE.findall(text)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """The number a numeral states: "5", "3.65", "800,000", "五", "三点五", "十五", "两千", "五十万",
    "一亿五千万", "1.5亿", "50万", "3百万"; a rough "两三百万" its upper end; None when it is not a number."""
    token = _SPACES_RE.sub("", normalise(text))
    if _GROUPED_RE.fullmatch(token):
        return float(token.replace(",", ""))
    token = _DIGIT_COMMA_RE.sub("", token)  # "1,200万" is 1200万
    if not token or not _NUMERAL_RE.fullmatch(token):
        return None
    approximate = _APPROXIMATE_RE.fullmatch(token)
    if approximate:  # the upper end: 两三百万 counts as 三百万
        token = approximate.group(2) + approximate.group(3)
    regular = _regular_number(token)
    if regular is not None:
        return regular
    try:
        return float(_cn2an().cn2an(token, "smart"))
    except (ValueError, KeyError):  # cn2an's answers to a malformed numeral ("十十", "点", "万万")
        return None


def parse_int(text: str) -> int | None:
    """The whole number a numeral states ("十二" → 12, "三百" → 300); None when it is not a whole number."""
    value = parse_number(text)
    return int(value) if value is not None and value.is_integer() else None


@lru_cache(maxsize=4096)
def parse_amount(text: str) -> int | None:
    """A money amount in 元: "50万元" → 500000, "1.5亿" → 150000000, "两千三百元" → 2300, "500000元",
    "800,000元", "50w", "人民币5千元"; None when the text is not an amount (or not positive)."""
    token = _SPACES_RE.sub("", normalise(text))
    token = token.removeprefix("人民币")
    for currency in _CURRENCY:
        if token.endswith(currency):
            token = token[: -len(currency)]
            break
    for informal, unit in _INFORMAL_UNITS:
        if token.endswith(informal):
            token = token[:-1] + unit
    value = parse_number(token)
    if value is None or value <= 0:
        return None
    return round(value)


def heading_number(text: str) -> tuple[int, int] | None:
    """A Chinese ordinal heading prefix ("三、适用对象", "十二．附则"): (its number, the prefix's length with
    the spaces after it); None when the text does not start with one."""
    m = _HEADING_NUMBER_RE.match(text)
    number = parse_int(m.group(1)) if m else None
    return None if m is None or number is None else (number, m.end())


def cn_numeral(number: int) -> str:
    """A whole number in Chinese numerals: 1 → 一, 12 → 十二, 105 → 一百零五."""
    return str(_cn2an().an2cn(number))
