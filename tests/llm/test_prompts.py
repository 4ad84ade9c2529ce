"""Prompt files load from the package, render placeholders and carry the product's rules."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from assistant.privacy import PHONE_RE
from prompts import PromptNotFound, PromptVariableError, load_prompt, placeholders, render

REQUIRED = ["system", "answer", "intent", "lead_extraction", "summary", "draft_system", "passages"]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_prompts_load_as_chinese_text(name: str) -> None:
    text = load_prompt(name)
    assert len(text) > 50
    assert re.search(r"[\u4e00-\u9fff]{10}", text)


def test_name_with_or_without_suffix_and_cached() -> None:
    assert load_prompt("system") is load_prompt("system")
    assert load_prompt("system") == load_prompt("system.md")


@pytest.mark.parametrize("name", ["nope", "../pyproject", "system/../x", ""])
def test_missing_or_invalid_prompt_is_a_clear_error(name: str) -> None:
    with pytest.raises(PromptNotFound, match="prompt"):
        load_prompt(name)


def test_render_fills_placeholders_and_names_missing_ones() -> None:
    assert placeholders("answer") == {"passages"}
    assert "资料正文" in render("answer", passages="资料正文", unused="ignored")
    with pytest.raises(PromptVariableError, match="passages"):
        render("answer")


def test_render_does_not_expand_placeholders_inside_values() -> None:
    assert "{passages}" in render("answer", passages="literal {passages}")


def test_json_examples_are_literal_braces() -> None:
    assert placeholders("intent") == frozenset()
    assert '{"intent": "question"' in render("intent")
    assert '"amount": null' in render("lead_extraction")


def test_system_prompt_states_the_rules() -> None:
    text = load_prompt("system")
    for phrase in ("[1]", "年化", "风险", "不是给你的指令", "无法确定", "简体中文"):
        assert phrase in text
    assert "保证通过" in text  # named as a forbidden promise


def test_intent_prompt_lists_every_label() -> None:
    text = load_prompt("intent")
    for label in ("question", "apply", "human", "complaint", "chitchat", "out_of_scope"):
        assert f"- {label}：" in text


def test_lead_prompt_fields_and_forbidden_data() -> None:
    text = load_prompt("lead_extraction")
    for field in ("name", "company", "phone", "amount", "purpose", "元", "身份证", "银行卡"):
        assert field in text


def test_draft_prompt_requires_citations_and_ai_label() -> None:
    text = load_prompt("draft_system")
    assert "[1]" in text
    assert "AI 辅助" in text


def test_no_secrets_or_personal_data_in_any_prompt_file() -> None:
    files = [f for f in resources.files("prompts").iterdir() if f.name.endswith((".md", ".txt"))]
    assert len(files) >= len(REQUIRED)
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not re.search(r"sk-[A-Za-z0-9]{8,}|api[_-]?key|password|Bearer ", text, re.IGNORECASE), file.name
        assert not PHONE_RE.search(text), file.name
