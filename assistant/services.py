"""Build the services (knowledge index, retriever, store, chat model, guard, agent) from Settings, once;
tests pass their own instead."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import Settings
from assistant.drafting import DraftService
from assistant.drafting.sources import TopicCheck
from assistant.llm import ChatModel, OfflineModel, build_chat_model
from assistant.llm.reader import Reader
from assistant.service import Agent, ComplianceGuard, ReplyGuard
from assistant.service.answer import Answerer
from assistant.store import Store, build_store
from knowledge.embedding import E5Embedding, Embedding, HashingEmbedding, OpenAICompatibleEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from knowledge.types import SearchResult


def build_embedding(settings: Settings) -> Embedding:
    if settings.embedding_backend == "openai":
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAICompatibleEmbedding(
            model=settings.embedding_model,
            base_url=settings.embedding_base_url or settings.llm_base_url,
            api_key=key,
            timeout=settings.llm_timeout,
        )
    if settings.embedding_backend == "hashing":
        return HashingEmbedding(dim=settings.embedding_dim)
    return E5Embedding()


def open_knowledge(settings: Settings, *, embedded_vectors: bool = True, rebuild: bool = False) -> KnowledgeIndex:
    """The knowledge index; `embedded_vectors=False` in a process that must not open the embedded Chroma
    directory, `rebuild` in a writer that re-ingests with another embedding (see KnowledgeIndex.open)."""
    return KnowledgeIndex.open(
        settings.data_dir,
        build_embedding(settings),
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        collection=settings.collection,
        embedded_vectors=embedded_vectors,
        vector_cache=settings.vector_cache,
        rebuild=rebuild,
    )


@dataclass
class Services:
    """Everything a process needs, built once; ``close`` releases the index and database connections."""

    settings: Settings
    index: KnowledgeIndex
    retriever: HybridRetriever
    store: Store
    chat_model: ChatModel
    guard: ReplyGuard
    agent: Agent
    drafts: DraftService

    def close(self) -> None:
        self.store.close()
        self.index.close()


def default_chat_model(settings: Settings, index: KnowledgeIndex) -> ChatModel:
    """The configured backend; offline answers leave the risk note to the agent's compliance guard."""
    if settings.llm_backend == "offline":
        return OfflineModel(risk_note=False, reader=Reader(index.embedding))
    return build_chat_model(settings)


def topic_check(answerer: Answerer) -> TopicCheck:
    """Drafts refuse a topic the way the agent refuses a question: by the reader's judgement."""

    def covers(topic: str, passages: list[SearchResult]) -> str | None:
        evidence = answerer.covers(topic, passages)
        return None if evidence.strong else evidence.reason

    return covers


def build_services(
    settings: Settings,
    *,
    index: KnowledgeIndex | None = None,
    retriever: HybridRetriever | None = None,
    store: Store | None = None,
    chat_model: ChatModel | None = None,
    guard: ReplyGuard | None = None,
) -> Services:
    """The services Settings describe; any part passed in is used instead of being built."""
    index = index or open_knowledge(settings)
    retriever = retriever or HybridRetriever(index)
    store = store or build_store(settings.resolved_database_url)
    chat_model = chat_model or default_chat_model(settings, index)
    guard = guard or ComplianceGuard()
    agent = Agent.from_settings(settings, store=store, retriever=retriever, model=chat_model, guard=guard)
    drafts = DraftService(retriever, chat_model, store, covers=topic_check(agent.answerer))
    return Services(settings, index, retriever, store, chat_model, guard, agent, drafts)
