from __future__ import annotations

from datetime import date

import pytest

from knowledge.filters import normalise_filters
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever


def test_results_carry_everything_needed_to_cite(sample_retriever: HybridRetriever) -> None:
    results = sample_retriever.search("知识产权质押贷款", k=3)
    assert len(results) == 3
    for r in results:
        assert r.source.endswith(".md") and r.title and r.heading and r.snippet and r.score > 0
    assert results[0].score >= results[-1].score


def test_superseded_policy_excluded_unless_asked(sample_retriever: HybridRetriever) -> None:
    query = "苏州科技型中小企业贷款贴息比例"
    default = {r.source for r in sample_retriever.search(query, k=10)}
    everything = {r.source for r in sample_retriever.search(query, k=10, include_inactive=True)}
    old = "policies/suzhou-tech-loan-subsidy-2023.md"
    assert old not in default and old in everything
    in_2023 = {r.source for r in sample_retriever.search(query, k=10, as_of=date(2023, 6, 1))}
    assert "policies/suzhou-tech-loan-subsidy-2025.md" not in in_2023
    assert old in in_2023  # in force in its own window, before the 2025 edition took effect


def test_metadata_filters(sample_retriever: HybridRetriever) -> None:
    results = sample_retriever.search("贷款", k=8, filters={"category": "faq"})
    assert results and all(r.metadata["category"] == "faq" for r in results)
    with pytest.raises(ValueError, match="unknown filter"):
        sample_retriever.search("贷款", filters={"colour": "red"})


def test_empty_query_and_bad_k(sample_retriever: HybridRetriever) -> None:
    assert sample_retriever.search("   ") == []
    with pytest.raises(ValueError):
        sample_retriever.search("贷款", k=0)


def test_an_empty_index_answers_with_no_results(empty_index) -> None:  # type: ignore[no-untyped-def]
    retriever = HybridRetriever(empty_index)
    assert retriever.search("贷款利率") == []
    assert retriever.search("贷款利率", filters={"category": "product"}) == []


@pytest.mark.parametrize(
    ("filters", "as_of"),
    [({"region": "苏州市"}, None), ({"region": "苏州市"}, date(2023, 6, 1)), ({"category": "faq"}, None)],
)
def test_chroma_filtered_path_matches_the_in_memory_one(
    sample_retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch, filters: dict[str, str], as_of: date | None
) -> None:
    """With a selective filter the vector side asks Chroma to filter by field; dates still apply afterwards."""
    query = "苏州科技型中小企业贷款贴息比例"
    in_memory = sample_retriever.search(query, k=6, filters=filters, as_of=as_of)
    monkeypatch.setattr("knowledge.retriever.FLAT_MAX_CHUNKS", 0)  # the sample corpus is searched in memory
    unfiltered_fetch = sample_retriever.search(query, k=6, filters=filters, as_of=as_of)
    monkeypatch.setattr("knowledge.retriever.UNFILTERED_FETCH_CAP", 0)
    through_chroma = sample_retriever.search(query, k=6, filters=filters, as_of=as_of)
    ((field, value),) = filters.items()
    for results in (unfiltered_fetch, through_chroma):
        assert bool(results) == bool(in_memory) and all(r.metadata[field] == value for r in results)
        # HNSW is approximate, so a neighbour may differ; BM25 and the fusion are the same.
        assert len({r.chunk_id for r in results} & {r.chunk_id for r in in_memory}) >= len(in_memory) - 1
    sources = {r.source for r in through_chroma}
    if as_of is None and "region" in filters:
        assert "policies/suzhou-tech-loan-subsidy-2025.md" in sources
        assert "policies/suzhou-tech-loan-subsidy-2023.md" not in sources  # superseded: excluded by date
    elif as_of is not None:
        assert "policies/suzhou-tech-loan-subsidy-2025.md" not in sources  # not yet in force in 2023


@pytest.mark.parametrize("filters", [None, {"category": "product"}, {"region": "苏州市"}])
def test_exact_in_memory_vectors_agree_with_chroma(
    sample_retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch, filters: dict[str, str] | None
) -> None:
    """Small collections are searched exactly in memory; Chroma's HNSW finds (nearly) the same neighbours."""
    wanted = normalise_filters(filters)
    build = sample_retriever.index.lexical.refresh()
    mask = build.mask(wanted, date(2026, 6, 1))
    for query in ("知识产权质押贷款利率", "路演报名需要什么材料", "征信逾期怎么办"):
        exact = sample_retriever._vector_hits(query, 20, wanted, date(2026, 6, 1), mask, build)
        with monkeypatch.context() as patched:
            patched.setattr("knowledge.retriever.FLAT_MAX_CHUNKS", 0)
            hnsw = sample_retriever._vector_hits(query, 20, wanted, date(2026, 6, 1), mask, build)
        assert exact and len(exact) == len(hnsw)
        # HNSW is approximate: it may miss a neighbour, but the exact search is never worse at any rank,
        # the two agree on most neighbours, and a chunk's similarity is the same either way.
        assert all(e >= h - 1e-5 for (_, e), (_, h) in zip(exact, hnsw, strict=True))
        assert len({cid for cid, _ in exact} & {cid for cid, _ in hnsw}) >= 0.8 * len(exact)
        similarity = dict(exact)
        assert all(abs(similarity[cid] - s) < 1e-4 for cid, s in hnsw if cid in similarity)


def test_in_memory_vectors_follow_a_new_ingest(tmp_path, empty_index) -> None:  # type: ignore[no-untyped-def]
    retriever = HybridRetriever(empty_index)
    (tmp_path / "a.md").write_text("# 设备融资租赁\n\n设备融资租赁期限为一至五年。", encoding="utf-8")
    ingest(empty_index, [tmp_path])
    assert {r.source for r in retriever.search("融资租赁期限")} == {"a.md"}
    (tmp_path / "b.md").write_text("# 票据贴现\n\n商业汇票贴现年化利率以当日报价为准。", encoding="utf-8")
    ingest(empty_index, [tmp_path])
    hits = retriever._vector_hits("商业汇票贴现", 5, {}, None, None, empty_index.lexical.refresh())
    assert hits[0][0] in {r.chunk_id for r in retriever.search("商业汇票贴现") if r.source == "b.md"}


def test_agreement_is_the_share_of_the_best_attainable_score(sample_retriever: HybridRetriever) -> None:
    results = sample_retriever.search("星火科创信用贷 年化利率", k=5)
    shares = [sample_retriever.agreement(r.score) for r in results]
    assert all(0 < s <= 1 for s in shares) and shares == sorted(shares, reverse=True)
    best = (1 + sample_retriever.vector_weight) / (sample_retriever.rrf_k + 1)
    assert sample_retriever.agreement(best) == 1.0
    assert round(sample_retriever.agreement(1 / (sample_retriever.rrf_k + 1)), 2) == 0.67  # first by keywords only
