"""The official `openai` Python client, unchanged, against /v1/chat/completions served by uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from fastapi import FastAPI
from openai import OpenAI

from assistant.services import Services
from tests.api.helpers import APPLY_TURNS, PHONE
from tests.api.live import serve_in_thread

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])
MODEL = "finassist-agent"
QUESTION = "安心政担贷的贷款利率是多少？"


@pytest.fixture
def oai(app: FastAPI) -> Iterator[OpenAI]:
    with serve_in_thread(app) as base_url:
        client = OpenAI(base_url=f"{base_url}/v1", api_key="not-needed", max_retries=0, timeout=30)
        yield client
        client.close()


def test_non_streaming_completion_with_citations(oai: OpenAI) -> None:
    completion = oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}])
    assert completion.object == "chat.completion" and completion.model == MODEL
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert "[1]" in (choice.message.content or "")
    extra = completion.model_extra or {}
    assert extra["citations"] and set(extra["citations"][0]) == {"source", "title", "snippet"}
    assert extra["intent"] == "question" and extra["session_id"]
    assert completion.usage is not None and completion.usage.total_tokens > 0


def test_streaming_completion_with_citations_in_the_last_chunk(oai: OpenAI) -> None:
    stream = oai.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "ignored"}, {"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1 and "[1]" in text
    extra = finals[0].model_extra or {}
    assert extra["citations"] and extra["session_id"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_conversation_carried_by_the_user_field_creates_a_lead(oai: OpenAI, services: Services) -> None:
    session = None
    for turn in APPLY_TURNS:
        extra = {"user": session} if session else {}
        completion = oai.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": turn.format(phone=PHONE)}], **extra
        )
        returned = (completion.model_extra or {})["session_id"]
        assert session is None or returned == session
        session = returned
    leads = services.store.leads.list().items
    assert [lead.conversation_id for lead in leads] == [session.split(".")[0]]


def test_session_header_and_plain_user_ids(oai: OpenAI) -> None:
    first = oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "你好"}])
    session = (first.model_extra or {})["session_id"]
    completion = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "你好"}], extra_headers={"X-Session-Id": session}
    )
    assert (completion.model_extra or {})["session_id"] == session
    # a plain OpenAI client's `user` (any string) starts a conversation of its own, never one named by it
    stream = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "你好"}], user="someone@example.com", stream=True
    )
    session_ids = {(c.model_extra or {}).get("session_id") for c in stream} - {None}
    assert len(session_ids) == 1 and session_ids.pop() not in (session, "someone@example.com")


def test_list_content_parts_are_accepted(oai: OpenAI) -> None:
    completion = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    )
    assert (completion.model_extra or {})["citations"]


def test_models_and_errors_surface_as_openai_exceptions(oai: OpenAI) -> None:
    assert [m.id for m in oai.models.list()] == [MODEL]
    with pytest.raises(openai.NotFoundError) as not_found:
        oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "你好"}])
    assert "finassist-agent" in str(not_found.value)
    with pytest.raises(openai.UnprocessableEntityError):
        oai.chat.completions.create(model=MODEL, messages=[{"role": "assistant", "content": "只有助手"}])
