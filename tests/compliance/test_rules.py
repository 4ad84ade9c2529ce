"""Rule data: loads, validates, and every rule flags its violations and leaves its clean examples alone."""

from __future__ import annotations

import pytest

from assistant.compliance import check, default_rules
from assistant.compliance.checks import CHECKS
from assistant.compliance.rules import RULES_DIR, Rule, load_rules, parse_rules

RULES = default_rules().rules
REQUIRED_CATEGORIES = {
    "guaranteed_approval",
    "credit_fraud",
    "zero_risk",
    "superlative",
    "endorsement",
    "rate_disclosure",
    "risk_statement",
    "comparison",
    "personal_data",
}


def _minimal(**overrides: object) -> dict:
    rule = {
        "id": "test.rule",
        "category": "zero_risk",
        "severity": "error",
        "terms": ["零风险"],
        "message": "测试规则说明",
        "fix": "测试修改建议",
        "sources": [{"law": "《测试法》", "article": "第一条"}],
        "examples": {"violations": ["零风险"], "clean": ["有风险"]},
    }
    rule.update(overrides)
    return rule


def test_packaged_rules_cover_every_category() -> None:
    assert {r.category for r in RULES} >= REQUIRED_CATEGORIES
    assert len(RULES) >= 15


def test_rules_are_cached_and_compiled_once() -> None:
    assert default_rules() is default_rules()
    rule = next(r for r in RULES if r.check is None)
    assert rule.regex is rule.regex


def test_every_rule_explains_itself_and_cites_a_source() -> None:
    for rule in RULES:
        assert rule.message and rule.fix, rule.id
        assert all(s.law for s in rule.sources), rule.id
        assert " " not in rule.message, f"{rule.id}: folded YAML left a space in the message"


def test_check_rules_name_registered_checks() -> None:
    for rule in RULES:
        assert rule.check is None or rule.check in CHECKS


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in RULES for t in r.examples.violations],
)
def test_rule_flags_its_violation_examples(rule_id: str, text: str) -> None:
    report = check(text)
    assert rule_id in report.rule_ids(), [f.to_dict() for f in report.findings]


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in RULES for t in r.examples.clean],
)
def test_rule_ignores_its_clean_examples(rule_id: str, text: str) -> None:
    report = check(text)
    assert rule_id not in report.rule_ids(), [f.to_dict() for f in report.findings]


def test_parse_rules_accepts_a_minimal_rule() -> None:
    ruleset = parse_rules([("t.yaml", {"rules": [_minimal()]})])
    assert ruleset.by_id["test.rule"].severity == "error"


@pytest.mark.parametrize(
    "overrides",
    [
        {"patterns": ["(unclosed"]},
        {"check": "rate_per_period"},
        {"terms": [], "patterns": []},
        {"severity": "fatal"},
        {"category": "unknown"},
        {"id": "NoDot"},
        {"sources": []},
        {"examples": {"violations": [], "clean": ["x"]}},
        {"unexpected_key": 1},
    ],
)
def test_invalid_rules_are_rejected(overrides: dict) -> None:
    with pytest.raises(ValueError):
        parse_rules([("t.yaml", {"rules": [_minimal(**overrides)]})])


def test_duplicate_ids_unknown_vars_and_unknown_checks_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        parse_rules([("t.yaml", {"rules": [_minimal(), _minimal()]})])
    with pytest.raises(ValueError, match="unknown variable"):
        parse_rules([("t.yaml", {"rules": [_minimal(patterns=["{{nope}}"])]})])
    bad_check = _minimal(terms=[], check="no_such_check")
    with pytest.raises(ValueError, match="unknown check"):
        parse_rules([("t.yaml", {"rules": [bad_check]})], known_checks=CHECKS)
    with pytest.raises(ValueError, match="rules"):
        parse_rules([("t.yaml", {"vars": {}})])


def test_vars_expand_into_escaped_alternations() -> None:
    doc = {"vars": {"bank": ["甲银行", "乙.行"]}, "rules": [_minimal(terms=[], patterns=["比{{bank}}低"])]}
    rule: Rule = parse_rules([("t.yaml", doc)]).rules[0]
    assert rule.regex is not None
    assert rule.regex.search("比甲银行低") and rule.regex.search("比乙.行低")
    assert not rule.regex.search("比乙x行低")


def test_load_rules_reads_the_directory(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        load_rules(tmp_path)
    assert len(load_rules(RULES_DIR, CHECKS).rules) == len(RULES)
