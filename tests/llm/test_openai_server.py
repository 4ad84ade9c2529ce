"""The loopback test server speaks enough of the OpenAI protocol for the SDK and raw HTTP clients."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from tests.support import OpenAIServer, deterministic_vector

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def client(server: OpenAIServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=5)


def test_models_endpoint(openai_server: OpenAIServer) -> None:
    assert [m.id for m in client(openai_server).models.list()] == ["test-model"]


def test_raw_sse_stream_ends_with_done(openai_server: OpenAIServer) -> None:
    openai_server.enqueue("你好世界")
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{openai_server.base_url}/chat/completions", json=body, timeout=5)
    events = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert '"object": "chat.completion.chunk"' in events[1]
    assert events[-1] == "data: [DONE]"


def test_stream_usage_chunk_when_requested(openai_server: OpenAIServer) -> None:
    stream = client(openai_server).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].usage is not None
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: hi"


def test_embeddings_are_deterministic_in_float_and_base64(openai_server: OpenAIServer) -> None:
    sdk = client(openai_server)
    floats = sdk.embeddings.create(model="e", input=["贷款", "利率"], encoding_format="float")
    packed = sdk.embeddings.create(model="e", input=["贷款", "利率"])  # the SDK asks for base64
    assert [d.embedding for d in floats.data] == [deterministic_vector(t, 16) for t in ("贷款", "利率")]
    assert packed.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)
    assert len(sdk.embeddings.create(model="e", input="x", dimensions=8).data[0].embedding) == 8


def test_scripted_error_reply_and_delay(openai_server: OpenAIServer) -> None:
    openai_server.delay = 0.05
    openai_server.enqueue({"status": 400, "error": "scripted"})
    with pytest.raises(openai.BadRequestError, match="scripted"):
        client(openai_server).chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])


def test_reset_releases_a_hanging_request_and_clears_records(openai_server: OpenAIServer) -> None:
    openai_server.hang_next()
    with pytest.raises(openai.APITimeoutError):
        client(openai_server).with_options(timeout=0.2).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    openai_server.reset()
    openai_server.enqueue("for this test only")
    time.sleep(0.1)  # the released request must not take the new script
    assert openai_server.requests == []
    reply = client(openai_server).chat.completions.create(model="m", messages=[{"role": "user", "content": "ok"}])
    assert reply.choices[0].message.content == "for this test only"
