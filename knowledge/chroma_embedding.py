"""Our embeddings as Chroma sees them: one registered Chroma EmbeddingFunction class per embedding name.

Chroma stores a collection's function by name and config and, on reopening, looks the name up in its registry
and rebuilds the function from the config ("Embedding function … not found" when the name is unknown). Each
adapter class is registered under its embedding's fixed name before a collection is opened with it. Imported
only where Chroma is opened (knowledge.vector_index), so a process that never opens Chroma never imports it.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embedding import Embedding

_adapters: dict[str, type[ChromaEmbedding]] = {}
_lock = threading.Lock()


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """A Chroma EmbeddingFunction that delegates to one of our embeddings (and its vector cache)."""

    embedding_type: type[Embedding] = Embedding

    def __init__(self, embedding: Embedding) -> None:
        self.embedding = embedding

    def __call__(self, input: Documents) -> Embeddings:
        return cast(Embeddings, self.embedding(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return cast(Embeddings, self.embedding.embed_query(list(input)))

    @classmethod
    def name(cls) -> str:
        return cls.embedding_type.name()

    def default_space(self) -> Space:
        return self.embedding.default_space()

    def get_config(self) -> dict[str, Any]:
        return self.embedding.get_config()

    @classmethod
    def build_from_config(cls, config: dict[str, Any]) -> ChromaEmbedding:
        return cls(cls.embedding_type.build_from_config(config))


def chroma_function(embedding: Embedding) -> ChromaEmbedding:
    """`embedding` wrapped for Chroma, its adapter class registered under the embedding's name."""
    kind = type(embedding)
    with _lock:
        adapter = _adapters.get(kind.name())
        if adapter is None or adapter.embedding_type is not kind:
            adapter = type(f"Chroma{kind.__name__}", (ChromaEmbedding,), {"embedding_type": kind})
            register_embedding_function(adapter)
            _adapters[kind.name()] = adapter
    return adapter(embedding)
