"""Vectors are computed once per distinct text, and an index refuses an embedding it was not built with."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from knowledge.embedding import Embedding, HashingEmbedding
from knowledge.index import EmbeddingMismatch, KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import VectorCache

DOC = "---\ntitle: 测试产品说明\n---\n## 额度\n单户额度最高100万元。\n## 期限\n贷款期限最长3年。\n"


class CountingEmbedding(Embedding):
    """A cacheable embedding (like e5) that counts what it really computes."""

    computed: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.dim = 32

    def encode_passages(self, texts: list[str]) -> list[np.ndarray]:
        CountingEmbedding.computed.extend(texts)
        return HashingEmbedding(32).encode_passages(texts)

    @staticmethod
    def name() -> str:
        return "test-counting"

    def get_config(self) -> dict[str, Any]:
        return {"dim": 32}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> CountingEmbedding:
        return CountingEmbedding()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "product.md").write_text(DOC, encoding="utf-8")
    return folder


def test_each_distinct_text_is_embedded_once_across_rebuilds(tmp_path: Path, corpus: Path) -> None:
    CountingEmbedding.computed.clear()
    cache = tmp_path / "shared" / "embeddings.db"
    first = KnowledgeIndex.open(tmp_path / "a", CountingEmbedding(), vector_cache=cache)
    assert ingest(first, [corpus]).ok
    embedded = list(CountingEmbedding.computed)
    assert embedded and len(embedded) == len(set(embedded))  # chunks and their answer units, each once
    assert any("100万元" in text and "额度" in text for text in embedded)  # a unit with its heading
    HybridRetriever(first).search("额度多少")
    HybridRetriever(first).search("额度多少")
    first.close()
    second = KnowledgeIndex.open(tmp_path / "b", CountingEmbedding(), vector_cache=cache)  # another data dir
    assert ingest(second, [corpus]).ok
    assert CountingEmbedding.computed.count("额度多少") == 1
    assert len(CountingEmbedding.computed) == len(embedded) + 1  # only the query was new
    second.close()
    assert VectorCache(cache).count() == len(CountingEmbedding.computed)


def test_an_index_refuses_another_embedding_until_rebuilt(tmp_path: Path, corpus: Path) -> None:
    data = tmp_path / "data"
    index = KnowledgeIndex.open(data, HashingEmbedding(64))
    assert ingest(index, [corpus]).ok
    index.close()
    with pytest.raises(EmbeddingMismatch, match="re-ingest with `finassist ingest --rebuild"):
        KnowledgeIndex.open(data, HashingEmbedding(128))
    rebuilt = KnowledgeIndex.open(data, HashingEmbedding(128), rebuild=True)
    assert rebuilt.chunks.count() == 0 and rebuilt.vectors.count() == 0
    report = ingest(rebuilt, [corpus])
    assert report.ok and report.added == ["product.md"]
    assert HybridRetriever(rebuilt).search("贷款期限")[0].source == "product.md"
    rebuilt.close()
    KnowledgeIndex.open(data, HashingEmbedding(128)).close()  # now it is the index's own embedding


def test_the_cli_says_to_rebuild_and_rebuild_works(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    data = str(tmp_path / "data")
    monkeypatch.setenv("FINASSIST_EMBEDDING_BACKEND", "hashing")
    monkeypatch.setenv("FINASSIST_EMBEDDING_DIM", "64")
    assert main(["ingest", "--data-dir", data, str(corpus)]) == 0
    monkeypatch.setenv("FINASSIST_EMBEDDING_DIM", "96")
    capsys.readouterr()
    assert main(["search", "--data-dir", data, "额度"]) == 2
    err = capsys.readouterr().err
    assert "finassist ingest --rebuild" in err and len(err.strip().splitlines()) == 1
    assert main(["ingest", "--rebuild", "--json", "--data-dir", data, str(corpus)]) == 0
    assert '"added": [\n    "product.md"' in capsys.readouterr().out
    assert main(["search", "--data-dir", data, "额度"]) == 0
