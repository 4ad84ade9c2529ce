"""Knowledge-gap clustering: paraphrases of one question group together, different topics do not."""

from __future__ import annotations

from assistant.insights import cluster_questions, knowledge_gaps
from assistant.insights.gaps import features, similarity

CROSS_BORDER = ["你们有没有做跨境贸易融资的", "跨境贸易融资能办吗", "有跨境贸易融资产品吗"]
GOLD = ["黄金能抵押吗", "能不能用黄金做抵押", "请问可以用黄金抵押借钱吗"]


def test_paraphrases_group_together_and_topics_apart() -> None:
    gaps = cluster_questions([*CROSS_BORDER, "黄金能抵押吗"])
    assert [sorted(g.examples) for g in gaps] == [sorted(CROSS_BORDER), ["黄金能抵押吗"]]
    assert [g.count for g in gaps] == [3, 1]
    assert gaps[0].question == CROSS_BORDER[0]


def test_ranked_by_frequency_with_repeats_counted() -> None:
    asked = [*GOLD, "黄金能抵押吗", *CROSS_BORDER, "房产能抵押吗", "今天天气怎么样"]
    gaps = knowledge_gaps(asked, limit=3)
    assert [(g.question, g.count) for g in gaps[:2]] == [("黄金能抵押吗", 4), (CROSS_BORDER[0], 3)]
    assert sorted(gaps[0].examples) == sorted(GOLD)  # distinct wordings only
    assert len(gaps) == 3 and gaps[2].count == 1
    assert all(q not in gaps[0].examples for q in ("房产能抵押吗", "今天天气怎么样"))


def test_similarity_edges() -> None:
    assert similarity(features("跨境贸易融资能办吗"), features("有跨境贸易融资产品吗")) > 0.9
    assert similarity(features("跨境贸易融资能办吗"), features("黄金能抵押吗")) == 0.0
    assert similarity(features("吗"), features("吗")) == 0.0
    assert cluster_questions(["", "  ", "黄金  能抵押吗"]) == cluster_questions(["黄金 能抵押吗"])
    assert cluster_questions([]) == []


def test_examples_are_capped() -> None:
    wordings = [f"跨境贸易融资{suffix}" for suffix in ("吗", "能办吗", "有吗", "产品", "怎么办", "可以吗", "行吗")]
    (gap,) = cluster_questions(wordings, max_examples=5)
    assert gap.count == 7 and len(gap.examples) == 5
