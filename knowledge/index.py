"""The knowledge index: Chroma vectors, the SQLite chunk store and the BM25 index, opened together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chromadb.api.types import Documents, EmbeddingFunction

from knowledge.chunk_store import ChunkStore
from knowledge.lexical_index import LexicalIndex
from knowledge.lock import WriteLock
from knowledge.tokenize import configure_jieba
from knowledge.vector_index import VectorIndex, open_client


@dataclass
class KnowledgeIndex:
    data_dir: Path
    vectors: VectorIndex
    chunks: ChunkStore
    lexical: LexicalIndex
    lock: WriteLock

    @classmethod
    def open(
        cls,
        data_dir: Path,
        embedding: EmbeddingFunction[Documents],
        *,
        chroma_host: str | None = None,
        chroma_port: int = 8000,
        collection: str = "finassist",
        embedded_vectors: bool = True,
    ) -> KnowledgeIndex:
        """Open (creating if needed) the index under data_dir, or against a Chroma server.

        `embedded_vectors=False`: without a Chroma server, do not open the embedded Chroma directory (another
        process owns it); searches use the vectors saved with the BM25 index, and what needs Chroma raises
        VectorsUnavailable.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        configure_jieba(data_dir / "jieba")
        client = None
        if chroma_host or embedded_vectors:
            client = open_client(data_dir / "chroma", host=chroma_host, port=chroma_port)
        index = cls(
            data_dir=data_dir,
            vectors=VectorIndex(client, collection, embedding),
            chunks=ChunkStore(data_dir / "knowledge.db"),
            lexical=LexicalIndex(data_dir / "bm25"),
            lock=WriteLock(data_dir),
        )
        index.lexical.refresh()
        return index

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
        self.lock.release()
