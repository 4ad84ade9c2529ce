"""Rules that are code rather than patterns: rate disclosure, risk statements and personal data.

A check receives the Scan (the text plus lazily computed facts about it) and its Rule, and yields Hits.
YAML names a check by its key in CHECKS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from assistant.compliance.context import is_negated, table_header
from assistant.compliance.prefilter import finditer_near, max_width
from assistant.compliance.rates import RateMention, find_rates, format_percent
from assistant.compliance.rules import Context, Rule, param_key
from assistant.privacy import BANK_CARD_RE, ID_CARD_RE, PHONE_RE, mask_pii

_NEARBY = 80
# Every personal-data pattern in assistant/privacy.py contains three digits, an optional separator, four digits,
# so those regexes only need to run near such a run (the gate is at most 8 characters long).
_DIGIT_GATE = re.compile(r"\d{3}[-\s]?\d{4}")
_PII_WIDTH = {regex: (max_width(regex.pattern) or 64) + 8 for regex in (PHONE_RE, ID_CARD_RE, BANK_CARD_RE)}


@dataclass(frozen=True)
class Hit:
    """One place a rule fires; fix/replacement override the rule's own when given."""

    start: int
    end: int
    fix: str | None = None
    replacement: str | None = None


@dataclass
class Scan:
    """The text under check plus facts several checks share, computed at most once.

    `candidates` is the trigger pre-filter's answer (see prefilter.py); None means "no pre-filter".
    """

    text: str
    context: Context = "post"
    candidates: dict[str, list[int] | None] | None = None

    def search_param(self, rule: Rule, name: str) -> re.Match[str] | None:
        """First match of one of the rule's param regexes, scanning only near its triggers."""
        key = param_key(rule.id, name)
        if self.candidates is not None and key not in self.candidates:
            return None
        positions = None if self.candidates is None else self.candidates[key]
        matches = finditer_near(rule.param_regexes[name], self.text, positions, rule.param_widths[name])
        return next(matches, None)

    @cached_property
    def rates(self) -> list[RateMention]:
        return find_rates(self.text)

    @cached_property
    def digit_runs(self) -> list[int]:
        return [m.start() for m in _DIGIT_GATE.finditer(self.text)]

    def pii(self, regex: re.Pattern[str]) -> list[re.Match[str]]:
        """Matches of a personal-data regex, looked for only around runs of digits."""
        if not self.digit_runs:
            return []
        return list(finditer_near(regex, self.text, self.digit_runs, _PII_WIDTH[regex]))

    @cached_property
    def id_cards(self) -> list[tuple[int, int]]:
        return [m.span() for m in self.pii(ID_CARD_RE)]


Check = Callable[[Scan, Rule], Iterator[Hit]]


def _range(low: float, high: float) -> str:
    return format_percent(low) if abs(high - low) < 1e-12 else f"{format_percent(low)}-{format_percent(high)}"


def _enclosed(text: str, pos: int, opener: str, closer: str, reach: int = 30) -> bool:
    """True when pos is inside an opener…closer pair on the same line."""
    for i in range(pos - 1, max(-1, pos - reach - 1), -1):
        ch = text[i]
        if ch in closer or ch == "\n":
            return False
        if ch in opener:
            return True
    return False


def _prominence(text: str, mention: RateMention) -> int:
    """2 = emphasised (【】, **) or a line of its own, 0 = in parentheses, 1 = running text."""
    if _enclosed(text, mention.start, "（(", "）)"):
        return 0
    if _enclosed(text, mention.start, "【", "】") or text.count("**", 0, mention.start) % 2 == 1:
        return 2
    line_start = text.rfind("\n", 0, mention.start) + 1
    line_end = text.find("\n", mention.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    headline = "\n" in text and len(line.strip()) <= mention.end - mention.start + 6
    return 2 if headline else 1


def _row_shows_annualized(text: str, mention: RateMention) -> bool:
    """A table row under a header with a 年化 column, holding another percentage: disclosed side by side."""
    if "年化" not in table_header(text, mention.start):
        return False
    line_start = text.rfind("\n", 0, mention.start) + 1
    line_end = text.find("\n", mention.end)
    row = text[line_start : len(text) if line_end < 0 else line_end]
    return len(re.findall(r"\d[\d.]*\s?[%％]", row)) >= 2


def rate_per_period(scan: Scan, rule: Rule) -> Iterator[Hit]:
    """Daily or monthly rates need an annualized figure nearby that is at least as prominent."""
    text = scan.text
    annual = [m for m in scan.rates if m.period in ("annualized", "year")]
    for mention in scan.rates:
        yearly = mention.annualized()
        if yearly is None or is_negated(text, mention.start, mention.end):
            continue
        if _row_shows_annualized(text, mention):
            continue
        near = [a for a in annual if abs(a.start - mention.start) <= _NEARBY]
        if near and max(_prominence(text, a) for a in near) >= _prominence(text, mention):
            continue
        # The fix names no figure the text lacks (an editor pastes fixes); the computed APR is in the replacement.
        quoted = text[mention.start : mention.end]
        if near:
            fix = "已写年化利率，但不如日/月利率醒目：把年化利率放在前面，字号和位置不弱于日/月利率。"
        else:
            fix = f"改为以年化利率为主展示：把“{quoted}”换算为年化利率（单利）写在前面；{rule.fix}"
        yield Hit(mention.start, mention.end, fix, f"年化利率约{_range(*yearly)}（单利，以合同约定为准）")


def rate_unannualized(scan: Scan, rule: Rule) -> Iterator[Hit]:
    """A rate or fee quoted with no period: not clearly annual, so the annualized rate is missing."""
    for mention in scan.rates:
        if mention.period is None and not is_negated(scan.text, mention.start, mention.end):
            yield Hit(mention.start, mention.end)


def missing_risk_statement(scan: Scan, rule: Rule) -> Iterator[Hit]:
    """Product promotion (a loan-product word and a call to action) without a risk statement."""
    product = scan.search_param(rule, "product")
    if product is None or scan.search_param(rule, "call_to_action") is None:
        return
    if scan.search_param(rule, "statement") is not None:
        return
    yield Hit(product.start(), product.end())


def pii_id_card(scan: Scan, rule: Rule) -> Iterator[Hit]:
    for start, end in scan.id_cards:
        yield Hit(start, end, replacement=mask_pii(scan.text[start:end]))


def pii_bank_card(scan: Scan, rule: Rule) -> Iterator[Hit]:
    for m in scan.pii(BANK_CARD_RE):
        if not any(s < m.end() and m.start() < e for s, e in scan.id_cards):
            yield Hit(m.start(), m.end(), replacement=mask_pii(m.group(0)))


def pii_phone(scan: Scan, rule: Rule) -> Iterator[Hit]:
    for m in scan.pii(PHONE_RE):
        yield Hit(m.start(), m.end(), replacement=mask_pii(m.group(0)))


CHECKS: dict[str, Check] = {
    "rate_per_period": rate_per_period,
    "rate_unannualized": rate_unannualized,
    "missing_risk_statement": missing_risk_statement,
    "pii_id_card": pii_id_card,
    "pii_bank_card": pii_bank_card,
    "pii_phone": pii_phone,
}
