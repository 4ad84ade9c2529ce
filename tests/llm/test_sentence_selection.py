"""Which sentences the offline model answers with (assistant.llm.relevance), on small made-up passages.

Each test pins one rule of the ranking: the kind of value asked for, the value named in the question,
several things asked at once, title words as the subject, headings, examples and other documents.
"""

from __future__ import annotations

import pytest

from assistant.llm import ChatRequest, Message, OfflineModel
from assistant.llm.extractive import build_query, split_units
from assistant.llm.relevance import UnitScorer
from knowledge.types import SearchResult

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
MODEL = OfflineModel(risk_note=False)


def passage(number: int, title: str, text: str, heading: str = "") -> SearchResult:
    return SearchResult(f"c{number}", f"doc-{number}.md", title, heading or title, text, text[:30], 1.0 / number)


def ask(question: str, *passages: SearchResult) -> str:
    return MODEL.generate(ChatRequest([Message.user(question)], list(passages))).text


EVENT = passage(
    1,
    "年度产品发布会通知",
    """为帮助企业了解年度信贷产品，社群将举办年度产品发布会，现将有关事项通知如下。
## 一、时间与地点
| 项目 | 内容 |
| --- | --- |
| 时间 | 2027年3月9日14:00—17:00 |
| 线下会场 | 示范金融大厦6楼多功能厅 |
| 报名截止 | 2027年3月2日18:00 |
""",
)
OTHER_EVENT = passage(2, "春季对接会参会规则", "## 一、活动概况\n举办地点：示范会展中心B馆2层。\n")


def test_a_when_question_gets_the_date_not_the_introduction() -> None:
    text = ask("年度产品发布会什么时候举办？ 时间", EVENT)
    assert "2027年3月9日" in text and "为帮助企业" not in text


def test_a_where_question_gets_the_venue_of_the_event_asked_about() -> None:
    text = ask("发布会在哪里举办？ 地点", EVENT, OTHER_EVENT)
    assert "多功能厅" in text
    assert "会展中心" not in text or text.index("多功能厅") < text.index("会展中心")


def test_a_deadline_question_gets_the_deadline_row() -> None:
    assert "2027年3月2日" in ask("发布会报名截止时间是什么时候？", EVENT)


def test_a_duration_question_prefers_a_duration_to_a_look_back_window() -> None:
    doc = passage(
        3,
        "经营贷产品说明",
        """## 二、申请条件
近6个月审批类征信查询不超过6次。
## 七、办理流程与时效
银行审批后签约。
资料齐全时一般3—7个工作日。
""",
    )
    text = ask("审批要多久 审批时效", doc)
    assert "3—7个工作日" in text and "近6个月" not in text


TABLE = passage(
    4,
    "利率换算说明",
    """## 换算表
| 报价 | 换算方式 | 年化利率 |
| --- | --- | --- |
| 日利率0.02%（“万分之二”） | 0.02%×365 | 7.3% |
| 日利率0.05%（“万分之五”） | 0.05%×365 | 18.25% |
""",
)


def test_the_row_naming_the_asked_value_wins() -> None:
    text = ask("日利率万分之五换算成年化利率是多少？", TABLE)
    assert "18.25%" in text and "7.3%" not in text


TERMS = passage(
    5,
    "担保贷款产品说明",
    """## 二、额度、期限与成本
| 项目 | 标准 |
| --- | --- |
| 贷款额度 | 10万元—1000万元 |
| 贷款期限 | 1—3年 |
| 贷款利率 | 年化利率3.5%—4.8% |
| 反担保 | 一般只需个人连带责任保证，原则上不要求抵押物 |
""",
)
INTRO = passage(6, "担保贷款产品说明", "对于缺少抵押物的小微企业，由担保机构提供连带责任保证，银行据此发放贷款。")


def test_two_things_asked_at_once_get_a_sentence_each() -> None:
    text = ask("贷款额度和期限是多少？ 额度 期限", TERMS)
    assert "10万元—1000万元" in text and "1—3年" in text


def test_a_yes_no_question_prefers_the_sentence_that_says_yes_or_no() -> None:
    text = ask("需要提供抵押物吗？", INTRO, TERMS)
    assert text.startswith("根据《担保贷款产品说明》[2]，反担保")


CITY = passage(
    7,
    "苏州市科技型中小企业贷款贴息细则",
    "## 三、支持标准\n| 项目 | 标准 |\n| --- | --- |\n| 贴息比例 | 实际支付利息的50% |\n| 单户年度上限 | 80万元 |\n",
)
PROVINCE = passage(
    8,
    "江苏省中小企业融资措施",
    "## 二、贷款贴息\n省级专精特新中小企业，贴息比例：按实际支付利息的40%，单户年度上限：100万元。\n",
)


def test_title_words_name_the_subject() -> None:
    text = ask("苏州科技型中小企业贷款贴息比例是多少？", PROVINCE, CITY)
    assert text.startswith("根据《苏州市科技型中小企业贷款贴息细则》[2]，贴息比例")


def test_everyday_wording_finds_the_documents_word() -> None:
    assert "80万元" in ask("苏州科技贷款贴息单户每年最多补多少？", PROVINCE, CITY).split("另据")[0]


def test_examples_and_preambles_rank_below_the_rule() -> None:
    doc = passage(
        9,
        "杭州市担保费补贴办法",
        """为进一步降低小微企业担保费用，制定本办法，对获得担保贷款的小微企业给予担保费补贴。
## 四、补贴标准
1. 按实际缴纳担保费的50%给予补贴；
2. 单户年度补贴上限10万元。
3. 示例：小微企业缴纳担保费2.4万元，可获补贴2.4万×50%=1.2万元。
""",
    )
    text = ask("杭州小微企业担保费补贴标准是什么？", doc)
    assert "50%给予补贴" in text and "10万元" in text
    assert "为进一步" not in text


def test_words_every_unit_shares_weigh_less_than_the_aspect() -> None:
    units = split_units(0, CITY.text, CITY.heading, CITY.title) + split_units(1, PROVINCE.text, PROVINCE.heading)
    scorer = UnitScorer(build_query("苏州贴息比例是多少"), units)
    assert scorer.weights["比例"] > scorer.weights["贴息"]


@pytest.mark.parametrize("question", ["今天天气怎么样", "What is the weather like today?"])
def test_unrelated_questions_still_get_nothing(question: str) -> None:
    assert ask(question, EVENT, TERMS, CITY) == ""
