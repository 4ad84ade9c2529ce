"""The vectors saved with the BM25 index, and a reader that searches a data directory without opening its
embedded Chroma directory (the agent worker processes of `finassist serve`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import HashingEmbedding
from knowledge.flat_vectors import FILE, FlatVectors
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest, refresh_search_index
from knowledge.lexical_index import LexicalIndex
from knowledge.retriever import HybridRetriever
from knowledge.vector_index import VectorsUnavailable
from tests.conftest import CORPUS, TEST_TODAY

QUERIES = ("知识产权质押贷款利率", "路演报名需要什么材料", "征信逾期怎么办", "苏州科技型中小企业贷款贴息比例")


@pytest.fixture
def reader(sample_index: KnowledgeIndex) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex.open(sample_index.data_dir, HashingEmbedding(512), embedded_vectors=False)
    yield index
    index.close()


def test_the_saved_vectors_are_chromas_in_the_bm25_row_order(sample_index: KnowledgeIndex) -> None:
    lexical = sample_index.lexical.refresh()
    assert (sample_index.lexical.directory / FILE).exists() and lexical.flat is not None
    from_chroma = FlatVectors.load(sample_index.vectors, lexical.ids)
    assert lexical.flat.present.all() and len(lexical.flat.ids) == len(lexical.ids) > 100
    np.testing.assert_allclose(lexical.flat.matrix, from_chroma.matrix, atol=1e-6)


def test_a_reader_finds_what_the_owner_finds(sample_index: KnowledgeIndex, reader: KnowledgeIndex) -> None:
    owner = HybridRetriever(sample_index, today=lambda: TEST_TODAY)
    other = HybridRetriever(reader, today=lambda: TEST_TODAY)
    for query in QUERIES:
        for filters in (None, {"category": "product"}):
            expected = [(r.chunk_id, r.score) for r in owner.search(query, k=6, filters=filters)]
            assert expected and [(r.chunk_id, r.score) for r in other.search(query, k=6, filters=filters)] == expected
    with pytest.raises(VectorsUnavailable):
        reader.vectors.count()  # it never opened the Chroma directory


def test_a_reader_needs_chroma_for_a_large_collection(reader: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("knowledge.retriever.FLAT_MAX_CHUNKS", 10)  # the sample corpus counts as large
    with pytest.raises(VectorsUnavailable):
        HybridRetriever(reader, today=lambda: TEST_TODAY).search(QUERIES[0])


def test_an_index_built_without_vectors_gets_them_from_refresh(tmp_path: Path) -> None:
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128))
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "a.md").write_text("# 设备融资租赁\n\n设备融资租赁期限为一至五年。", encoding="utf-8")
        ingest(index, [docs])
        LexicalIndex.build(index.chunks, index.lexical.directory)  # as an earlier version built it
        assert not LexicalIndex.has_vectors(index.lexical.directory)
        reader = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128), embedded_vectors=False)
        with pytest.raises(VectorsUnavailable):
            HybridRetriever(reader).search("融资租赁期限")
        assert refresh_search_index(index) is True
        assert refresh_search_index(index) is False  # current now: nothing to do
        assert [r.source for r in HybridRetriever(reader).search("融资租赁期限")] == ["a.md"]
        reader.close()
    finally:
        index.close()


def test_a_reader_follows_the_owners_next_ingest(tmp_path: Path) -> None:
    owner = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 设备融资租赁\n\n设备融资租赁期限为一至五年。", encoding="utf-8")
    ingest(owner, [docs])
    reader = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128), embedded_vectors=False)
    try:
        retriever = HybridRetriever(reader)
        assert {r.source for r in retriever.search("融资租赁期限")} == {"a.md"}
        (docs / "b.md").write_text("# 票据贴现\n\n商业汇票贴现年化利率以当日报价为准。", encoding="utf-8")
        ingest(owner, [docs])
        assert "b.md" in {r.source for r in retriever.search("商业汇票贴现")}  # the search reloads the index
        hits = retriever._vector_hits("商业汇票贴现", 5, {}, None, None, reader.lexical.refresh())
        b_chunks = {r.chunk_id for r in HybridRetriever(owner).search("商业汇票贴现") if r.source == "b.md"}
        assert hits[0][0] in b_chunks
        assert len(reader.lexical.current.ids) == len(owner.lexical.current.ids) == 2
    finally:
        reader.close()
        owner.close()


def test_the_sample_corpus_ingest_saves_vectors_once(tmp_path: Path) -> None:
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(64))
    try:
        first = ingest(index, [CORPUS])
        again = ingest(index, [CORPUS])
        assert first.bm25_rebuilt and not again.bm25_rebuilt
        assert LexicalIndex.has_vectors(index.lexical.directory)
    finally:
        index.close()
