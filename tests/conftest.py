"""Shared fixtures: a sample-corpus index built once per session, and a fresh empty index per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from knowledge.embedding import E5Embedding, HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "knowledge" / "corpus"
# The sample corpus has real effective periods (events expire in 2027); tests pin "today" so they do not rot.
TEST_TODAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex.open(tmp_path_factory.mktemp("sample-data"), HashingEmbedding(512))
    report = ingest(index, [CORPUS])
    assert report.ok, report.failed
    yield index
    index.close()


@pytest.fixture(scope="session", autouse=True)
def vector_cache_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One vector cache for the whole run: each distinct text is embedded by e5 once, whichever test, server
    or CLI process asks (FINASSIST_VECTOR_CACHE). FINASSIST_TEST_VECTOR_CACHE keeps one between runs (a
    developer's choice; CI starts empty)."""
    kept = os.environ.get("FINASSIST_TEST_VECTOR_CACHE")
    path = Path(kept) if kept else tmp_path_factory.mktemp("vector-cache") / "embeddings.db"
    previous = os.environ.get("FINASSIST_VECTOR_CACHE")
    os.environ["FINASSIST_VECTOR_CACHE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("FINASSIST_VECTOR_CACHE", None)
    else:
        os.environ["FINASSIST_VECTOR_CACHE"] = previous


@pytest.fixture(scope="session")
def semantic_index(tmp_path_factory: pytest.TempPathFactory, vector_cache_file: Path) -> Iterator[KnowledgeIndex]:
    """The sample corpus indexed with the product's default embedding (e5), once per run: for the tests and
    evals that must show semantics. Most tests use the hashing embedding (sample_index), which is fast."""
    index = KnowledgeIndex.open(tmp_path_factory.mktemp("semantic-data"), E5Embedding(), vector_cache=vector_cache_file)
    report = ingest(index, [CORPUS])
    assert report.ok, report.failed
    yield index
    index.close()


@pytest.fixture(scope="session")
def semantic_retriever(semantic_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever(semantic_index, today=lambda: TEST_TODAY)


@pytest.fixture(scope="session")
def sample_retriever(sample_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever(sample_index, today=lambda: TEST_TODAY)


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128))
    yield index
    index.close()
