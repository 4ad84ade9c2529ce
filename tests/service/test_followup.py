"""Follow-up resolution, product detection and colloquial-term mapping over the sample catalog."""

from __future__ import annotations

import pytest

from assistant.service.catalog import Catalog, build_catalog
from assistant.service.followup import Topic, aspects_of, resolve
from knowledge.index import KnowledgeIndex

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture(scope="module")
def catalog(sample_index: KnowledgeIndex) -> Catalog:
    return build_catalog(sample_index)


def test_catalog_knows_the_products_and_aliases(catalog: Catalog) -> None:
    assert "星火科创信用贷" in set(catalog.aliases.values())
    assert catalog.find_products("星火科创信用贷的利率") == ["星火科创信用贷"]
    assert catalog.find_products("星火贷和惠民贷哪个好") == ["星火科创信用贷", "惠民个体经营贷"]
    assert catalog.find_products("量子链条贷的利率") == []
    assert catalog.find_products("惠民政策有哪些") == []  # a generic brand is not an alias on its own


def test_key_terms_skip_question_words_and_common_terms(catalog: Catalog) -> None:
    assert catalog.key_terms("量子链条贷的利率是多少？") == ["量子", "链条"]
    assert catalog.key_terms("那最多能贷多少？") == []
    assert catalog.common("贷款") and not catalog.known("量子")


def test_key_terms_name_the_subject_not_the_framing(catalog: Catalog) -> None:
    # interrogatives jieba keeps whole, verbs, pronouns and particles never stand for the subject ...
    assert catalog.key_terms("个人征信报告每年可以免费查几次？") == ["免费"]
    assert catalog.key_terms("征信报告上会显示其他机构的查询记录吗？") == []
    assert catalog.key_terms("贷款1亿元的话年化利率是多少？") == []
    # ... while product kinds and places do, and a verb a document title uses (贴息) stays a subject
    assert catalog.key_terms("个人住房按揭贷款利率是多少？") == ["个人住房", "按揭"]
    assert "贴息" in catalog.key_terms("苏州科技贷款贴息比例是多少")
    # English words the corpus never uses say nothing about it
    assert catalog.key_terms("What is the annual interest rate?") == []


def test_catalog_strips_product_names(catalog: Catalog) -> None:
    assert "贷从" not in catalog.key_terms(catalog.strip_products("星火科创信用贷从提交材料到出审批结果要多久"))
    assert catalog.about_products(["担保费"], ("安心政担贷",))
    assert not catalog.about_products(["杭州"], ("星火科创信用贷",))


def test_aspects() -> None:
    assert aspects_of("那最多能贷多少？") == ("额度",)
    assert aspects_of("利息怎么算，要多久能放款") == ("年化利率", "审批时效")
    assert aspects_of("能贷几年") == ("期限",)
    assert aspects_of("投诉处理要多久") == ()
    assert aspects_of("从提交材料到出审批结果要多久") == ("审批时效",)  # materials named, not asked for
    assert aspects_of("办下来一般要多久？") == ("审批时效",)
    assert aspects_of("贷款被拒后多久可以再申请？") == ()  # not the loan's term
    assert aspects_of("贷款能用多久") == ("期限",)
    assert aspects_of("在哪里举办，什么时候开始？") == ("时间", "地点")
    assert aspects_of("What is the interest rate?") == ("年化利率",)


def test_product_question_then_follow_ups(catalog: Catalog) -> None:
    first = resolve("星火科创信用贷的年化利率是多少？", Topic(), catalog)
    assert first.products == ("星火科创信用贷",) and not first.followup
    assert "星火科创信用贷" not in first.focus and "年化利率" in first.focus
    second = resolve("那最多能贷多少？", first.topic, catalog)
    assert second.followup and second.products == ("星火科创信用贷",)
    assert "额度" in second.search and "星火" not in second.search  # the search is filtered to the product
    assert second.question == "星火科创信用贷：最多能贷多少？"
    third = resolve("它怎么还款？", second.topic, catalog)
    assert third.followup and third.products == ("星火科创信用贷",) and "还款方式" in third.search


def test_a_new_subject_is_not_a_follow_up(catalog: Catalog) -> None:
    topic = resolve("星火科创信用贷的年化利率是多少？", Topic(), catalog).topic
    unknown = resolve("量子链条贷的利率是多少？", topic, catalog)
    assert not unknown.followup and unknown.products == ()
    other = resolve("惠民个体经营贷最多能贷多少", topic, catalog)
    assert other.products == ("惠民个体经营贷",)
    policy = resolve("杭州担保费补贴怎么申请", topic, catalog)
    assert not policy.followup


def test_follow_up_on_a_policy_inherits_its_terms(catalog: Catalog) -> None:
    first = resolve("苏州科技贷款贴息比例是多少", Topic(), catalog)
    follow = resolve("那申请条件呢？", first.topic, catalog)
    assert follow.followup and follow.products == ()
    assert "苏州" in follow.search and "贴息" in follow.focus
    assert follow.topic_terms == first.topic.terms


def test_short_questions_in_the_products_words_continue_it(catalog: Catalog) -> None:
    topic = resolve("安心政担贷适合什么企业？", Topic(), catalog).topic
    fee = resolve("担保费怎么收？", topic, catalog)
    assert fee.followup and fee.products == ("安心政担贷",)
    leasing = resolve("云启设备融资租赁的保证金比例是多少？", Topic(), catalog).topic
    assert resolve("提前结清要收多少补偿金？", leasing, catalog).products == ("云启设备融资租赁",)
    ip = resolve("介绍一下智汇知识产权质押贷", Topic(), catalog).topic
    assert resolve("办下来一般要多久？", ip, catalog).products == ("智汇知识产权质押贷",)
    # a city the product's documents never mention starts a new subject
    assert not resolve("杭州担保费补贴标准是什么？", topic, catalog).followup


def test_a_product_overview_asks_for_its_main_terms(catalog: Catalog) -> None:
    query = resolve("介绍一下智汇知识产权质押贷", Topic(), catalog)
    assert {"额度", "期限", "年化利率"} <= set(query.aspects)
    assert "额度" in query.focus and "额度" in query.search


def test_the_focus_keeps_the_members_wording(catalog: Catalog) -> None:
    query = resolve("日利率万分之五换算成年化利率是多少？", Topic(), catalog)
    assert "万分之五" in query.focus  # which row of the table is asked about
    assert "年化利率" in query.aspects


def test_topic_round_trips_through_state() -> None:
    topic = Topic(("星火科创信用贷",), "星火科创信用贷的利率", ("星火",))
    assert Topic.from_state(topic.to_state()) == topic
    assert Topic.from_state(None).empty
