"""The e5 set-up bench/paraphrase.py and bench/peers.py share: passage vectors cached, query vectors never."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from knowledge.embedding import E5Embedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, ingest
from knowledge.vector_cache import MemoryVectorCache, VectorCache

DEFAULT_CACHE = Path("~/.cache/finassist-bench")


def cache_file(cache_dir: Path) -> Path:
    """The passage-vector cache file under `cache_dir` (the folder is created)."""
    cache = cache_dir.expanduser() / "embeddings.db"
    cache.parent.mkdir(parents=True, exist_ok=True)
    return cache


def embed_queries_afresh(embedding: E5Embedding) -> None:
    """A cache that keeps nothing: every query is embedded, as a new one, so latencies include it."""
    embedding.use_cache(MemoryVectorCache(limit=0))


def cached_e5(cache: Path) -> tuple[E5Embedding, VectorCache]:
    """An e5 embedding reading and writing passage vectors in `cache`; the caller closes the cache."""
    embedding, vectors = E5Embedding(), VectorCache(cache)
    embedding.use_cache(vectors)
    return embedding, vectors


def ingested_index(
    folder: Path, data_dir: Path, cache: Path, closing: ExitStack
) -> tuple[KnowledgeIndex, IngestReport]:
    """A fresh e5 index in `data_dir` with `folder` ingested (vectors cached in `cache`), ready for queries.

    `closing` closes the index and its cache; SystemExit when any file fails to ingest.
    """
    embedding = E5Embedding()
    index = KnowledgeIndex.open(data_dir, embedding, vector_cache=cache)
    closing.callback(index.close)
    if embedding.cache is not None:
        closing.callback(embedding.cache.close)
    report = ingest(index, [folder])
    if not report.ok:
        raise SystemExit(f"ingest failed for {len(report.failed)} files, e.g. {report.failed[:3]}")
    embed_queries_afresh(embedding)
    return index, report
