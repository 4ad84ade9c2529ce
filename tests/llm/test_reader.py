"""The reader on made-up passages with the product's embedding (e5): which units answer, and when none does.

Each test pins one behaviour a member relies on: the unit that holds what was asked wins over its neighbours
whatever the wording, two things asked get both, another place's policy is not passed off as this place's,
and a question the passages cannot answer gets nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.llm import ChatRequest, Message, OfflineModel
from assistant.llm.extractive import asked_bound, states_asked
from assistant.llm.reader import Reader
from knowledge.embedding import E5Embedding
from knowledge.text import question_parts
from knowledge.types import SearchResult
from knowledge.vector_cache import VectorCache

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def passage(number: int, title: str, text: str, region: str = "全国") -> SearchResult:
    return SearchResult(
        f"c{number}", f"doc-{number}.md", title, title, text, text[:30], 1.0 / number, metadata={"region": region}
    )


EVENT = passage(
    1,
    "年度产品发布会通知",
    """为帮助企业了解年度信贷产品，社群将举办年度产品发布会。
## 时间与地点
| 项目 | 内容 |
| --- | --- |
| 时间 | 2027年3月9日14:00—17:00 |
| 线下会场 | 示范金融大厦6楼多功能厅 |
| 报名截止 | 2027年3月2日18:00 |
""",
)
LOAN = passage(
    2,
    "小微企业经营贷产品说明",
    """## 产品要素
本产品面向成立满2年的小微企业。单户授信额度最高500万元。
贷款期限最长36个月，可按月付息、到期还本。
年化利率区间为4.35%至8.5%，具体以审批结果为准。
提前还款不收取违约金。
""",
)
SUBSIDY = passage(
    3,
    "甲市科技贷款贴息办法",
    """## 贴息标准
按企业实际支付利息的50%给予贴息，单户年度贴息上限50万元。
## 申报
每年7月申报上半年已付利息。
""",
    region="苏州市",
)


@pytest.fixture(scope="module")
def reader(vector_cache_file: Path) -> Reader:
    embedding = E5Embedding()
    embedding.use_cache(VectorCache(vector_cache_file))
    return Reader(embedding)


def answer(reader: Reader, question: str, *passages: SearchResult) -> str:
    model = OfflineModel(risk_note=False, reader=reader)
    return model.generate(ChatRequest([Message.user(question)], list(passages))).text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("发布会在哪儿开", "示范金融大厦6楼"),
        ("发布会啥时候报名截止", "2027年3月2日18:00"),
        ("这个经营贷最多能借几年", "36个月"),
        ("提前把钱还了要赔钱吗", "不收取违约金"),
        ("经营贷的利息大概在什么区间", "4.35%至8.5%"),
    ],
)
def test_the_unit_holding_what_was_asked_answers_in_other_words(reader: Reader, question: str, expected: str) -> None:
    text = answer(reader, question, EVENT, LOAN)
    assert expected in text, text


def test_two_things_asked_at_once_get_both(reader: Reader) -> None:
    text = answer(reader, "经营贷额度最高多少，期限多长？", LOAN)
    assert "500万元" in text and "36个月" in text, text


def test_another_places_policy_is_not_passed_off_as_this_places(reader: Reader) -> None:
    reading = reader.read("上海的科技贷款贴息比例是多少", [SUBSIDY])
    assert not reading.answerable and "上海市" in reading.reason
    assert answer(reader, "上海的科技贷款贴息比例是多少", SUBSIDY) == ""
    assert "50%" in answer(reader, "苏州的科技贷款贴息比例是多少", SUBSIDY)


@pytest.mark.parametrize("question", ["今天天气怎么样", "推荐一部好看的电影"])
def test_unrelated_questions_get_nothing(reader: Reader, question: str) -> None:
    reading = reader.read(question, [EVENT, LOAN])
    assert not reading.answerable, reading.reason
    assert answer(reader, question, EVENT, LOAN) == ""


BILLS = passage(
    4,
    "银行承兑汇票贴现业务说明",
    """## 适用票据
