from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunking import chunk_document
from knowledge.types import Document

SENTENCES = [
    "企业成立满2年，年营业收入不低于500万元。",
    "贷款额度最高1,000.5万元，期限最长36个月；",
    "年化利率3.65%—6.5%，按月付息到期还本！",
    "请问开业一年半能办吗？",
    "材料包括营业执照、近12个月纳税记录",
    "风险提示：贷款需按期还款，逾期将影响征信。",
]
TABLE = "| 期限 | 年化利率 |\n| --- | --- |\n| 12个月 | 3.65% |\n| 24个月 | 4.10% |"

markdown_docs = st.lists(
    st.one_of(
        st.sampled_from(SENTENCES),
        st.just(TABLE),
        st.sampled_from(["# 产品说明", "## 申请条件", "### 办理流程", "## 二、利率"]),
        st.text(alphabet="贷款利率年化额度0123456789.%，。；\n", min_size=1, max_size=700),
    ),
    min_size=1,
    max_size=40,
).map(lambda parts: "\n".join(parts))


def _doc(text: str) -> Document:
    return Document(text=text, metadata={"source": "t.md", "title": "t"})


@settings(max_examples=150, deadline=None)
@given(markdown_docs, st.integers(100, 600), st.integers(0, 120))
def test_chunks_cover_every_character(text: str, size: int, overlap: int) -> None:
    chunks = chunk_document(_doc(text), size, overlap)
    covered = [False] * len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    missing = "".join(ch for ch, ok in zip(text, covered, strict=True) if not ok)
    assert missing.strip() == "", f"lost text: {missing!r}"


@settings(max_examples=150, deadline=None)
@given(markdown_docs, st.integers(100, 600))
def test_no_boundary_inside_a_number_or_table(text: str, size: int) -> None:
    for chunk in chunk_document(_doc(text), size, 60):
        before, after = text[chunk.start - 1 : chunk.start], text[chunk.end : chunk.end + 1]
        assert not (before.isdigit() and chunk.text[:1].isdigit()), "chunk starts inside a number"
        assert not (chunk.text[-1:].isdigit() and (after.isdigit() or after in {".", "%"})), "ends inside a number"
        if TABLE in text and chunk.text.count("|") and "12个月" in chunk.text:
            assert "24个月" in chunk.text, "a table was split"


def test_sizes_stay_near_target_and_overlap_is_kept() -> None:
    text = "## 申请条件\n" + "".join(SENTENCES * 30)
    chunks = chunk_document(_doc(text), 300, 60)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(len(c.text) >= 150 for c in chunks[:-1])
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start < prev.end, "consecutive chunks overlap"


def test_heading_path_and_sentence_boundaries() -> None:
    text = "# 产品\n前言。\n## 申请条件\n" + "".join(SENTENCES * 10) + "\n### 材料\n营业执照。\n## 利率\n年化3.65%。"
    chunks = chunk_document(_doc(text), 200, 40)
    headings = [c.heading for c in chunks]
    assert headings[0] == "产品"
    assert "产品 > 申请条件" in headings and "产品 > 申请条件 > 材料" in headings and headings[-1] == "产品 > 利率"
    for c in chunks:
        if c.heading == "产品 > 申请条件" and not c.text.startswith("##"):
            assert re.match(r"^(企业|贷款|年化|请问|材料|风险)", c.text), c.text[:10]


def test_ids_are_stable_and_unique() -> None:
    text = "## A\n重复的句子。\n## B\n重复的句子。"
    first = chunk_document(_doc(text))
    again = chunk_document(_doc(text))
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
