"""Build the services (knowledge index, retriever, …) from Settings, once; tests pass their own instead."""

from __future__ import annotations

from dataclasses import dataclass

from chromadb.api.types import Documents, EmbeddingFunction

from assistant.config import Settings
from knowledge.embedding import HashingEmbedding, OpenAICompatibleEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever


def build_embedding(settings: Settings) -> EmbeddingFunction[Documents]:
    if settings.embedding_backend == "openai":
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAICompatibleEmbedding(
            model=settings.embedding_model,
            base_url=settings.embedding_base_url or settings.llm_base_url,
            api_key=key,
            timeout=settings.llm_timeout,
        )
    return HashingEmbedding(dim=settings.embedding_dim)


def open_knowledge(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex.open(
        settings.data_dir,
        build_embedding(settings),
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        collection=settings.collection,
    )


@dataclass
class Services:
    settings: Settings
    index: KnowledgeIndex
    retriever: HybridRetriever

    def close(self) -> None:
        self.index.close()


def build_services(settings: Settings) -> Services:
    index = open_knowledge(settings)
    return Services(settings=settings, index=index, retriever=HybridRetriever(index))
