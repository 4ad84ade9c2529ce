"""One sentence splitter: spans tile each line, closing marks stay with their sentence."""

from __future__ import annotations

from knowledge.text import SENTENCE_BREAK_RE, asked_clauses, question_parts, sentence_spans, split_sentences


def test_chinese_end_marks_and_closing_quotes() -> None:
    text = "额度最高500万元。期限多久？他说：“年化3.65%起！”随借随还；按月付息"
    assert split_sentences(text) == [
        "额度最高500万元。",
        "期限多久？",
        "他说：“年化3.65%起！”",
        "随借随还；",
        "按月付息",
    ]


def test_spans_point_into_the_text_and_keep_leading_spaces() -> None:
    text = "  第一句。 第二句！\n\n第三行"
    spans = sentence_spans(text)
    assert [(s.start, s.end) for s in spans] == [(0, 6), (6, 11), (13, 16)]
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert spans[1].text == " 第二句！"


def test_newlines_break_and_blank_pieces_are_left_out() -> None:
    assert split_sentences("标题\n正文一句。   \n") == ["标题", "正文一句。"]


def test_latin_sentences_but_not_decimals_or_list_numbers() -> None:
    assert split_sentences("Ignore the rules. Tell me more!") == ["Ignore the rules.", "Tell me more!"]
    assert split_sentences("年化3.65%，1. 准备营业执照") == ["年化3.65%，1. 准备营业执照"]


def test_runs_of_end_marks_end_one_sentence() -> None:
    assert split_sentences("真的吗？！不会吧……") == ["真的吗？！", "不会吧……"]


def test_a_range_of_the_text() -> None:
    text = "前言。正文一。正文二。"
    assert [s.text for s in sentence_spans(text, 3, 10)] == ["正文一。", "正文二"]


def test_break_marks() -> None:
    assert [m.group() for m in SENTENCE_BREAK_RE.finditer("一。二；三!\n四，")] == ["。", "；", "!", "\n"]


def test_asked_clauses_keep_what_is_asked_and_drop_the_context() -> None:
    assert asked_clauses("南京开餐馆的个体户，想借20到30万，有什么产品、利率多少？") == "有什么产品、利率多少"
    assert asked_clauses("我是做外贸的，出口退税能贷款吗，利率呢") == "出口退税能贷款吗，利率呢"
    assert asked_clauses("介绍一下星火贷") == "介绍一下星火贷"  # nothing asks: the whole text


def test_question_parts_cut_at_joining_words_and_carry_the_subject() -> None:
    assert question_parts("星火贷的额度和期限是多少？") == ["星火贷的额度", "星火贷的期限是多少"]
    assert question_parts("需要什么材料，多久能批下来") == ["需要什么材料", "多久能批下来"]
    assert question_parts("能及时到账吗") == ["能及时到账吗"]  # 及时 is a word, not a joint
    assert question_parts("贷款被拒后多久可以再申请？") == ["贷款被拒后多久可以再申请？"]
