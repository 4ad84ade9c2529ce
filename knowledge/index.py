"""The knowledge index: Chroma vectors, the SQLite chunk store and the BM25 index, opened together."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from knowledge.chunk_store import ChunkStore
from knowledge.embedding import Embedding
from knowledge.lexical_index import LexicalIndex
from knowledge.lock import WriteLock
from knowledge.tokenize import configure_jieba
from knowledge.vector_cache import FILE as VECTOR_CACHE_FILE
from knowledge.vector_cache import VectorCache
from knowledge.vector_index import VectorIndex, open_client

EMBEDDING_KEY = "embedding"


class EmbeddingMismatch(ValueError):
    """The index was built with another embedding than this process uses: its vectors cannot be compared."""


def _check_embedding(chunks: ChunkStore, embedding: Embedding, data_dir: Path) -> None:
    built = chunks.meta(EMBEDDING_KEY)
    if built == embedding.identity() or not chunks.count():
        return
    name = repr(built.split(":", 1)[0]) if built else "an unrecorded one (an older version of finassist)"
    raise EmbeddingMismatch(
        f"the knowledge index in {data_dir} was built with the embedding {name}, and this process embeds with "
        f"{embedding.name()!r}: re-ingest with `finassist ingest --rebuild PATH...` (or set "
        "FINASSIST_EMBEDDING_BACKEND back to the one it was built with)"
    )


@dataclass
class KnowledgeIndex:
    data_dir: Path
    vectors: VectorIndex
    chunks: ChunkStore
    lexical: LexicalIndex
    lock: WriteLock
    embedding: Embedding

    @classmethod
    def open(
        cls,
        data_dir: Path,
        embedding: Embedding,
        *,
        chroma_host: str | None = None,
        chroma_port: int = 8000,
        collection: str = "finassist",
        embedded_vectors: bool = True,
        vector_cache: Path | None = None,
        rebuild: bool = False,
    ) -> KnowledgeIndex:
        """Open (creating if needed) the index under data_dir, or against a Chroma server.

        `embedded_vectors=False`: without a Chroma server, do not open the embedded Chroma directory (another
        process owns it); searches use the vectors saved with the BM25 index, and what needs Chroma raises
        VectorsUnavailable. Vectors are cached by content in `vector_cache` (default: in data_dir). An index
        built with another embedding raises EmbeddingMismatch, unless `rebuild` (a writer that is about to
        re-ingest): then its chunks and vectors are dropped.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        configure_jieba(data_dir / "jieba", load=False)  # read word by word until a process needs it whole
        embedding.use_cache(VectorCache(vector_cache or data_dir / VECTOR_CACHE_FILE))
        chunks = ChunkStore(data_dir / "knowledge.db")
        try:
            _check_embedding(chunks, embedding, data_dir)
        except EmbeddingMismatch:
            if not rebuild:
                chunks.close()
                raise
        connect = None
        if chroma_host or embedded_vectors:  # Chroma is opened (and chromadb imported) when first needed
            connect = partial(open_client, data_dir / "chroma", host=chroma_host, port=chroma_port)
        client = None
        lock = WriteLock(data_dir)
        if rebuild:
            with lock:
                if connect is not None:
                    client = connect()
                    VectorIndex.drop(client, collection)
                chunks.clear()
        index = cls(
            data_dir=data_dir,
            vectors=VectorIndex(client, collection, embedding, connect=connect),
            chunks=chunks,
            lexical=LexicalIndex(data_dir / "bm25"),
            lock=lock,
            embedding=embedding,
        )
        index.lexical.refresh()
        return index

    def record_embedding(self) -> None:
        """Note which embedding the stored vectors come from (the writer calls this as it adds vectors)."""
        self.chunks.set_meta(EMBEDDING_KEY, self.embedding.identity())

    def status(self) -> dict[str, int | bool]:
        """Counts for health checks and the UI: files, chunks, vectors, and whether BM25 is current."""
        generation = self.chunks.generation()
        return {
            "files": len(self.chunks.files()),
            "chunks": self.chunks.count(),
            "vectors": self.vectors.count(),
            "bm25_current": LexicalIndex.built_generation(self.lexical.directory) == generation,
        }

    def close(self) -> None:
        self.chunks.close()
        if self.embedding.cache is not None:
            self.embedding.cache.close()
        self.lock.release()
