"""rewrite(): the member-reply guard removes or softens every error and leaves the rest alone."""

from __future__ import annotations

import pytest

from assistant.compliance import check, rewrite, rewrite_with_report


@pytest.mark.parametrize(
    "text",
    [
        "亲，这个产品是包过的，您放心申请哦～",
        "您好！这款产品月息0.6%，额度最高50万，审批很快，基本秒批的。",
        "按您说的情况，征信有逾期也可以贷，我们帮您走内部通道。",
        "放心，我们和政府合作，政府兜底的，不会有任何风险。",
        "我们的利率比工商银行还低一半，全网最低",
        "利率低至2.98%！额度高，放款快",
        "审核通过后需要先交会员费，交完马上安排放款。",
        "王经理的电话是13600001111，身份证110105199003071234",
    ],
)
def test_rewritten_reply_has_no_errors(text: str) -> None:
    fixed = rewrite(text)
    assert fixed != text
    assert check(fixed, context="reply").passed, (fixed, [f.to_dict() for f in check(fixed).errors])


def test_clean_reply_is_unchanged() -> None:
    text = "您好，该产品年化利率3.6%起（单利），最终以银行审批结果为准。"
    assert rewrite(text) == text


def test_guaranteed_approval_is_softened() -> None:
    assert rewrite("这个产品包过") == "这个产品能否获批以机构审批结果为准"


def test_monthly_rate_becomes_the_annualized_rate() -> None:
    fixed = rewrite("这款产品月息0.8%，随借随还")
    assert "年化利率约9.6%（单利" in fixed
    assert "月息0.8%" not in fixed


def test_personal_data_is_masked() -> None:
    fixed = rewrite("请联系13812345678")
    assert fixed == "请联系138****5678"


def test_warnings_are_left_alone_and_report_describes_the_original() -> None:
    text = "经营贷额度最高300万，年化3.6%起，欢迎咨询"
    fixed, report = rewrite_with_report(text, context="post")
    assert fixed == text
    assert report.rule_ids() == {"risk.missing_statement"}
    fixed, report = rewrite_with_report("包过")
    assert report.rule_ids() == {"approval.guaranteed"} and fixed != "包过"