票据剩余期限不超过1年，单张票面金额不低于1万元。
贴现利息按票面金额和实际天数计算。
""",
)


@pytest.mark.parametrize(
    ("question", "bound"),
    [
        ("最多能贷多少", "upper"),
        ("期限最长几年", "upper"),
        ("利率最低多少", "lower"),
        ("资本金至少出多少", "lower"),
        ("额度多少", None),
        ("最低利率和最高额度分别多少", None),
    ],
)
def test_the_bound_a_question_asks_for(question: str, bound: str | None) -> None:
    assert asked_bound(question) == bound


@pytest.mark.parametrize(
    ("text", "upper", "lower"),
    [
        ("单张票面金额不低于1万元", False, True),  # a floor only
        ("单户年度贴息上限50万元", True, False),
        ("额度50万元—1000万元", True, True),  # a range states both bounds
        ("贷款金额为200万元", True, True),  # a plain value may be either
        ("单户1000万元以下的小微业务", True, False),
        ("20万元起贷", False, True),
    ],
)
def test_a_figure_marked_as_one_bound_does_not_give_the_other(text: str, upper: bool, lower: bool) -> None:
    assert states_asked({"amount"}, text) is True
    assert states_asked({"amount"}, text, "upper") is upper
    assert states_asked({"amount"}, text, "lower") is lower


def test_a_cap_asked_for_where_only_a_floor_is_stated_is_not_known(reader: Reader) -> None:
    reading = reader.read("单张汇票最多能贴现多少钱", [BILLS])
    assert not reading.answerable and "upper" in reading.reason, reading.reason
    assert answer(reader, "单张汇票最多能贴现多少钱", BILLS) == ""
    assert "1万元" in answer(reader, "单张汇票最少要多少金额才能贴现", BILLS)
    assert "1年" in answer(reader, "汇票剩余期限最长多久还能贴现", BILLS)


def test_the_question_is_embedded_once(reader: Reader) -> None:
    calls: list[list[str]] = []
    original = reader.embedding.embed_query

    def counting(texts: list[str]) -> list[object]:
        calls.append(list(texts))
        return original(texts)  # type: ignore[no-any-return]

    reader.embedding.embed_query = counting  # type: ignore[method-assign,assignment]
    try:
        for _ in range(3):
            reader.read("发布会在哪儿开（一次）", [EVENT])
    finally:
        del reader.embedding.embed_query
    assert calls == [["发布会在哪儿开（一次）"]]


NO_RATE = passage(
    4,
    "小微企业周转贷产品说明",
    """## 产品要素
本产品面向成立满2年的小微企业。单户授信额度最高500万元。
贷款期限最长36个月，可按月付息、到期还本。
""",
)
TABLE = passage(
    5,
    "设备贷产品说明",
    """## 产品要素
| 方式 | 额度 | 期限 | 年化利率 |
| --- | --- | --- | --- |
| 信用方式 | 50万元—1000万元 | 最长3年 | 3.5%—4.8% |
## 申请材料
| 序号 | 材料名称 | 说明 |
| --- | --- | --- |
| 1 | 营业执照 | 原件扫描件 |
""",
)


def answer_parts(reader: Reader, question: str, passage: SearchResult, names: tuple[str, ...] = ()) -> str:
    parts = tuple(question_parts(question))
    assert len(parts) == 2, parts
    request = ChatRequest([Message.user(question)], [passage], parts=parts, part_names=names)
    return OfflineModel(risk_note=False, reader=reader).generate(request).text


def test_a_part_the_passages_do_not_answer_is_said_to_be_missing_by_its_kind(reader: Reader) -> None:
    text = answer_parts(reader, "周转贷的额度和利率是多少", NO_RATE)
    assert "500万元" in text, text
    assert text.endswith("关于利率或比例，现有资料中没有写明，如需进一步了解，可以回复“转人工”。"), text


def test_a_missing_part_is_named_by_the_name_given_for_it(reader: Reader) -> None:
    text = answer_parts(reader, "周转贷的额度和利率是多少", NO_RATE, names=("额度", "利率"))
    assert "500万元" in text and "关于利率，现有资料中没有写明" in text, text


def test_parts_the_passages_answer_get_no_missing_sentence(reader: Reader) -> None:
    text = answer_parts(reader, "经营贷的额度和利率是多少", LOAN)
    assert "500万元" in text and "4.35%至8.5%" in text and "没有写明" not in text, text


def test_a_table_row_is_quoted_as_a_sentence_with_its_cells_verbatim(reader: Reader) -> None:
    text = answer_parts(reader, "设备贷信用方式的额度和利率是多少", TABLE)
    assert "信用方式的额度为50万元—1000万元，期限为最长3年，年化利率为3.5%—4.8%" in text, text
    assert "额度：" not in text and "没有写明" not in text, text
    text = answer(reader, "设备贷要准备什么材料", TABLE)
    assert "营业执照：原件扫描件" in text and "1，" not in text, text
