"""Find interest-rate and fee mentions and tell loan rates from policy percentages.

"日息万分之五", "月息0.8%", "利率3.5%" are loan-rate mentions; "贴息50%", "资本金20%", "LPR为3.1%",
"按贷款利率的50%贴息" are not. Each mention carries its period (day / month / year / annualized / unknown)
so the rate rules can ask for an annualized figure and suggest one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.compliance.context import clause_end, clause_start, sentence_start
from knowledge.text import CN_DIGITS, DECIMAL, parse_number

Period = Literal["day", "month", "year", "annualized"]

_NUM = DECIMAL
_CN = rf"[{CN_DIGITS}十点]+"
# Numbers are found from their unit (%, 分之, 厘/分) outwards: scanning for a digit at every position is slow.
_DECIMAL = re.compile(_NUM)
_RANGE_JOINERS = "-—~～至到"
_FRACTION = re.compile(
    rf"(?P<unit>[百千万])分之(?P<low>{_NUM}|{_CN})(?:\s?[-~～至到]\s?(?:[百千万]分之)?(?P<high>{_NUM}|{_CN}))?"
)
_FRACTION_SCALE = {"百": 100, "千": 1_000, "万": 10_000}
# Colloquial 厘/分 ("月息8厘"): found from the unit backwards, only right after a periodic rate keyword.
_COLLOQUIAL_NUMBER = re.compile(rf"(?:{_NUM}|{_CN})[ \t]?$")
_COLLOQUIAL_END = re.compile(r"$|[^\u4e00-\u9fff]|左右|起|的|多|以|利|息")


def _words(text: str) -> list[str]:
    return text.split()


# Words before a number that make it a loan rate or fee, with the period they imply (None: not stated).
_LOAN: dict[str, Period | None] = {
    **dict.fromkeys(
        _words(
            "年化综合融资成本 年化综合成本 年化综合费率 年化利率 年化费率 年化成本 年化息费 综合年化 折合年化 "
            "折算年化 年化 APR"
        ),
        "annualized",
    ),
    **dict.fromkeys(_words("年利率 年息 年费率 年利息"), "year"),
    **dict.fromkeys(_words("日综合费率 日利率 日费率 日利息 日息 每日利息 每天利息"), "day"),
    **dict.fromkeys(_words("月综合费率 月利率 月费率 月管理费 月手续费 月利息 月息 每月利息"), "month"),
    **dict.fromkeys(
        _words("综合融资成本 综合费率 融资成本 贷款利率 借款利率 利率 利息 息费 费率 手续费 服务费 管理费"), None
    ),
}
_GUARANTEE_FEES = ("担保费率", "担保费")
_POLICY_INSTRUMENT = re.compile(r"再贷款|再贴现|中期借贷便利|MLF|逆回购|贷款市场报价利率|LPR|存款准备金|国债")
_SELF_REFERENCE = re.compile(r"我们|我行|本行|我司|本公司|本产品|本平台|该产品|这款")
# Words that make the number something else: a policy share, a tax, a reference rate, or a change.
_SKIP = _words(
    "贴息 补贴 奖补 奖励 资本金 占比 比例 比重 首付 担保费率 担保费 风险补偿 代偿 覆盖率 不良率 增长 增速 同比 "
    "环比 下降 提高 上升 成数 抵押率 质押率 折扣 税率 印花税 增值税 所得税 滞纳金 保险费率 保费 准备金 收益率 "
    "回报率 通过率 股权 持股 分成 返还 减免 降低 下调 上调 下浮 上浮 加点 减点 基点 浮动 "
    "LPR 报价利率 贷款市场报价利率 基准利率 存款利率 平均利率 加权平均利率 再贷款利率 再贴现利率 "
    "公积金贷款利率 公积金利率 利率下限 利率上限 国债 SHIBOR CPI GDP 再贷款 再贴现 支农 支小"
)
_LOAN_BY_UPPER = {k.upper(): v for k, v in _LOAN.items()}
_KEYWORDS = re.compile("|".join(re.escape(k) for k in sorted([*_LOAN, *_SKIP], key=len, reverse=True)), re.IGNORECASE)
_LOOKBACK = 14
_ANOTHER_FIGURE = re.compile(r"[%％×÷*=]")
_NUMERALS = "0-9一二三四五六七八九十"
_DAY = re.compile(rf"每天|每日|/天|/日|一天|(?<![今当次{_NUMERALS}])日(?!期)")
_MONTH = re.compile(rf"每月|/月|一个月|(?<![个{_NUMERALS}])月(?!底|初|末|份)")
_YEAR = re.compile(rf"年化|每年|/年|(?<![今明去当{_NUMERALS}])年(?!底|初|末|内|份|期)")
_SUFFIX = re.compile(r"(?:[ \t]*(?:[/每](?:天|日|月|年)|[（(]年化[)）]|起|左右))?")


@dataclass(frozen=True)
class _Number:
    """A number in the text: a rate value (fraction) or a colloquial 厘/分 count awaiting its period."""

    start: int
    end: int
    values: tuple[float, float] | None
    per_mille: bool = False
    colloquial: tuple[float, str] | None = None


@dataclass(frozen=True)
class RateMention:
    """A loan rate or fee in the text: span from its keyword to its number, rate per period as a fraction."""

    start: int
    end: int
    keyword: str
    low: float
    high: float
    period: Period | None

    def annualized(self) -> tuple[float, float] | None:
        """Simple annualization (day x 365, month x 12) of a daily or monthly figure."""
        factor = {"day": 365, "month": 12}.get(self.period or "")
        return None if factor is None else (self.low * factor, self.high * factor)


def format_percent(value: float) -> str:
    """0.096 -> '9.6%', 0.1825 -> '18.25%'."""
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _positions(text: str, needle: str) -> list[int]:
    found, pos = [], text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def _back_over(text: str, pos: int, chars: str) -> int:
    """pos, moved back over one character if that character is one of chars."""
    return pos - 1 if pos > 0 and text[pos - 1] in chars else pos


def _number_before(text: str, end: int) -> tuple[int, float] | None:
    """The decimal number ending at `end` (one space allowed before end), as (start, value)."""
    end = _back_over(text, end, " ")
    start = end
    while start > 0 and text[start - 1] in "0123456789.":
        start -= 1
    m = _DECIMAL.fullmatch(text, start, end) if start < end else None
    return None if m is None else (start, float(m.group()))


def _percentages(text: str) -> list[_Number]:
    """'3.5%', '3.45%-6%', '3-5%': the number (or range) that ends at each percent sign."""
    found: list[_Number] = []
    for pos in sorted(_positions(text, "%") + _positions(text, "％")):
        high = _number_before(text, pos)
        if high is None:
            continue
        start, low = high
        joiner = _back_over(text, start, " ")
        if joiner > 0 and text[joiner - 1] in _RANGE_JOINERS:  # a range: "3.45%-6%", "3 - 5%"
            first = _number_before(text, _back_over(text, _back_over(text, joiner - 1, " "), "%％"))
            if first is not None:
                start, low = first
        while found and found[-1].start >= start:  # "3.45%" is the first half of "3.45%-6%"
            found.pop()
        found.append(_Number(start, pos + 1, (low / 100, high[1] / 100)))
    return found


def _fractions(text: str) -> list[_Number]:
    """'万分之五', '千分之八', '百分之五十', '万分之二至万分之三'."""
    found: list[_Number] = []
    for pos in _positions(text, "分之"):
        m = _FRACTION.match(text, pos - 1) if pos else None
        if m is None or (found and m.start() < found[-1].end):
            continue
        scale = _FRACTION_SCALE[m.group("unit")]
        low = parse_number(m.group("low"))
        high = parse_number(m.group("high")) if m.group("high") else low
        if low is None or high is None:
            continue
        found.append(_Number(m.start(), m.end(), (low / scale, high / scale), per_mille=scale > 100))
    return found


def _numbers(text: str) -> list[_Number]:
    """Percentages, 百分之/万分之/千分之 figures and colloquial 厘/分 counts, in text order."""
    found = _percentages(text) + _fractions(text)
    for unit in "厘分":
        pos = text.find(unit)
        while pos != -1:
            number = _COLLOQUIAL_NUMBER.search(text, max(0, pos - 8), pos) if pos else None
            value = parse_number(number.group()) if number and _COLLOQUIAL_END.match(text, pos + 1) else None
            if number and value is not None:
                found.append(_Number(number.start(), pos + 1, None, colloquial=(value, unit)))
            pos = text.find(unit, pos + 1)
    return sorted(found, key=lambda n: n.start)


def _colloquial(value: float, unit: str, period: Period | None) -> float | None:
    """月息8厘 = 0.8% a month, 年息1分 = 10% a year, 日息5厘 = 0.05% a day."""
    if period not in ("day", "month", "year"):
        return None
    per_fen = {"year": 0.10, "month": 0.01, "day": 0.001}[period]
    return value * per_fen * (0.1 if unit == "厘" else 1)


def _period_from(gap: str, after: str, keyword_period: Period | None) -> Period | None:
    if keyword_period:
        return keyword_period
    for text in (gap, after):
        if "年化" in text:
            return "annualized"
        if _DAY.search(text):
            return "day"
        if _MONTH.search(text):
            return "month"
        if _YEAR.search(text):
            return "year"
    return None


def _clause_after(text: str, pos: int, limit: int) -> str:
    return text[pos : clause_end(text, pos, limit)]


def _mention(text: str, m: _Number) -> RateMention | None:
    lo = clause_start(text, m.start, _LOOKBACK)
    window = text[lo : m.start]
    keywords = list(_KEYWORDS.finditer(window))
    keyword = keywords[-1] if keywords else None
    # "利率（年化）3.8%": start the span at the first of adjacent keywords.
    first = keyword
    for previous in reversed(keywords[:-1]):
        if (
            first is None
            or window[previous.end() : first.start()].strip(" （(）)的")
            or (previous.group(0).upper() not in _LOAN_BY_UPPER)
        ):
            break
        first = previous
    if keyword is None:
        return _trailing_keyword_mention(text, m)
    if keyword.group(0) in _GUARANTEE_FEES:
        return _guarantee_fee_mention(text, m, lo + keyword.start(), window[keyword.end() :])
    if keyword.group(0).upper() not in _LOAN_BY_UPPER:
        return None
    gap = window[keyword.end() :]
    if _ANOTHER_FIGURE.search(gap):
        return None  # "利息的50% | 30%": the keyword governs the first figure; "利息80万×4.5%": a worked calculation
    after = _clause_after(text, m.end, 4)
    follower = _KEYWORDS.search(after)
    if gap.endswith("的") or (follower and follower.group(0).upper() not in _LOAN_BY_UPPER):
        return None  # "利率的50%" is a share of a rate; "利率50%贴息" a subsidy
    period = _period_from(gap, after, _LOAN_BY_UPPER[keyword.group(0).upper()])
    if period is None and _is_monetary_policy(text, m.start, window):
        return None
    if period is None and "年化" in window:
        period = "annualized"
    values = m.values
    if m.colloquial is not None:
        single = _colloquial(*m.colloquial, period) if len(gap) <= 4 else None
        if single is None:
            return None
        values = (single, single)
    elif m.per_mille and period is None:
        period = "day"  # 万分之X without a period is quoted per day in loan marketing
    assert values is not None
    suffix = _SUFFIX.match(text, m.end)
    end = suffix.end() if suffix else m.end
    assert first is not None
    return RateMention(lo + first.start(), end, keyword.group(0), values[0], values[1], period)


def _is_monetary_policy(text: str, pos: int, clause: str) -> bool:
    """'央行设立专项再贷款，利率1.75%': a policy instrument's rate, unless the clause speaks for a lender."""
    sentence = text[sentence_start(text, pos, 60) : pos]
    return bool(_POLICY_INSTRUMENT.search(sentence)) and not _SELF_REFERENCE.search(clause)


