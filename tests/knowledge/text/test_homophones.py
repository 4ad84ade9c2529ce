"""Homophone slips put right against a vocabulary, and only where no word was typed."""

from __future__ import annotations

from knowledge.text.homophones import HomophoneIndex

VOCABULARY = {"申报": 7, "利率": 22, "报名": 5, "导出": 2, "征信": 18, "贷款": 25}


def test_a_slip_with_the_same_sound_becomes_the_vocabulary_word() -> None:
    index = HomophoneIndex(VOCABULARY)
    assert index.correct("去年的利息啥时候申抱") == "去年的利息啥时候申报"
    assert index.correct("利律大概多少") == "利率大概多少"
    assert index.correct("说我征心不好") == "说我征信不好"


def test_correct_text_and_likelier_characters_are_left_alone() -> None:
    index = HomophoneIndex(VOCABULARY)
    assert index.correct("从提交材料到出审批结果要多久") == "从提交材料到出审批结果要多久"  # 到 出, not 导出
    assert index.correct("报名截止到哪天") == "报名截止到哪天"
    assert HomophoneIndex({}).correct("申抱") == "申抱"


def test_two_words_of_the_same_sound_leave_the_slip_as_typed() -> None:
    index = HomophoneIndex({"申报": 7, "申宝": 7})  # 申抱 could be either
    assert index.correct("申抱") == "申抱"
