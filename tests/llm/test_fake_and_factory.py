"""FakeModel scripting and the Settings-driven factory."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from assistant.config import Settings
from assistant.llm import (
    ChatModel,
    ChatRequest,
    Completion,
    FakeModel,
    LLMError,
    LLMTimeout,
    Message,
    OfflineModel,
    OpenAIModel,
    build_chat_model,
)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


class Lead(BaseModel):
    name: str | None = None
    amount: int | None = None


def request(text: str = "你好", task: str = "answer") -> ChatRequest:
    return ChatRequest([Message.user(text)], task=task)


def test_fake_returns_queued_replies_in_order_and_records_requests() -> None:
    fake = FakeModel(["一[1]", Completion("二", "other")])
    fake.enqueue(lambda req: f"回声：{req.last_user_message}")
    assert fake.generate(request("a")).text == "一[1]"
    assert fake.generate(request("b")).model == "other"
    assert fake.generate(request("c")).text == "回声：c"
    assert [r.last_user_message for r in fake.requests] == ["a", "b", "c"]
    assert fake.last_request.last_user_message == "c"


def test_fake_raises_enqueued_errors_and_reports_an_empty_queue() -> None:
    fake = FakeModel([LLMTimeout("slow")])
    with pytest.raises(LLMTimeout):
        fake.generate(request())
    with pytest.raises(LLMError, match="no queued response"):
        fake.generate(request())
    assert FakeModel(default="默认").generate(request()).text == "默认"


def test_fake_structured_accepts_dicts_models_and_json() -> None:
    fake = FakeModel([{"name": "王五", "amount": 3_000_000}, Lead(name="李四"), '{"amount": 5}', "not json"])
    assert fake.structured(request(task="lead_extraction"), Lead) == Lead(name="王五", amount=3_000_000)
    assert fake.structured(request(), Lead).name == "李四"
    assert fake.structured(request(), Lead).amount == 5
    with pytest.raises(LLMError):
        fake.structured(request(), Lead)


def test_fake_stream_chunks_the_reply() -> None:
    fake = FakeModel(["根据资料[12]，这是一个较长的回答。"])
    chunks = list(fake.stream(request()))
    assert "".join(chunks) == "根据资料[12]，这是一个较长的回答。"
    assert any("[12]" in c for c in chunks)


def test_factory_defaults_to_offline() -> None:
    model = build_chat_model(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(model, OfflineModel)
    assert isinstance(model, ChatModel)


def test_factory_builds_openai_backend_with_settings() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        llm_backend="openai",
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key="sk-test-123456",
        llm_model="qwen-plus",
        llm_timeout=3,
        llm_max_retries=4,
    )
    model = build_chat_model(settings)
    assert isinstance(model, OpenAIModel)
    assert model.model_name == "qwen-plus"
    assert model.max_retries == 4
    assert model.client.max_retries == 0  # tenacity owns retries
    assert "sk-test" not in repr(model)
