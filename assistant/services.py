"""Build the services (knowledge index, retriever, store, chat model, guard, rate limits, agent, drafts) from Settings,
each on first use and once; tests pass their own instead.

A command builds only what it touches: `finassist keys` opens the store alone, `search` the index alone,
and the heavy libraries (chromadb, jieba, the e5 model, SQLAlchemy, LangChain) are imported by the properties
that need them, not when this module is imported.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.channels import ChannelGateway
    from assistant.drafting import DraftService
    from assistant.drafting.sources import TopicCheck
    from assistant.llm import ChatModel
    from assistant.notify import StaffNotifier
    from assistant.ratelimit import RateLimits
    from assistant.service import Agent, ReplyGuard
    from assistant.service.answer import Answerer
    from assistant.store import Store
    from knowledge.embedding import Embedding
    from knowledge.index import KnowledgeIndex
    from knowledge.retriever import HybridRetriever
    from knowledge.types import SearchResult

PARTS = ("index", "retriever", "store", "chat_model", "guard", "agent", "drafts", "notifier", "channels", "limits")


def build_embedding(settings: Settings) -> Embedding:
    if settings.embedding_backend == "openai":
        from knowledge.embedding import OpenAICompatibleEmbedding

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAICompatibleEmbedding(
            model=settings.embedding_model,
            base_url=settings.embedding_base_url or settings.llm_base_url,
            api_key=key,
            timeout=settings.llm_timeout,
        )
    if settings.embedding_backend == "hashing":
        from knowledge.embedding import HashingEmbedding

        return HashingEmbedding(dim=settings.embedding_dim)
    from knowledge.embedding import E5Embedding

    return E5Embedding(passage_threads=settings.embedding_threads)


def open_knowledge(settings: Settings, *, embedded_vectors: bool = True, rebuild: bool = False) -> KnowledgeIndex:
    """The knowledge index; `embedded_vectors=False` in a process that must not open the embedded Chroma
    directory, `rebuild` in a writer that re-ingests with another embedding (see KnowledgeIndex.open)."""
    from knowledge.index import KnowledgeIndex

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


def default_chat_model(settings: Settings, index: KnowledgeIndex) -> ChatModel:
    """The configured backend; offline answers leave the risk note to the agent's compliance guard."""
    if settings.llm_backend == "offline":
        from assistant.llm import OfflineModel
        from assistant.llm.reader import Reader

        return OfflineModel(risk_note=False, reader=Reader(index.embedding))
    from assistant.llm import build_chat_model

    return build_chat_model(settings)


def topic_check(answerer: Answerer) -> TopicCheck:
    """Drafts refuse a topic the way the agent refuses a question: by the reader's judgement."""

    def covers(topic: str, passages: list[SearchResult]) -> str | None:
        evidence = answerer.covers(topic, passages)
        return None if evidence.strong else evidence.reason

    return covers


class Services:
    """Everything a process needs, each part built on first use (parts passed in are used as they are);
    ``close`` releases the index and database connections of the parts that were built or given."""

    def __init__(self, settings: Settings, *, send_notices: bool = True, **parts: Any) -> None:
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise TypeError(f"unknown service(s): {', '.join(sorted(unknown))}")
        self.settings = settings
        self.send_notices = send_notices  # False in agent worker processes: the server process sends
        for name, value in parts.items():
            if value is not None:
                self.__dict__[name] = value  # what cached_property would have stored

    def replace(self, **parts: Any) -> Services:
        """New services sharing the parts built so far, with `parts` in place of theirs (tests)."""
        current = {name: self.__dict__[name] for name in PARTS if name in self.__dict__}
        return Services(self.settings, send_notices=self.send_notices, **(current | parts))

    def built(self, name: str) -> bool:
        """Whether the part `name` exists yet (built or given)."""
        return name in self.__dict__

    @cached_property
    def index(self) -> KnowledgeIndex:
        return open_knowledge(self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from knowledge.retriever import HybridRetriever

        return HybridRetriever(self.index)

    @cached_property
    def store(self) -> Store:
        from assistant.store import build_store

        return build_store(self.settings.resolved_database_url)

    @cached_property
    def chat_model(self) -> ChatModel:
        return default_chat_model(self.settings, self.index)

    @cached_property
    def guard(self) -> ReplyGuard:
        from assistant.service import ComplianceGuard

        return ComplianceGuard()

    @cached_property
    def agent(self) -> Agent:
        from assistant.service import Agent

        return Agent.from_settings(
            self.settings,
            store=self.store,
            retriever=self.retriever,
            model=self.chat_model,
            guard=self.guard,
            notifier=self.notifier,
            limits=self.limits,
        )

    @cached_property
    def limits(self) -> RateLimits:
        from assistant.ratelimit import RateLimits

        return RateLimits.from_settings(self.settings)

    @cached_property
    def notifier(self) -> StaffNotifier | None:
        return build_notifier(self.settings, self.store, sending=self.send_notices)

    @cached_property
    def channels(self) -> ChannelGateway:
        from assistant.channels import build_gateway

        return build_gateway(self.settings, self.store)

    @cached_property
    def drafts(self) -> DraftService:
        from assistant.drafting import DraftService

        return DraftService(self.retriever, self.chat_model, self.store, covers=topic_check(self.agent.answerer))

    def close(self) -> None:
        if self.built("notifier") and self.notifier is not None:
            self.notifier.close()
        if self.built("store"):
            self.store.close()
        if self.built("index"):
            self.index.close()


def build_services(
    settings: Settings,
    *,
    index: KnowledgeIndex | None = None,
    retriever: HybridRetriever | None = None,
    store: Store | None = None,
    chat_model: ChatModel | None = None,
    guard: ReplyGuard | None = None,
    limits: RateLimits | None = None,
    send_notices: bool = True,
) -> Services:
    """The services Settings describe, built as they are first used; any part passed in is used instead.
    `send_notices=False` (agent worker processes): staff notices are queued in the store, the server sends them."""
    return Services(
        settings,
        send_notices=send_notices,
        index=index,
        retriever=retriever,
        store=store,
        chat_model=chat_model,
        guard=guard,
        limits=limits,
    )


def build_notifier(settings: Settings, store: Store, *, sending: bool = True) -> StaffNotifier | None:
    """The staff webhook's sender, started (it also delivers notices an earlier process left), or None."""
    if settings.wecom_webhook_url is None:
        return None
    from assistant.notify import StaffNotifier

    notifier = StaffNotifier(
        store,
        settings.wecom_webhook_url.get_secret_value(),
        base_url=settings.public_base_url,
        attempts=settings.notify_attempts,
        deliveries=settings.notify_deliveries,
        retry_after=settings.notify_retry_seconds,
        sending=sending,
    )
    notifier.start()
    return notifier
