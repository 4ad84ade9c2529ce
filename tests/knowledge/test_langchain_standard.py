"""LangChain's own standard retriever suite, run against FinassistRetriever."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from knowledge.langchain_retriever import FinassistRetriever
from knowledge.retriever import HybridRetriever


class TestFinassistRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _hybrid(self, sample_retriever: HybridRetriever) -> None:
        type(self)._shared = sample_retriever

    @property
    def retriever_constructor(self) -> type[FinassistRetriever]:
        return FinassistRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"hybrid": type(self)._shared}

    @property
    def retriever_query_example(self) -> str:
        return "设备融资租赁的期限"
