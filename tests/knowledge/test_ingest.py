from __future__ import annotations

from pathlib import Path

from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever

DOC_A = "---\ntitle: 甲产品\ncategory: product\n---\n# 甲产品\n\n甲产品年化利率4.2%，期限12个月。\n"
DOC_B = "---\ntitle: 乙政策\ncategory: policy\n---\n# 乙政策\n\n乙政策贴息比例为30%，单户上限50万元。\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _ids(index: KnowledgeIndex) -> set[str]:
    return set(index.vectors.collection.get(include=[])["ids"])


def test_reingest_of_unchanged_files_does_no_work(tmp_path: Path, empty_index: KnowledgeIndex) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, "a.md", DOC_A)
    _write(corpus, "sub/b.md", DOC_B)
    first = ingest(empty_index, [corpus])
    assert sorted(first.added) == ["a.md", "sub/b.md"] and first.chunks_written == 2 and first.bm25_rebuilt
    generation, ids = empty_index.chunks.generation(), _ids(empty_index)
    again = ingest(empty_index, [corpus])
    assert again.added == again.updated == [] and len(again.unchanged) == 2
    assert again.chunks_written == 0 and not again.bm25_rebuilt
    assert empty_index.chunks.generation() == generation and _ids(empty_index) == ids


def test_changed_file_replaces_its_chunks(tmp_path: Path, empty_index: KnowledgeIndex) -> None:
    corpus = tmp_path / "corpus"
    path = _write(corpus, "a.md", DOC_A)
    ingest(empty_index, [corpus])
    old = _ids(empty_index)
    path.write_text(DOC_A.replace("4.2%", "3.9%"), encoding="utf-8")
    report = ingest(empty_index, [corpus])
    assert report.updated == ["a.md"]
    new = _ids(empty_index)
    assert not (old & new) and len(new) == 1
    hit = HybridRetriever(empty_index).search("甲产品利率", k=1)[0]
    assert "3.9%" in hit.text and "4.2%" not in hit.text


def test_sync_removes_files_gone_from_the_folder(tmp_path: Path, empty_index: KnowledgeIndex) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, "a.md", DOC_A)
    gone = _write(corpus, "b.md", DOC_B)
    ingest(empty_index, [corpus])
    gone.unlink()
    assert ingest(empty_index, [corpus]).removed == [], "without --sync nothing is removed"
    report = ingest(empty_index, [corpus], sync=True)
    assert report.removed == ["b.md"]
    assert empty_index.chunks.count() == empty_index.vectors.count() == 1
    assert all(r.source == "a.md" for r in HybridRetriever(empty_index).search("乙政策贴息", k=5))


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path: Path, empty_index: KnowledgeIndex) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, "a.md", DOC_A)
    _write(corpus, "empty.md", "")
    _write(corpus, "sheet.xlsx", "x")
    _write(corpus, ".hidden/skip.md", DOC_B)
    report = ingest(empty_index, [corpus, tmp_path / "missing"])
    assert report.added == ["a.md"]
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"empty.md", "sheet.xlsx", "missing"}
    assert "empty document" in failed["empty.md"] and "unsupported" in failed["sheet.xlsx"]


def test_reopened_index_answers_with_its_registered_embedding(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, "a.md", DOC_A)
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(64))
    ingest(index, [corpus])
    index.close()
    reopened = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(64))
    try:
        assert reopened.status() == {"files": 1, "chunks": 1, "vectors": 1, "bm25_current": True}
        assert HybridRetriever(reopened).search("甲产品", k=1)[0].source == "a.md"
    finally:
        reopened.close()
