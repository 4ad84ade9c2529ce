"""check(): report shape, verdicts, contexts, and the precision rules (negation, quotes, policy text)."""

from __future__ import annotations

import json

import pytest

from assistant.compliance import Finding, Report, check


def test_report_to_dict_has_exactly_the_contract_shape() -> None:
    text = "经营贷包过！月息0.8%"
    data = check(text).to_dict()
    assert set(data) == {"passed", "findings"}
    assert data["passed"] is False
    for item in data["findings"]:
        assert set(item) == {"rule", "severity", "span", "matched", "message", "fix", "source"}
        assert item["severity"] in ("error", "warning")
        start, end = item["span"]
        assert isinstance(item["span"], list)
        assert text[start:end] == item["matched"]
    json.dumps(data, ensure_ascii=False)


def test_to_text_lists_each_finding_and_a_verdict() -> None:
    text = check("经营贷包过").to_text()
    assert "ERROR approval.guaranteed [3:5] “包过”" in text
    assert "依据：《中华人民共和国广告法》" in text
    assert text.splitlines()[-1] == "不通过：1 个错误，0 个提示"
    assert check("你好").to_text() == "通过：0 个错误，0 个提示"


def test_unknown_context_is_rejected() -> None:
    with pytest.raises(ValueError):
        check("包过", context="email")  # type: ignore[arg-type]


def test_finding_fields() -> None:
    report = check("征信修复，专业消除逾期记录")
    finding = report.errors[0]
    assert isinstance(finding, Finding)
    assert finding.rule == "credit.evasion"
    assert finding.category == "credit_fraud"
    assert finding.span == (0, 4) and finding.matched == "征信修复"
    assert "征信业管理条例" in finding.source
    assert finding.fix


def test_findings_are_in_text_order() -> None:
    report = check("月息0.8%，包过，政府兜底")
    starts = [f.span[0] for f in report.findings]
    assert starts == sorted(starts)
    assert [f.rule for f in report.errors] == ["rate.per_period", "approval.guaranteed", "endorse.government"]


def test_verdicts() -> None:
    assert check("").verdict == "pass" and check("").passed
    clean = check("本周六举办融资对接会")
    assert clean.passed and clean.verdict == "pass" and clean.findings == ()
    warn_only = check("信用贷额度最高30万，年化利率7.2%起（单利），扫码了解详情。")
    assert warn_only.passed and warn_only.verdict == "review"
    assert [f.rule for f in warn_only.warnings] == ["risk.missing_statement"]
    blocked = check("包过")
    assert not blocked.passed and blocked.verdict == "block"


def test_risk_statement_warning_applies_to_posts_not_replies() -> None:
    text = "经营贷额度最高300万，年化3.6%起，欢迎咨询"
    assert check(text, context="post").rule_ids("warning") == {"risk.missing_statement"}
    assert check(text, context="reply").findings == ()
    statement = text + "。额度以审批结果为准，贷款有风险，借款需谨慎。"
    assert check(statement).findings == ()


def test_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        check(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "不得承诺包过",
        "根据监管要求，严禁向客户承诺“秒批”",
        "凡是声称'无视征信'的都是诈骗",
        "凡是声称“无视征信”的都是诈骗",
        "如包过、秒批等说法均属违规",
        "根据广告法，贷款广告不得含有以下内容：包过、秒批、无视征信、零风险。",
        "包过？都是骗人的",
        "我们不存在内部渠道，也不能承诺包过",
        "本平台不存在国家背书、政府兜底",
        "谨防“征信修复”骗局",
        "所谓“内部名额”都是骗局",
        "监管部门提示，“稳赚不赔”“零风险”都是非法集资的常见话术",
        "《广告法》第九条禁止使用“国家级”“最高级”“最佳”等用语",
        "有客户问“不看征信的贷款”是不是真的？",
    ],
)
def test_negations_and_quoted_rule_text_are_not_violations(text: str) -> None:
    assert check(text).passed, [f.to_dict() for f in check(text).findings]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("没有流水也包过", "approval.guaranteed"),
        ("不会让您失望，包过！", "approval.guaranteed"),
        ("不用抵押，不看征信，三天到账！", "credit.evasion"),
        ("不要犹豫了，零风险高收益", "risk.zero_risk"),
        ("拒绝套路，利率全网最低", "ad.superlative"),
        ("“包过”套餐限时抢", "approval.guaranteed"),
    ],
)
def test_negation_does_not_leak_across_clauses_or_concessives(text: str, rule: str) -> None:
    assert rule in check(text).rule_ids("error")


@pytest.mark.parametrize(
    "text",
    [
        "对符合条件的项目给予贷款贴息，贴息比例不超过实际贷款利率的50%，单个项目贴息不超过200万元。",
        "项目资本金比例不低于20%，银行贷款占比不超过80%。",
        "政府性融资担保机构提供担保，年化担保费率不超过1%，分担80%风险。",
        "一年期LPR为3.1%，较上月下降25个基点。",
        "对国家级专精特新“小巨人”企业给予贴息",
        "企业可依法申请信用修复",
        "资管新规要求打破刚性兑付",
    ],
)
def test_policy_text_is_clean(text: str) -> None:
    assert check(text).findings == ()


def test_personal_data_is_flagged_and_not_negatable() -> None:
    report = check("不要把身份证号110105199003071234发给陌生人，联系电话13812345678")
    assert report.rule_ids("error") == {"privacy.id_card", "privacy.phone"}
    card = check("卡号6222 0212 3456 7890 123")
    assert card.rule_ids() == {"privacy.bank_card"}


def test_id_number_is_not_double_reported_as_bank_card() -> None:
    assert check("110105199003071234").rule_ids() == {"privacy.id_card"}


def test_report_is_a_value() -> None:
    assert isinstance(check("包过"), Report)
    assert check("包过") == check("包过")
