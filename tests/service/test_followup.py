"""Follow-up resolution, product detection and colloquial-term mapping over the sample catalog."""

from __future__ import annotations

import pytest

from assistant.service.catalog import Catalog, build_catalog, found_in
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


def test_found_in_accepts_split_words() -> None:
    assert found_in("知识讲座", "金融知识普及讲座安排")
    assert not found_in("量子", "金融知识普及讲座安排")


def test_aspects() -> None:
    assert aspects_of("那最多能贷多少？") == ("额度",)
    assert aspects_of("利息怎么算，要多久能放款") == ("年化利率", "审批时效")
    assert aspects_of("能贷几年") == ("期限",)
    assert aspects_of("投诉处理要多久") == ()


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


def test_topic_round_trips_through_state() -> None:
    topic = Topic(("星火科创信用贷",), "星火科创信用贷的利率", ("星火",))
    assert Topic.from_state(topic.to_state()) == topic
    assert Topic.from_state(None).empty
