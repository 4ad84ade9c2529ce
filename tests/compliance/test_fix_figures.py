"""Property: a finding's fix names no figure that the checked text does not contain (an editor may paste a fix
into a post, so a sample rate or time limit in it would become a claim), over every rule, its examples, the
labelled dataset and generated texts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.compliance import check, default_rules
from assistant.compliance.evaluation import DATASET
from knowledge.text import normalise, written_numbers

RULES = default_rules().rules
VIOLATIONS = [v for rule in RULES for v in rule.examples.violations]
NUMBERS = ["3.45%", "0.1%", "500元", "5000元", "24小时", "3个工作日", "万分之五", "月息0.8%", "日利率0.05%", "100%"]


def figures(text: str) -> set[str]:
    return set(written_numbers(normalise(text)))


def assert_fixes_grounded(text: str) -> None:
    allowed = figures(text)
    for context in ("post", "reply"):
        for finding in check(text, context=context).findings:
            extra = figures(finding.fix) - allowed
            assert not extra, f"{finding.rule}: fix {finding.fix!r} names {sorted(extra)} absent from {text!r}"


def test_no_rule_s_own_fix_names_a_figure() -> None:
    for rule in RULES:
        assert not figures(rule.fix), (rule.id, rule.fix)


def test_fixes_on_every_example_and_labelled_text_name_only_the_text_s_figures() -> None:
    texts = [
        *VIOLATIONS,
        *(json.loads(line)["text"] for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()),
    ]
    for text in texts:
        assert_fixes_grounded(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(VIOLATIONS) | st.sampled_from(NUMBERS) | st.sampled_from(["，", "。", "\n"]), max_size=8)
)
def test_fixes_on_generated_texts_name_only_the_text_s_figures(parts: list[str]) -> None:
    assert_fixes_grounded("".join(parts))
