"""Answerer: retrieval scoped to products, the evidence check, grounded generation and fallbacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assistant.llm import ChatModel, ChatRequest, Completion, FakeModel, LLMTimeout, OfflineModel
from assistant.llm.reader import Reader
from assistant.service.answer import Answerer, AnswerResult, naming_kinds
from assistant.service.catalog import Catalog, CatalogCache, names_product
from assistant.service.followup import Topic, resolve
from assistant.service.guard import ComplianceGuard
from knowledge.retriever import HybridRetriever
from knowledge.types import SearchResult

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
GUARD = ComplianceGuard()
RATE_RE = re.compile(r"\d+(?:\.\d+)?\s*[%％]")


def answer(
    answerer: Answerer, question: str, topic: Topic | None = None, streaming: bool = False
) -> tuple[str, AnswerResult]:
    query = resolve(question, topic or Topic(), answerer.catalog.get())
    items = list(answerer.run(query, streaming=streaming))
    result = items[-1]
    assert isinstance(result, AnswerResult)
    deltas = [i for i in items[:-1] if isinstance(i, str)]
    assert "".join(deltas) == result.text
    return result.text, result


@pytest.fixture
def offline(semantic_retriever: HybridRetriever) -> Answerer:
    return Answerer(
        semantic_retriever,
        OfflineModel(risk_note=False, reader=Reader(semantic_retriever.index.embedding)),
        GUARD,
        catalog=CatalogCache(semantic_retriever.index),
    )


def test_grounded_rate_answer_cites_the_product(offline: Answerer) -> None:
    text, result = answer(offline, "星火科创信用贷的年化利率是多少？")
    assert result.answered and result.evidence.strong
    assert "3.45%" in text and "年化" in text and "风险提示" in text
    assert {c.source for c in result.citations} == {"products/xinghuo-tech-credit-loan.md"}
    assert text.startswith("根据《星火科创信用贷产品说明》[1]") and len(cited := re.findall(r"\[(\d)\]", text)) >= 1
    assert {int(n) for n in cited} == set(range(1, len(result.citations) + 1))  # every citation used, none missing
    assert result.citations[0].title == "星火科创信用贷产品说明" and result.citations[0].snippet


@pytest.mark.parametrize("question", ["量子链条贷的利率是多少？", "黄金质押贷款利率多少", "天元智能贷的额度"])
def test_unknown_products_get_i_dont_know_without_numbers(offline: Answerer, question: str) -> None:
    text, result = answer(offline, question)
    assert not result.answered and not result.evidence.strong
    assert "无法确定" in text and "转人工" in text
    assert not RATE_RE.search(text) and not re.search(r"\d", text)
    assert result.citations == ()


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("个人征信报告每年可以免费查几次？", "2次免费"),  # 几次 asks, it names nothing
        ("路演每个项目有多长时间？", "8分钟"),
        ("惠民个体经营贷对申请人年龄有什么要求？", "22—60周岁"),  # 申请人: rare, absent from the best passage
        ("星火科创信用贷从提交材料到出审批结果要多久？", "5—10个工作日"),
        ("征信报告上会显示其他机构的查询记录吗？", "查询记录"),
    ],
)
def test_framing_words_do_not_make_answerable_questions_unknown(offline: Answerer, question: str, fact: str) -> None:
    text, result = answer(offline, question)
    assert result.answered and fact in text, text


@pytest.mark.parametrize(
    "question",
    [
        "个人住房按揭贷款利率是多少？",
        "信用卡分期手续费是多少？",  # the corpus mentions 信用卡, and the installment-fee FAQ comes close
        "汽车按揭贷款怎么申请？",
        "想贷款买辆车，你们有车贷产品吗，利率多少",  # the corpus says 车贷, but no passage is about one
    ],
)
def test_a_loan_kind_the_corpus_lacks_is_unknown(offline: Answerer, question: str) -> None:
    text, result = answer(offline, question)
    assert not result.answered and not RATE_RE.search(text)


def test_a_product_overview_gives_its_main_terms(offline: Answerer) -> None:
    text, result = answer(offline, "介绍一下智汇知识产权质押贷")
    assert result.answered and "30万元—2000万元" in text


def test_english_wording_maps_onto_the_corpus_terms(offline: Answerer) -> None:
    text, result = answer(offline, "What is the annual interest rate of 星火科创信用贷?")
    assert result.answered and "3.45%—5.8%" in text


def test_the_faq_answering_the_question_beats_a_product_mentioning_its_words(offline: Answerer) -> None:
    text, result = answer(offline, "贷款被拒后多久可以再申请？")
    assert "3个月以上" in text
    assert result.citations[0].source == "faq/approval-and-rejection.md"


def test_weak_evidence_never_calls_the_model(semantic_retriever: HybridRetriever) -> None:
    model = FakeModel(default="量子链条贷年化利率3.1%[1]。")
    answerer = Answerer(semantic_retriever, model, GUARD, catalog=CatalogCache(semantic_retriever.index))
    text, result = answer(answerer, "量子链条贷的利率是多少？")
    assert model.requests == [] and "3.1" not in text and not result.answered


def test_model_numbers_not_in_passages_are_dropped(semantic_retriever: HybridRetriever) -> None:
    model = FakeModel(["星火科创信用贷年化利率3.45%—5.8%（单利）[1]。目前优惠价年化2.99%[1]。"])
    answerer = Answerer(semantic_retriever, model, GUARD, catalog=CatalogCache(semantic_retriever.index))
    text, result = answer(answerer, "星火科创信用贷的年化利率是多少？")
    assert "3.45%" in text and "2.99" not in text and result.answered
    assert model.last_request.messages[-1].content == "星火科创信用贷的年化利率是多少？"
    assert all(p.metadata.get("product") == "星火科创信用贷" for p in model.last_request.passages)


def test_model_failure_falls_back_to_the_extractive_answer(semantic_retriever: HybridRetriever) -> None:
    model = FakeModel([LLMTimeout("slow")])
    answerer = Answerer(semantic_retriever, model, GUARD, catalog=CatalogCache(semantic_retriever.index))
    text, result = answer(answerer, "星火科创信用贷的年化利率是多少？", streaming=True)
    assert result.model_failed and result.answered and "3.45%" in text and result.citations


def test_model_saying_it_does_not_know_is_unanswered(semantic_retriever: HybridRetriever) -> None:
    model = FakeModel(["根据现有资料无法确定该产品是否支持外币贷款。"])
    answerer = Answerer(semantic_retriever, model, GUARD, catalog=CatalogCache(semantic_retriever.index))
    text, result = answer(answerer, "星火科创信用贷支持外币吗")
    assert not result.answered and "转人工" in text


def test_follow_up_answer_uses_the_topic(offline: Answerer) -> None:
    first = resolve("星火科创信用贷的年化利率是多少？", Topic(), offline.catalog.get())
    text, result = answer(offline, "那最多能贷多少？", first.topic)
    assert result.answered and "1000万元" in text
    assert {c.source for c in result.citations} == {"products/xinghuo-tech-credit-loan.md"}


class BreaksMidStream(ChatModel):
    model_name = "breaks"

    def generate(self, request: ChatRequest) -> Completion:
        raise LLMTimeout("slow")

    def stream(self, request: ChatRequest) -> Iterator[str]:
        yield "星火科创信用贷面向科技型中小企业[1]。贷款利率为年化"
        raise LLMTimeout("stalled")


def test_a_stream_that_breaks_keeps_whole_sentences_only(semantic_retriever: HybridRetriever) -> None:
    answerer = Answerer(semantic_retriever, BreaksMidStream(), GUARD, catalog=CatalogCache(semantic_retriever.index))
    text, result = answer(answerer, "星火科创信用贷适合什么企业", streaming=True)
    assert text.startswith("星火科创信用贷面向科技型中小企业[1]。")
    assert "贷款利率为年化" not in text and "中断" in text and result.model_failed


def test_words_describing_the_member_do_not_make_the_question_unknown(offline: Answerer) -> None:
    """Only the clauses that ask name the subject: the member's trade and city are context."""
    text, result = answer(offline, "我是开花店的个体户，不想抵押，纯信用的话最多能贷多少？")
    assert result.answered and "50万元" in text, text


