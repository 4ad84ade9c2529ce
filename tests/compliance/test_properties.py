"""Property tests: the engine never crashes, spans always index the text, rewrite always clears errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.compliance import check, default_rules, rewrite
from assistant.compliance.checks import Scan
from assistant.compliance.prefilter import finditer_near
from assistant.privacy import BANK_CARD_RE, ID_CARD_RE, PHONE_RE, contains_pii

# Fragments of real violations, negators, quotes, numbers and punctuation, shuffled together.
WORDS = (
    "包过 秒批 当天必到 无视征信 黑户可贷 先交费后放款 刷流水 内部渠道 零风险 保本 全网最低 国家级平台 政府兜底 "
    "监管认证 日息 月息 万分之五 0.8% 利率 年化 贴息 50% 不得 严禁 没有 也 比工商银行 低 13812345678 "
    "110105199003071234 额度 欢迎咨询 借1万每天 3元 低至 千分之 八 厘 **"
)
FRAGMENTS = [*WORDS.split(" "), *"“”「」，。、？\n（）【】", "6222 0212 3456 7890"]
domain_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)
any_text = st.text(max_size=600)


def _assert_well_formed(text: str) -> None:
    for context in ("post", "reply"):
        report = check(text, context=context)
        assert report.passed == (not report.errors)
        for finding in report.findings:
            start, end = finding.span
            assert 0 <= start < end <= len(text)
            assert text[start:end] == finding.matched
            assert finding.severity in ("error", "warning")
        report.to_dict()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_never_crashes_on_arbitrary_unicode(text: str) -> None:
    _assert_well_formed(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(domain_text)
def test_spans_index_the_text_on_domain_like_input(text: str) -> None:
    _assert_well_formed(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(domain_text)
def test_rewrite_leaves_no_errors(text: str) -> None:
    fixed = rewrite(text)
    assert check(fixed, context="reply").passed, (text, fixed)


@settings(max_examples=100)
@given(any_text)
def test_rewrite_is_identity_on_passing_text(text: str) -> None:
    if check(text, context="reply").passed:
        assert rewrite(text) == text


@settings(max_examples=500)
@given(st.text(alphabet="0123456789 -+86Xx号码", min_size=8, max_size=60))
def test_digit_gate_never_hides_personal_data(text: str) -> None:
    scan = Scan(text)
    for regex in (PHONE_RE, ID_CARD_RE, BANK_CARD_RE):
        assert [m.span() for m in scan.pii(regex)] == [m.span() for m in regex.finditer(text)]
    assert contains_pii(text) == bool(
        scan.digit_runs and any(scan.pii(r) for r in (PHONE_RE, ID_CARD_RE, BANK_CARD_RE))
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(domain_text)
def test_trigger_prefilter_finds_what_a_full_scan_finds(text: str) -> None:
    ruleset = default_rules()
    candidates = ruleset.triggers.candidates(text)
    for rule in ruleset.rules:
        if rule.regex is None:
            continue
        full = [m.span() for m in rule.regex.finditer(text)]
        if rule.id not in candidates:
            assert full == [], rule.id
            continue
        near = [m.span() for m in finditer_near(rule.regex, text, candidates[rule.id], rule.max_width)]
        for start, end in full:
            assert any(s < end and start < e for s, e in near), (rule.id, text[start:end])
