"""OpenAIModel against a real loopback OpenAI-compatible server: no mocks, no network beyond 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import BaseModel

from assistant.config import Settings
from assistant.llm import (
    ChatRequest,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
    Message,
    OpenAIModel,
    build_chat_model,
)
from assistant.privacy import find_phones
from prompts import load_prompt
from tests.llm.conftest import FAQ, PRODUCT
from tests.support import OpenAIServer

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


class Intent(BaseModel):
    intent: str
    confidence: float


def make_model(server: OpenAIServer, **overrides: object) -> OpenAIModel:
    options: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": "test-key",
        "model": "test-model",
        "timeout": 5.0,
        "max_retries": 2,
        "retry_wait": 0.01,
    }
    return OpenAIModel(**(options | overrides))  # type: ignore[arg-type]


def question(text: str = "贷款期限最长多久？", **kwargs: object) -> ChatRequest:
    return ChatRequest([Message.user(text)], [PRODUCT, FAQ], **kwargs)  # type: ignore[arg-type]


def test_generate_sends_system_numbered_passages_and_messages(openai_server: OpenAIServer) -> None:
    openai_server.enqueue("贷款期限最长36个月[1]。")
    completion = make_model(openai_server).generate(question(temperature=0.2, max_tokens=300))
    assert completion.text == "贷款期限最长36个月[1]。"
    assert completion.model == "test-model"
    assert completion.citations == [1]
    assert completion.usage.completion_tokens > 0

    body = openai_server.chat_requests[0]
    assert body["model"] == "test-model"
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 300
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "system", "user"]
    assert body["messages"][0]["content"] == load_prompt("system")
    data = body["messages"][1]["content"]
    assert "[1] 《小微企业经营贷产品说明》" in data
    assert "[2] 《会员常见问题》" in data
    assert "贷款期限最长36个月" in data
    assert body["messages"][2]["content"] == "贷款期限最长多久？"
    assert openai_server.requests[0].headers["authorization"] == "Bearer test-key"


def test_answer_without_passages_says_there_are_none(openai_server: OpenAIServer) -> None:
    make_model(openai_server).generate(ChatRequest([Message.user("你好")]))
    assert "没有检索到相关资料" in openai_server.chat_requests[0]["messages"][1]["content"]


def test_other_tasks_use_their_own_system_prompt(openai_server: OpenAIServer) -> None:
    make_model(openai_server).generate(ChatRequest([Message.user("总结")], task="summary"))
    messages = openai_server.chat_requests[0]["messages"]
    assert messages[0]["content"] == load_prompt("summary")
    assert len(messages) == 2


def test_unknown_task_fails_before_any_request(openai_server: OpenAIServer) -> None:
    with pytest.raises(LLMError, match="unknown task"):
        make_model(openai_server).generate(ChatRequest([Message.user("hi")], task="poem"))
    assert openai_server.requests == []


def test_stream_yields_deltas_that_reassemble(openai_server: OpenAIServer) -> None:
    reply = "根据资料，贷款期限最长36个月[1]，可按月付息、到期还本[1]。"
    openai_server.enqueue(reply)
    chunks = list(make_model(openai_server).stream(question()))
    assert len(chunks) > 5
    assert "".join(chunks) == reply
    assert openai_server.chat_requests[0]["stream"] is True


def test_structured_uses_json_mode_and_validates(openai_server: OpenAIServer) -> None:
    openai_server.enqueue('{"intent": "question", "confidence": 0.9}')
    result = make_model(openai_server).structured(question(task="intent"), Intent)
    assert result == Intent(intent="question", confidence=0.9)
    body = openai_server.chat_requests[0]
    assert body["response_format"] == {"type": "json_object"}
    assert any("JSON Schema" in m["content"] for m in body["messages"] if m["role"] == "system")


def test_structured_accepts_fenced_json(openai_server: OpenAIServer) -> None:
    openai_server.enqueue('```json\n{"intent": "apply", "confidence": 1}\n```')
    assert make_model(openai_server).structured(question(task="intent"), Intent).intent == "apply"


def test_structured_retries_once_on_invalid_json(openai_server: OpenAIServer) -> None:
    openai_server.enqueue("这不是 JSON", '{"intent": "human", "confidence": 0.7}')
    assert make_model(openai_server).structured(question(task="intent"), Intent).intent == "human"
    assert len(openai_server.chat_requests) == 2
    retry_messages = openai_server.chat_requests[1]["messages"]
    assert retry_messages[-2] == {"role": "assistant", "content": "这不是 JSON"}


def test_structured_gives_up_after_the_second_invalid_output(openai_server: OpenAIServer) -> None:
    openai_server.enqueue("{}", '{"intent": 1}')
    with pytest.raises(LLMError, match="Intent"):
        make_model(openai_server).structured(question(task="intent"), Intent)
    assert len(openai_server.chat_requests) == 2


def test_hanging_server_times_out_quickly_without_retry(openai_server: OpenAIServer) -> None:
    openai_server.hang_next(5)
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        make_model(openai_server, timeout=0.3).generate(question())
    assert time.monotonic() - started < 2.0
    assert len(openai_server.chat_requests) == 1


def test_hanging_stream_times_out(openai_server: OpenAIServer) -> None:
    openai_server.hang_next()
    with pytest.raises(LLMTimeout):
        list(make_model(openai_server, timeout=0.3, max_retries=0).stream(question()))


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_error_is_retried_then_succeeds(openai_server: OpenAIServer, status: int) -> None:
    openai_server.fail_next(1, status=status).enqueue("好的[1]。")
    assert make_model(openai_server).generate(question()).text == "好的[1]。"
    assert len(openai_server.chat_requests) == 2


def test_stream_open_is_retried_after_5xx(openai_server: OpenAIServer) -> None:
    openai_server.fail_next(1).enqueue("流式回答")
    assert "".join(make_model(openai_server).stream(question())) == "流式回答"
    assert len(openai_server.chat_requests) == 2


def test_persistent_5xx_is_unavailable_after_retries(openai_server: OpenAIServer) -> None:
    openai_server.fail_next(10, status=503)
    with pytest.raises(LLMUnavailable, match="503"):
        make_model(openai_server, max_retries=2).generate(question())
    assert len(openai_server.chat_requests) == 3


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_not_retried(openai_server: OpenAIServer, status: int) -> None:
    openai_server.fail_next(1, status=status, message="bad request")
    with pytest.raises(LLMError, match=str(status)) as caught:
        make_model(openai_server).generate(question())
    assert not isinstance(caught.value, LLMUnavailable)
    assert len(openai_server.chat_requests) == 1


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = OpenAIModel(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", model="m", retry_wait=0.01)
    with pytest.raises(LLMUnavailable):
        model.generate(question())


def test_phone_numbers_never_reach_the_provider(openai_server: OpenAIServer) -> None:
    phones = "我叫王五，手机13812345678，备用 +86 139-1234-5678"
    leaky = PRODUCT.__class__(**{**PRODUCT.__dict__, "text": PRODUCT.text + "\n客户经理电话：15900001111。"})
    request = ChatRequest(
        [Message.user(phones), Message.assistant("收到 13812345678"), Message.user("申请条件？")],
        [leaky],
    )
    openai_server.enqueue("好的", "好的", '{"intent": "apply", "confidence": 1}')
    model = make_model(openai_server)
    model.generate(request)
    list(model.stream(request))
    model.structured(request, Intent)
    received = openai_server.received_text()
    assert len(openai_server.chat_requests) == 3
    assert find_phones(received) == []
    assert "138****5678" in received
    assert "159****1111" in received


def test_settings_build_an_openai_model_for_the_server(openai_settings_env: OpenAIServer) -> None:
    model = build_chat_model(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(model, OpenAIModel)
    assert "test-key-not-secret" not in repr(model)
    openai_settings_env.enqueue("来自设置")
    assert model.generate(question()).text == "来自设置"
    assert openai_settings_env.requests[0].headers["authorization"] == "Bearer test-key-not-secret"


def test_local_endpoint_without_key_still_works(openai_server: OpenAIServer) -> None:
    settings = Settings(_env_file=None, llm_backend="openai", llm_base_url=openai_server.base_url)  # type: ignore[call-arg]
    model = OpenAIModel(settings, retry_wait=0.01)
    assert model.generate(question()).text.startswith("echo:")
