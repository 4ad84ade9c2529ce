"""The agent on the openai backend against the real loopback OpenAI-protocol server (no mocks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.llm.openai_backend import OpenAIModel
from assistant.service import Agent, ChatReply
from assistant.services import build_services
from assistant.store import Store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever
from tests.service.conftest import PHONE_RE
from tests.support import OpenAIServer

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
GROUNDED = "星火科创信用贷的贷款利率为年化利率3.45%—5.8%（单利）[1]。具体以借款合同约定为准[1]。"


def model_for(server: OpenAIServer, **overrides: Any) -> OpenAIModel:
    options: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": "test-key",
        "model": "test-model",
        "timeout": 5.0,
        "max_retries": 1,
        "retry_wait": 0.01,
    }
    return OpenAIModel(**(options | overrides))


@pytest.fixture
def openai_agent(make_agent: Callable[..., Agent], openai_server: OpenAIServer) -> Agent:
    return make_agent(model_for(openai_server))


def test_answer_with_citations(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(GROUNDED)
    reply = openai_agent.reply(None, "星火科创信用贷的年化利率是多少？")
    assert reply.answered and "3.45%" in reply.answer and "风险提示" in reply.answer
    assert [c.source for c in reply.citations] == ["products/xinghuo-tech-credit-loan.md"]
    body = openai_server.chat_requests[-1]
    contents = [m["content"] for m in body["messages"]]
    assert body["messages"][0]["role"] == "system" and "会员服务助手" in contents[0]
    assert "[1] 《星火科创信用贷产品说明》" in contents[1]
    assert contents[-1] == "星火科创信用贷的年化利率是多少？"


def test_follow_up_is_sent_as_a_standalone_question(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(GROUNDED, "授信额度为50万元—1000万元[1]。")
    first = openai_agent.reply(None, "星火科创信用贷的年化利率是多少？")
    second = openai_agent.reply(first.session_id, "那最多能贷多少？")
    assert "1000万元" in second.answer and second.citations
    assert openai_server.chat_requests[-1]["messages"][-1]["content"] == "星火科创信用贷：最多能贷多少？"


def test_streaming_yields_guarded_sentences_then_the_reply(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(GROUNDED + "审批通过后保证当天放款[1]。")
    items = list(openai_agent.stream(None, "星火科创信用贷的年化利率是多少？"))
    final = items[-1]
    assert isinstance(final, ChatReply)
    deltas = [i for i in items[:-1] if isinstance(i, str)]
    assert len(deltas) >= 3 and "".join(deltas) == final.answer
    assert openai_server.chat_requests[-1]["stream"] is True
    assert "保证当天放款" not in final.answer  # the guard rewrote that sentence before it was sent
    assert final.citations and final.answered


def test_timeout_gives_a_graceful_fallback_reply(make_agent: Callable[..., Agent], openai_server: OpenAIServer) -> None:
    agent = make_agent(model_for(openai_server, timeout=0.5))
    openai_server.hang_next(2)
    reply = agent.reply(None, "星火科创信用贷的年化利率是多少？")
    assert reply.answer and "3.45%" in reply.answer  # answered from the passages instead
    assert reply.citations and reply.citations[0].source == "products/xinghuo-tech-credit-loan.md"
    streamed = list(agent.stream(None, "星火科创信用贷的年化利率是多少？"))
    final = streamed[-1]
    assert isinstance(final, ChatReply) and "3.45%" in final.answer
    assert len(openai_server.chat_requests) == 2  # timeouts are not retried: the member is waiting


def test_server_error_is_retried(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    openai_server.fail_next(1, status=503)
    openai_server.enqueue(GROUNDED)
    reply = openai_agent.reply(None, "星火科创信用贷的年化利率是多少？")
    assert len(openai_server.chat_requests) == 2
    assert reply.answer.startswith("星火科创信用贷的贷款利率为年化利率3.45%")


def test_persistent_server_errors_fall_back(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    openai_server.fail_next(5, status=500)
    reply = openai_agent.reply(None, "星火科创信用贷的年化利率是多少？")
    assert len(openai_server.chat_requests) == 2  # one try and one retry
    assert "3.45%" in reply.answer and reply.citations


def test_unknown_product_never_reaches_the_model(openai_agent: Agent, openai_server: OpenAIServer) -> None:
    reply = openai_agent.reply(None, "量子链条贷的利率是多少？")
    assert "无法确定" in reply.answer and openai_server.chat_requests == []


def scripted(body: dict[str, Any]) -> str:
    """Answers like a well-behaved provider for each task the agent may send."""
    system = body["messages"][0]["content"]
    last = body["messages"][-1]["content"]
    if "意图分类器" in system:
        intent = "apply" if ("申请" in last or ("贷" in last and "万" in last)) else "question"
        return json.dumps({"intent": intent, "confidence": 0.9, "reason": "test"})
    if "会员对话摘要" in system:
        return "会员咨询融资申请，已留手机号，请客户经理跟进。"
    return GROUNDED


def test_no_phone_number_ever_reaches_the_provider(
    openai_settings_env: OpenAIServer,
    semantic_index: KnowledgeIndex,
    semantic_retriever: HybridRetriever,
    store: Store,
    tmp_path: Path,
) -> None:
    server = openai_settings_env
    server.enqueue(*[scripted] * 20)
    settings = Settings(data_dir=tmp_path, llm_intent=True, llm_summary=True)
    services = build_services(settings, index=semantic_index, retriever=semantic_retriever, store=store)
    assert isinstance(services.chat_model, OpenAIModel)
    agent = services.agent
    session = None
    for message in (
        "我的电话13812345678，星火科创信用贷的年化利率是多少？",
        "我想申请贷款，电话 138-1234-5678",
        "同意",
        "我叫张三，苏州星河精密机械有限公司，手机+86 139 1234 5678，想贷300万买设备",
        "转人工，我的身份证320102199001011234",
    ):
        session = agent.reply(session, message).session_id
    systems = [r["messages"][0]["content"] for r in server.chat_requests]
    assert any("意图分类器" in s for s in systems) and any("会员对话摘要" in s for s in systems)
    received = server.received_text()
    assert not PHONE_RE.search(received), PHONE_RE.search(received)
    for secret in ("13812345678", "13912345678", "1391234", "320102199001011234"):
        assert secret not in received.replace(" ", "").replace("-", "")
    lead = store.leads.list().items[0]
    assert store.leads.get(lead.id, include_phone=True).phone == "13912345678"
