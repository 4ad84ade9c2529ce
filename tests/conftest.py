"""Shared fixtures: a sample-corpus index built once per session, and a fresh empty index per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from knowledge.embedding import HashingEmbedding
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


@pytest.fixture(scope="session")
def sample_retriever(sample_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever(sample_index, today=lambda: TEST_TODAY)


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128))
    yield index
    index.close()