def _guarantee_fee_mention(text: str, m: _Number, start: int, gap: str) -> RateMention | None:
    """担保费率 is a policy figure when annual ("年化担保费率不超过1%", "1%/年"), a loan cost when per day/month."""
    period = _period_from(gap, _clause_after(text, m.end, 4), None)
    if period not in ("day", "month") or m.values is None:
        return None
    return RateMention(start, m.end, "担保费", m.values[0], m.values[1], period)


def _trailing_keyword_mention(text: str, m: _Number) -> RateMention | None:
    """'0.05%/天的利息', '万分之五的日息': keyword after the number, period right after the number."""
    values = m.values
    after = _clause_after(text, m.end, 8)
    keyword = _KEYWORDS.search(after)
    if values is None or keyword is None:
        return None
    word = keyword.group(0).upper()
    if word not in _LOAN_BY_UPPER:
        return None
    period = _LOAN_BY_UPPER[word] or _period_from("", after[: keyword.start()], None)
    if period is None:
        return None
    return RateMention(m.start, m.end + keyword.end(), keyword.group(0), values[0], values[1], period)


def find_rates(text: str) -> list[RateMention]:
    """All loan-rate and loan-fee mentions, in text order."""
    found = []
    for number in _numbers(text):
        mention = _mention(text, number)
        if mention is not None:
            found.append(mention)
    return found
