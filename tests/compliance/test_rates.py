"""Rate mentions: loan rates vs policy percentages, periods, and the annualized suggestion."""

from __future__ import annotations

import pytest

from assistant.compliance import check, find_rates
from assistant.compliance.rates import format_percent


def _periods(text: str) -> list[tuple[str, str | None]]:
    return [(text[m.start : m.end], m.period) for m in find_rates(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日息万分之五", [("日息万分之五", "day")]),
        ("月息0.8%", [("月息0.8%", "month")]),
        ("月息8厘", [("月息8厘", "month")]),
        ("利息万分之三/天", [("利息万分之三/天", "day")]),
        ("手续费每月0.5%", [("手续费每月0.5%", "month")]),
        ("贷款利率3.5%起", [("贷款利率3.5%起", None)]),
        ("利率3.5%-4.5%", [("利率3.5%-4.5%", None)]),
        ("年化利率3.6%", [("年化利率3.6%", "annualized")]),
        ("利率（年化）3.8%", [("利率（年化）3.8%", "annualized")]),
        ("利率3.5%（年化）", [("利率3.5%（年化）", "annualized")]),
        ("年化综合融资成本5.8%", [("年化综合融资成本5.8%", "annualized")]),
        ("年利率4.35%", [("年利率4.35%", "year")]),
        ("0.05%/天的利息", [("0.05%/天的利息", "day")]),
        ("自3月1日起利率3.5%", [("利率3.5%", None)]),
    ],
)
def test_loan_rate_mentions(text: str, expected: list) -> None:
    assert _periods(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "贴息50%，资本金20%，补贴30%",
        "首付比例30%",
        "担保费率1%",
        "按贷款利率的50%给予贴息",
        "按利率50%贴息",
        "一年期贷款市场报价利率为3.1%",
        "LPR为3.45%，五年期以上LPR为3.95%",
        "新发放贷款加权平均利率4.3%",
        "利率下调0.25%",
        "同比增长20%",
        "印花税按借款金额的万分之零点五缴纳",
        "公积金贷款利率为2.85%",
        "利率十分优惠",
        "利息约为80万×4.5%×90÷360=9000元",
        "| 贴息比例 | 实际支付利息的50% | 30% |",
    ],
)
def test_policy_and_reference_percentages_are_not_loan_rates(text: str) -> None:
    assert find_rates(text) == []


def test_guarantee_fee_is_policy_unless_quoted_per_month() -> None:
    assert find_rates("年化担保费率不超过1%") == []
    assert find_rates("政府性融资担保机构担保费率降至1%以下") == []
    assert [m.period for m in find_rates("担保费按年收取，费率1%/年")] == ["year"]
    (monthly,) = find_rates("担保费每月0.2%")
    assert monthly.period == "month"
    assert not check("担保费每月0.2%，额度最高100万").passed


def test_annualization_of_daily_and_monthly_rates() -> None:
    (daily,) = find_rates("日息万分之五")
    (monthly,) = find_rates("月息0.8%")
    assert daily.annualized() == pytest.approx((0.1825, 0.1825))
    assert monthly.annualized() == pytest.approx((0.096, 0.096))
    assert find_rates("年化利率3.6%")[0].annualized() is None


def test_fix_quotes_the_rate_and_the_rewrite_carries_the_annualized_one() -> None:
    # An editor pastes fixes: a fix names no figure the text lacks; the computed APR goes in the replacement.
    (monthly,) = check("经营贷月息0.8%，随借随还").errors
    assert monthly.rule == "rate.per_period"
    assert "“月息0.8%”换算为年化利率" in monthly.fix and "9.6" not in monthly.fix
    assert "年化利率约9.6%" in monthly.replacement
    (daily,) = check("日息万分之五").errors
    assert "18.25" not in daily.fix and "年化利率约18.25%" in daily.replacement
    (ranged,) = check("月息0.6%-1%").errors
    assert "年化利率约7.2%-12%" in ranged.replacement


def test_annualized_figure_must_be_as_prominent() -> None:
    assert check("日利率0.02%，折合年化利率7.3%（单利）").passed
    assert check("年化利率18.25%（日利率0.05%）").passed
    assert not check("日利率0.05%（年化18.25%）").passed
    assert not check("【月息0.5%】\n企业主专享，年化6%，随借随还").passed
    assert check("【年化6%】\n月息0.5%").passed


def test_rates_far_from_the_annualized_figure_still_need_one() -> None:
    filler = "。我们提供多种还款方式供企业选择" * 8
    assert not check("年化利率7.2%" + filler + "。月息0.6%").passed


def test_format_percent() -> None:
    assert format_percent(0.096) == "9.6%"
    assert format_percent(0.1825) == "18.25%"
    assert format_percent(0.12) == "12%"


def test_anti_fraud_sections_and_conversion_tables_are_education_not_violations() -> None:
    from assistant.compliance import check

    fraud_table = (
        "## 常见诈骗套路\n\n| 套路 | 典型话术 |\n| --- | --- |\n| 内部渠道 | “我有内部关系，条件不够也能办” |\n"
    )
    assert check(fraud_table).passed
    conversion = "| 报价说法 | 对应年化利率（单利） |\n| --- | --- |\n| 日利率0.05%（“万分之五”） | 18.25% |\n"
    assert check(conversion).passed
    assert check("社群不提供任何资料包装服务。").passed and check("不信内部渠道。").passed
    # The same words promoted as a product still fail.
    assert not check("# 经营贷产品上新\n包过秒批，内部渠道，无视征信！").passed
    assert not check("| 期限 | 说明 |\n| --- | --- |\n| 12个月 | 日利率0.05% |\n").passed
