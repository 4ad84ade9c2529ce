"""OfflineModel: extractive, cited, deterministic, and never states a number it cannot cite."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from assistant.llm import (
    ChatRequest,
    LLMError,
    LLMUnsupported,
    Message,
    OfflineModel,
    UngroundedNumberError,
    check_numbers_grounded,
    cited_numbers,
)
from assistant.llm.offline import RISK_NOTE
from assistant.llm.reader import Reader
from knowledge.embedding import E5Embedding
from knowledge.types import SearchResult
from tests.llm.conftest import EVENT, FAQ, PRODUCT, passage

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

MODEL = OfflineModel(reader=Reader(E5Embedding()))  # the product's reader: each distinct text embedded once
ALL = [PRODUCT, FAQ, EVENT]


def ask(question: str, passages: list[SearchResult] = ALL, **kwargs: object) -> str:
    return MODEL.generate(ChatRequest([Message.user(question)], passages, **kwargs)).text  # type: ignore[arg-type]


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)*", re.sub(r"\[\d+\]", " ", text)))


@pytest.mark.parametrize(
    ("question", "expected", "citation"),
    [
        ("贷款期限最长多久？", "贷款期限最长36个月", 1),
        ("利率是多少", "年化利率区间为4.35%至8.5%", 1),
        ("贷款额度最高多少", "单户授信额度最高500万元", 1),
        ("申请条件是什么", "法定代表人无不良征信记录", 1),
        ("审批要多久", "5个工作日内给出审批意见", 2),
        ("能提前还款吗", "提前还款不收取违约金", 2),
        ("账户管理费多少", "账户管理费：0", 2),
        ("怎么报名政策解读会", "会员可通过小程序报名", 3),
    ],
)
def test_answer_picks_the_right_sentence_and_cites_it(question: str, expected: str, citation: int) -> None:
    text = ask(question)
    assert expected in text
    assert text.startswith(f"根据《{ALL[citation - 1].title}》[{citation}]，")
    assert cited_numbers(text)[0] == citation


def test_first_sentence_answers_before_context() -> None:
    text = ask("审批要多久")
    assert "利率" not in text  # a weaker '以审批结果为准' sentence is not dragged in


def test_numeric_question_prefers_the_sentence_with_the_number() -> None:
    doc = passage(9, "期限说明", "贷款期限可以与客户经理协商确定。贷款期限最长24个月。")
    assert "24个月" in ask("贷款期限是多久", [doc])


def test_every_sentence_is_cited_and_at_most_four() -> None:
    text = ask("申请条件是什么").removesuffix(RISK_NOTE)
    sentences = [s for s in text.split("。") if s]
    assert 1 <= len(sentences) <= 4
    assert all(re.search(r"\[\d\]", s) for s in sentences)


def test_rate_answers_carry_a_number_free_risk_note() -> None:
    text = ask("利率是多少")
    assert text.endswith(RISK_NOTE)
    assert not re.search(r"\d", RISK_NOTE)
    assert not OfflineModel(risk_note=False, reader=MODEL.reader).answer("利率是多少", ALL).endswith(RISK_NOTE)


@pytest.mark.parametrize("question", ["今天天气怎么样", "推荐一只股票", "你好", "？？？", ""])
def test_irrelevant_question_gives_empty_answer(question: str) -> None:
    assert ask(question) == ""


def test_no_passages_or_no_user_message_gives_empty_answer() -> None:
    assert ask("贷款期限最长多久？", []) == ""
    assert MODEL.generate(ChatRequest([Message.assistant("您好")], ALL)).text == ""


def test_answers_are_deterministic() -> None:
    assert {ask("申请条件是什么") for _ in range(3)} == {ask("申请条件是什么")}


QUESTIONS = [
    "贷款期限最长多久？", "利率是多少", "额度最高多少", "申请条件是什么", "审批要多久", "能提前还款吗",
    "有什么活动", "账户管理费多少", "纳税要求是几个月", "银行流水要几个月", "成立几年可以申请",
]  # fmt: skip


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_number_in_an_answer_is_in_a_cited_passage(question: str) -> None:
    text = ask(question)
    cited = " ".join(ALL[n - 1].text for n in cited_numbers(text))
    assert numbers(text) <= numbers(cited)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from([PRODUCT.text, FAQ.text, EVENT.text]),
    st.integers(0, 60),
    st.integers(2, 12),
    st.sampled_from(["多少", "多久", "是什么", "几个月", "利率", "额度", "期限", ""]),
)
def test_random_questions_never_produce_ungrounded_numbers(text: str, start: int, size: int, cue: str) -> None:
    question = text[start : start + size] + cue
    answer = ask(question)  # check_numbers_grounded inside raises on a violation
    if answer:
        cited = " ".join(ALL[n - 1].text for n in cited_numbers(answer))
        assert numbers(answer) <= numbers(cited)


def test_self_check_rejects_invented_numbers_and_bad_citations() -> None:
    check_numbers_grounded("根据《说明》[1]，贷款期限最长36个月。", ALL)
    with pytest.raises(UngroundedNumberError, match="37"):
        check_numbers_grounded("根据《说明》[1]，贷款期限最长37个月。", ALL)
    with pytest.raises(UngroundedNumberError, match="5"):
        check_numbers_grounded("根据《说明》[3]，资料齐全后5个工作日内审批。", ALL)  # 5 is in [2], not [3]
    with pytest.raises(UngroundedNumberError, match=r"\[7\]"):
        check_numbers_grounded("见资料[7]。", ALL)
    assert issubclass(UngroundedNumberError, LLMError)


def test_self_check_uses_whole_numbers_not_digit_substrings() -> None:
    with pytest.raises(UngroundedNumberError):
        check_numbers_grounded("根据[1]，期限为3个月。", ALL)  # '3' only occurs inside 36 / 4.35


def test_stream_yields_the_same_text_in_small_chunks() -> None:
    request = ChatRequest([Message.user("申请条件是什么")], ALL)
    chunks = list(MODEL.stream(request))
    assert len(chunks) > 3
    assert "".join(chunks) == MODEL.generate(request).text
    assert all(not re.search(r"\[\d*$", c) for c in chunks)  # citations never split


def test_structured_and_unknown_tasks_are_unsupported() -> None:
    class Intent(BaseModel):
        intent: str

    with pytest.raises(LLMUnsupported):
        MODEL.structured(ChatRequest([Message.user("你好")]), Intent)
    with pytest.raises(LLMUnsupported):
        MODEL.generate(ChatRequest([Message.user("你好")], task="intent"))


def test_drafts_are_not_its_task() -> None:  # offline drafts are composed by assistant.drafting.compose
    with pytest.raises(LLMUnsupported):
        MODEL.generate(ChatRequest([Message.user("小微企业经营贷产品介绍")], ALL, task="draft"))


def test_summary_masks_phone_numbers() -> None:
    messages = [
        Message.user("我想申请300万经营贷，电话13812345678"),
        Message.assistant("好的"),
        Message.user("多久能审批？"),
    ]
    text = MODEL.generate(ChatRequest(messages, task="summary")).text
    assert "13812345678" not in text
    assert "138****5678" in text
    assert "多久能审批" in text


def test_a_question_asking_for_a_list_gets_the_whole_list() -> None:
    items = ["营业执照副本", "法定代表人身份证", "近两年财务报表", "近12个月纳税证明", "近6个月对公流水", "租赁合同"]
    doc = passage(
        7, "某某贷产品说明", "申请时请准备以下材料：\n" + "\n".join(f"- {item}" for item in items), "申请材料"
    )
    whole = OfflineModel(risk_note=False, reader=MODEL.reader).answer("申请需要准备哪些材料？", [doc])
    assert all(item in whole for item in items), whole
    one = OfflineModel(risk_note=False, reader=MODEL.reader).answer("要带营业执照吗", [doc])
    assert "营业执照副本" in one and not all(item in one for item in items), one
