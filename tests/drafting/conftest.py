"""Drafting fixtures: a DraftService over the sample corpus (date pinned) with a fresh SQLite store per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.drafting import DraftService
from assistant.llm import ChatModel, FakeModel, OfflineModel
from assistant.llm.reader import Reader
from assistant.service import ComplianceGuard
from assistant.service.answer import Answerer
from assistant.services import topic_check
from assistant.store import Store, build_store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.conftest import TEST_TODAY
from tests.support.fixtures import openai_server  # noqa: F401

# (post type, topic, the document its citations must point at)
SAMPLES = [
    ("policy_explainer", "苏州科技型中小企业贷款贴息政策", "policies/suzhou-tech-loan-subsidy-2025.md"),
    ("product_intro", "安心政担贷", "products/anxin-guarantee-loan.md"),
    ("event_notice", "2027年度企业信贷产品发布会", "events/credit-product-launch-2027.md"),
    ("faq_digest", "年化利率怎么算", "faq/apr-conversion.md"),
    # a case story on IP pledge financing may be drawn from the pledge loan or from the pledge subsidy policy
    ("case_story", "知识产权质押融资案例", "products/zhihui-ip-pledge-loan.md|policies/hefei-ip-pledge-support.md"),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = build_store(f"sqlite:///{tmp_path / 'drafts.db'}")
    yield s
    s.close()


@pytest.fixture
def make_service(semantic_retriever: HybridRetriever, store: Store) -> Callable[[ChatModel], DraftService]:
    reader = Reader(semantic_retriever.index.embedding)
    answerer = Answerer(semantic_retriever, OfflineModel(reader=reader), ComplianceGuard())
    covers = topic_check(answerer)  # the production topic check, as build_services wires it

    def make(model: ChatModel) -> DraftService:
        return DraftService(semantic_retriever, model, store, today=lambda: TEST_TODAY, covers=covers)

    return make


@pytest.fixture
def service(make_service: Callable[[ChatModel], DraftService], semantic_index: KnowledgeIndex) -> DraftService:
    return make_service(OfflineModel(reader=Reader(semantic_index.embedding)))


@pytest.fixture
def fake() -> FakeModel:
    return FakeModel()
