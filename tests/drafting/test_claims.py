"""Claim extraction and checking: normalised values, citation lookup, flags in place."""

from __future__ import annotations

import pytest

from assistant.drafting import Citation, check_claims
from assistant.drafting.facts import figures, supported_keys

PRODUCT = Citation(
    n=1,
    source="products/demo.md",
    title="示范经营贷产品说明（2025年版）",
    heading="示范经营贷产品说明（2025年版） > 二、额度、期限与利率",
    snippet="",
    text=(
        "| 项目 | 标准 |\n| --- | --- |\n| 贷款额度 | 80万元—1000万元 |\n| 贷款期限 | 1—3年 |\n"
        "| 贷款利率 | 年化利率3.65%—4.8% |\n成立满2年，上一年度营业收入不低于500万元。\n"
        "资料齐全后5个工作日内审批。报名截止2027年3月5日18:00。"
    ),
)
EVENT = Citation(2, "events/demo.md", "路演通知", "路演通知 > 一、时间", "", "路演日期：2027年3月25日（星期四）9:00。")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in figures(text)]


def test_figures_are_typed_and_do_not_overlap() -> None:
    text = "2027年3月25日14:00开始，成立满1年，年化利率3.5%，额度10万元，期限12个月，第3期限额60人"
    assert kinds(text) == [
        ("date", "2027年3月25日"),
        ("date", "14:00"),
        ("condition", "成立满1年"),
        ("rate", "3.5%"),
        ("amount", "10万元"),
        ("term", "12个月"),
        ("amount", "第3期"),
        ("amount", "60人"),
    ]


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("年化利率3.65％", "年化利率3.65%"),
        ("额度800,000元", "额度80万元"),
        ("期限一年", "期限12个月"),
        ("3月25日前", "2027年3月25日"),
        ("2027-03-25", "2027年3月25日"),
        ("2027年", "2027年3月25日"),
        ("10—20个工作日", "10个工作日至20个工作日"),
        ("万分之五", "0.05%"),
        ("1.2亿元", "12000万元"),
    ],
)
def test_values_are_normalised(claim: str, source: str) -> None:
    keys = {k for f in figures(claim) for k in f.keys}
    assert keys and keys <= supported_keys(source)


def test_supported_claims_cite_their_evidence() -> None:
    text = "示范经营贷年化利率3.65%—4.8%，额度80万元—1000万元[1]。路演定于3月25日举行[2]。"
    claims = check_claims(text, [PRODUCT, EVENT])
    assert [c.supported for c in claims] == [True, True, True, True]
    rate = claims[0]
    assert rate.kind == "rate" and rate.text == "年化利率3.65%—4.8%" and rate.citation == 1
    assert text[rate.span[0] : rate.span[1]] == rate.text
    assert rate.evidence and "3.65%" in rate.evidence
    assert claims[-1].citation == 2


def test_a_wrong_rate_is_flagged_in_place() -> None:
    text = "示范经营贷的年化利率3.2%起[1]。"
    [claim] = check_claims(text, [PRODUCT])
    assert not claim.supported and claim.kind == "rate"
    assert claim.message == "正文中的“年化利率3.2%”在引用[1]中找不到"
    assert text[claim.span[0] : claim.span[1]] == "年化利率3.2%"


def test_claim_checked_against_the_cited_source_only() -> None:
    # 3.65% is in source [1], but the sentence cites [2].
    [claim] = check_claims("年化利率3.65%[2]。", [PRODUCT, EVENT])
    assert not claim.supported and "[2]" in (claim.message or "")


def test_claims_without_citation_or_with_a_missing_one() -> None:
    claims = check_claims("年化利率3.65%。\n\n额度80万元[7]。", [PRODUCT])
    assert [c.supported for c in claims] == [False, False]
    assert claims[0].message == "正文中的“年化利率3.65%”没有标注引用来源" and claims[0].citation is None
    assert "[7]不存在" in (claims[1].message or "")


def test_markers_after_punctuation_and_paragraph_fallback() -> None:
    text = "成立满2年。[1]\n贷款期限：1—3年；资料齐全后5个工作日内审批[1]。"
    claims = check_claims(text, [PRODUCT])
    assert [(c.kind, c.supported) for c in claims] == [("condition", True), ("term", True), ("term", True)]


def test_heading_is_backed_by_the_source_below_it() -> None:
    text = "# 示范经营贷产品说明（2025年版）\n\n各位会员：\n\n额度80万元起[1]。"
    claims = check_claims(text, [PRODUCT])
    assert claims[0].text == "2025年" and claims[0].supported and claims[0].citation == 1


def test_marker_digits_and_list_numbers_are_not_claims() -> None:
    assert check_claims("1. 准备营业执照[1]\n2. 提交申请[12]", [PRODUCT]) == []


def test_condition_with_a_wrong_threshold() -> None:
    [claim] = check_claims("企业需成立满3年[1]。", [PRODUCT])
    assert claim.kind == "condition" and not claim.supported and claim.text == "成立满3年"