def test_a_two_part_question_answers_both_parts(offline: Answerer) -> None:
    text, result = answer(offline, "云启设备融资租赁的期限和保证金比例分别是多少？")
    assert result.answered and "24—60个月" in text and "融资额的10%—20%" in text, text


def test_a_part_the_knowledge_base_does_not_state_is_said_plainly(offline: Answerer) -> None:
    """The bill-discounting document states rates but no amount: the rate is answered, the amount named as missing."""
    text, result = answer(offline, "票融通的贴现利率和额度是多少")
    assert result.answered and "1.2%—2.1%" in text, text
    assert "关于额度，现有资料中没有写明" in text, text


def test_a_part_is_named_back_only_in_the_knowledge_bases_words(offline: Answerer) -> None:
    catalog = offline.catalog.get()
    assert catalog.own_words("星火科创信用贷的利率是多少") == "利率"  # the product is the answer's subject
    assert catalog.own_words("量子纠缠费是多少") == ""  # a word no document uses is never said back
    assert catalog.own_words("多久能到") == ""  # nothing named: the reply names the kind asked for instead


def _named(number: int, text: str) -> SearchResult:
    return SearchResult(
        chunk_id=f"c{number}",
        source=f"doc{number}.md",
        title=f"文档{number}",
        heading="",
        text=text,
        snippet=text,
        score=1.0 / number,
        metadata={},
    )


