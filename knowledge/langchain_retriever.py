"""The hybrid retriever as a LangChain `BaseRetriever`, for use in LangChain chains and agents."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from knowledge.retriever import HybridRetriever


class FinassistRetriever(BaseRetriever):
    """Wraps HybridRetriever; each LangChain Document carries source, title, heading and score in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = Field(default=5, ge=1, le=50)
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        results = self.hybrid.search(query, k=k, filters=kwargs.get("filters", self.filters))
        return [
            Document(
                page_content=r.text,
                id=r.chunk_id,
                metadata={"source": r.source, "title": r.title, "heading": r.heading, "score": r.score},
            )
            for r in results
        ]
