"""The Chroma side: an embedded PersistentClient in the data directory, or an HttpClient for a Chroma server.

chromadb is imported, and the client opened, when a collection is first needed: importing it costs seconds of
CPU, and a search over the vectors saved with the BM25 index (knowledge.flat_vectors) never needs it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import Embedding
from knowledge.filters import vector_metadata
from knowledge.types import Chunk

_BATCH = 2000
# HNSW build and search breadth. Measured on 110k synthetic chunks (bench/retrieval.py corpus, 512-dim hashing
# embedding): ef_construction 32 with ef_search 100 adds ~1.5x faster than 64/64 at equal recall@40 vs exact
# search (0.70 vs 0.68), with the same query time.
EF_CONSTRUCTION, EF_SEARCH = 32, 100


def open_client(path: Path | None = None, host: str | None = None, port: int = 8000) -> Any:
    """Embedded client on `path`, or a server client when `host` is given. Telemetry is always off."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    if path is None:
        raise ValueError("an embedded Chroma index needs a directory")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorsUnavailable(RuntimeError):
    """This process has no Chroma collection: it reads an embedded data directory another process owns."""


class VectorIndex:
    """One Chroma collection with our embedding function; never Chroma's default (it downloads a model).

    The collection is opened now from `client`, or, with `connect` (a function returning a client), when it is
    first used. With neither (a reader of an embedded data directory that another process owns, which must not
    open the Chroma directory) only `embed_query` works; everything else raises VectorsUnavailable.
    """

    def __init__(
        self, client: Any | None, name: str, embedding: Embedding, *, connect: Callable[[], Any] | None = None
    ) -> None:
        self.embedding = embedding
        self.name = name
        self._collection: Any | None = None
        self._connect = connect
        self._lock = threading.Lock()
        if client is not None:
            self._collection = self._open(client)

    def _open(self, client: Any) -> Any:
        from knowledge.chroma_embedding import chroma_function

        collection = client.get_or_create_collection(
            name=self.name,
            embedding_function=chroma_function(self.embedding),
            configuration={"hnsw": {"space": "cosine", "ef_construction": EF_CONSTRUCTION, "ef_search": EF_SEARCH}},
        )
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search", EF_SEARCH) < EF_SEARCH:  # a collection made by an earlier version: search wider
            collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        return collection

    @property
    def opened(self) -> bool:
        """Whether the Chroma collection is open (a lazily opened one is not until first used)."""
        return self._collection is not None

    @staticmethod
    def drop(client: Any, name: str) -> None:
        """Delete the collection if it exists (a rebuild with another embedding)."""
        if name in {getattr(c, "name", c) for c in client.list_collections()}:
            client.delete_collection(name)

    @property
    def collection(self) -> Any:
        if self._collection is None:
            with self._lock:  # threads of a server may reach for it at once: open one client
                if self._collection is None and self._connect is not None:
                    self._collection = self._open(self._connect())
            if self._collection is None:
                raise VectorsUnavailable("this process does not open the embedded Chroma directory (its owner does)")
        return self._collection

    def upsert(
        self,
        chunks: list[Chunk],
        texts: list[str] | None = None,
        vectors: list[np.ndarray] | None = None,
        *,
        fresh: bool = False,
    ) -> None:
        """Add or replace chunks, embedding `texts` (title and heading path included) or using given vectors.

        `fresh`: the caller knows none of these ids is stored (Chroma's plain add is cheaper than upsert).
        """
        for start in range(0, len(chunks), _BATCH):
            batch = chunks[start : start + _BATCH]
            if vectors is not None:
                embeddings = vectors[start : start + _BATCH]
            elif texts is not None:
                embeddings = self.embedding(texts[start : start + _BATCH])
            else:
                raise ValueError("upsert needs texts or vectors")
            # No documents: the chunk store keeps the text, and Chroma's full-text index on documents
            # halves its write rate.
            getattr(self.collection, "add" if fresh else "upsert")(
                ids=[c.id for c in batch],
                embeddings=embeddings,
                metadatas=[vector_metadata(c.metadata) for c in batch],  # type: ignore[misc]
            )

    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            self.collection.delete(ids=ids[start : start + _BATCH])

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        while True:
            page = self.collection.get(include=[], limit=_BATCH * 5, offset=len(ids))["ids"]
            ids.update(page)
            if len(page) < _BATCH * 5:
                return ids

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedding.embed_query([text])[0], dtype=np.float32)

    def vectors_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ids that Chroma holds."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _BATCH):
            page = self.collection.get(ids=ids[start : start + _BATCH], include=["embeddings"])
            found.update(zip(page["ids"], page["embeddings"], strict=True))
        return found

    def query(self, text: str, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity)."""
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[self.embed_query(text)],
            n_results=k,
            where=where,
            include=["distances"],
        )
        ids, distances = result["ids"][0], (result["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def count(self) -> int:
        return int(self.collection.count())