def test_passages_naming_the_asked_kind_of_product_are_kept_before_others() -> None:
    faq, subsidy, other = (
        _named(1, "同一产品一般间隔3个月再申请。"),
        _named(2, "首贷户的贴息于3个月内申请。"),
        _named(3, "车贷另议。"),
    )
    assert naming_kinds([faq, subsidy, other], Catalog(), "首贷贴息还清后多久内要申请") == [subsidy]
    assert naming_kinds([faq, subsidy], Catalog(), "经营贷多久能批") == [faq, subsidy]  # none names it: unchanged
    assert naming_kinds([faq, subsidy], Catalog(), "多久能批下来") == [faq, subsidy]  # no kind asked


def test_a_kind_no_first_passage_names_is_looked_for_further_down() -> None:
    bills, other, reward = (
        _named(1, "票据贴现须具有真实贸易背景。"),
        _named(2, "贴现天数按实际天数计算。"),
        _named(3, "票据贴现、贸易融资不作为首贷认定依据。"),
    )
    # 办过票据贴现 describes the member: the document about 首贷 ranks third, past the first two
    assert naming_kinds([bills, other, reward], Catalog(), "之前办过票据贴现，算不算首贷", k=2) == [reward]
    assert naming_kinds([bills, other, reward], Catalog(), "多久能批下来", k=2) == [bills, other]


def test_a_number_with_its_magnitude_gives_no_key_term() -> None:
    # jieba would cut 200万能批吗 into 200 | 万能 | 批: "almighty" is not what the member asks about
    assert "万能" not in Catalog().key_terms("抵押做经营贷，200万能批吗")


@pytest.mark.parametrize(
    ("term", "text", "brand"),
    [
        ("金穗", "金穗农业贷利率多少", True),
        ("宏达", "有没有宏达科技贷", True),
        ("办过", "之前办过票据贴现，算不算首贷", False),  # a verb and its aspect particle
        ("还算首", "以前办过信用卡跟房贷，在浙江还算首贷户吗", False),  # cuts 还算 | 首贷 in two
    ],
)
def test_only_whole_naming_words_before_a_product_head_are_brands(term: str, text: str, brand: bool) -> None:
    assert names_product(term, text) is brand


@pytest.mark.parametrize(
    "question",
    ["2031年的项目路演什么时候报名", "苏州2019年版的科技贷贴息细则，贴息比例多少"],  # years no document covers
)
def test_a_year_the_passages_do_not_cover_is_unknown(offline: Answerer, question: str) -> None:
    text, result = answer(offline, question)
    assert not result.answered and "year" in result.evidence.reason and not RATE_RE.search(text)


def test_a_year_describing_the_member_does_not_make_the_question_unknown(offline: Answerer) -> None:
    text, result = answer(offline, "我们公司2019年成立的，星火科创信用贷的年化利率是多少")
    assert result.answered and "3.45%" in text


def test_a_season_the_passages_do_not_cover_is_unknown(offline: Answerer) -> None:
    text, result = answer(offline, "秋季投融资对接会什么时候开，在哪办")  # the corpus has the spring fair only
    assert not result.answered and "season" in result.evidence.reason and not RATE_RE.search(text)
    text, result = answer(offline, "明年春天的投融资对接会在哪儿办")  # 春天 names the spring of 春季
    assert result.answered and "示范会展中心" in text


def test_a_phone_number_asked_for_is_answered_only_by_one(offline: Answerer) -> None:
    text, result = answer(offline, "投诉热线电话是多少")
    assert result.answered and "400-000-0000" in text
    _, result = answer(offline, "个人信息保护负责人的电话是多少")  # the passage gives an email, not a phone
    assert not result.answered


def test_a_homophone_slip_is_read_as_the_word_meant(offline: Answerer) -> None:
    text, result = answer(offline, "星火科创信用贷的年化利律是多少")  # 利律: 利率 typed by its sound
    assert result.answered and "3.45%" in text
