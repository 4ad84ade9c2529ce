"""Freshness on a small corpus: an expired, a superseded, an expiring and a current document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.insights import freshness_report
from assistant.insights.freshness import classify, document_metadata
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest

TODAY = date(2026, 12, 1)
DOCS = {
    "old-policy.md": ("旧贴息政策", "effective_date: 2025-01-01\nexpires: 2026-06-30\n"),
    "replaced.md": ("被替代的细则", "effective_date: 2024-01-01\nsuperseded_by: new-policy.md\n"),
    "closing-soon.md": ("年底到期的活动", "effective_date: 2026-01-01\nexpires: 2026-12-20\n"),
    "new-policy.md": ("新贴息政策", "effective_date: 2026-07-01\nexpires: 2027-12-31\n"),
    "evergreen.md": ("常见问题", ""),
}


@pytest.fixture
def corpus_index(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, front) in DOCS.items():
        text = f"---\ntitle: {title}\n{front}---\n# {title}\n\n{title}的内容说明。\n"
        (corpus / name).write_text(text, encoding="utf-8")
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(64))
    assert ingest(index, [corpus]).ok
    yield index
    index.close()


def test_report_on_a_small_corpus(corpus_index: KnowledgeIndex) -> None:
    metadata = document_metadata(corpus_index.chunks)
    assert len(metadata) == len(DOCS)
    by_name = {Path(source).name: source for source in metadata}
    counts = {by_name["old-policy.md"]: 3, by_name["closing-soon.md"]: 1, by_name["evergreen.md"]: 9}
    report = freshness_report(metadata, counts, today=TODAY, within_days=30)
    rows = [(Path(d.source).name, d.status, d.days_left, d.answers) for d in report]
    assert rows == [
        ("old-policy.md", "expired", -154, 3),
        ("replaced.md", "superseded", None, 0),
        ("closing-soon.md", "expiring", 19, 1),
    ]
    assert report[0].title == "旧贴息政策" and report[0].expires == date(2026, 6, 30)
    assert report[1].superseded_by == "new-policy.md"
    assert [d.status for d in freshness_report(metadata, counts, today=TODAY, within_days=10)] == [
        "expired",
        "superseded",
    ]


def test_classify_edges() -> None:
    assert classify({"expires": "2026-12-01"}, TODAY, 0) == "expiring"  # the last day in force
    assert classify({"expires": "2026-11-30"}, TODAY, 30) == "expired"
    assert classify({"expires": "not a date"}, TODAY, 30) is None
    assert classify({}, TODAY, 30) is None
    with pytest.raises(ValueError):
        freshness_report({}, {}, today=TODAY, within_days=-1)
