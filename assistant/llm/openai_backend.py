"""OpenAIModel: any OpenAI-compatible chat-completions endpoint (OpenAI, DeepSeek, Qwen, vLLM, Ollama)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from assistant.config import Settings
from assistant.llm.base import ChatModel, ChatRequest, Completion, LLMError, LLMTimeout, LLMUnavailable, Usage
from assistant.llm.rendering import to_openai_messages
from assistant.privacy import mask_pii

try:  # openai>=3 talks through httpx2; older SDKs through httpx
    import httpx2 as _http
except ImportError:  # pragma: no cover
    import httpx as _http  # type: ignore[no-redef]

T = TypeVar("T")
SchemaT = TypeVar("SchemaT", bound=BaseModel)

# Local servers (vLLM, Ollama) accept any key; the SDK insists on one being set.
LOCAL_PLACEHOLDER_KEY = "not-needed"
_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def is_retryable(error: BaseException) -> bool:
    """Retry connection errors, 429 and 5xx; never timeouts (the caller is waiting) or other 4xx."""
    if isinstance(error, openai.APITimeoutError):
        return False
    if isinstance(error, openai.APIConnectionError):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return False


def translate_error(error: Exception) -> LLMError:
    """Map an openai SDK error onto the boundary's errors."""
    if isinstance(error, openai.APITimeoutError):
        return LLMTimeout(f"the model provider timed out: {error}")
    if isinstance(error, openai.APIConnectionError):
        return LLMUnavailable(f"cannot reach the model provider: {error}")
    if isinstance(error, openai.APIStatusError):
        message = f"model provider returned HTTP {error.status_code}: {error.message}"
        if is_retryable(error):
            return LLMUnavailable(message)
        return LLMError(message)
    return LLMError(f"model provider error: {error}")


def _schema_instruction(schema: type[BaseModel]) -> str:
    return (
        "只输出一个 JSON 对象，不要输出 Markdown 代码块或其他文字。该 JSON 必须符合以下 JSON Schema：\n"
        + json.dumps(schema.model_json_schema(), ensure_ascii=False)
    )


def _strip_fence(text: str) -> str:
    match = _FENCE_RE.match(text)
    return match.group(1) if match else text.strip()


class OpenAIModel(ChatModel):
    """Chat model over the OpenAI chat-completions protocol, with retries, timeouts and PII masking."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_wait: float = 0.5,
        client: openai.OpenAI | None = None,
    ) -> None:
        if settings is not None:
            base_url = base_url or settings.llm_base_url
            if api_key is None and settings.llm_api_key is not None:
                api_key = settings.llm_api_key.get_secret_value()
            model = model or settings.llm_model
            timeout = settings.llm_timeout if timeout is None else timeout
            max_retries = settings.llm_max_retries if max_retries is None else max_retries
        if not model:
            raise ValueError("OpenAIModel needs a model name")
        self.model_name = model
        self.max_retries = 2 if max_retries is None else max_retries
        self.retry_wait = retry_wait
        # SDK retries are off: tenacity owns the policy so it is the same for every call.
        self.client = client or openai.OpenAI(
            api_key=api_key or LOCAL_PLACEHOLDER_KEY,
            base_url=base_url,
            timeout=30.0 if timeout is None else timeout,
            max_retries=0,
        )

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIModel(model={self.model_name!r}, base_url={str(self.client.base_url)!r})"

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one provider call with exponential backoff on retryable errors; map SDK errors."""
        retrying = Retrying(
            retry=retry_if_exception(is_retryable),
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_exponential(multiplier=self.retry_wait, max=max(self.retry_wait * 16, 0.01)),
            reraise=True,
        )
        try:
            return retrying(fn)
        except openai.OpenAIError as error:
            raise translate_error(error) from error

    def _params(self, request: ChatRequest, messages: list[dict[str, str]]) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model_name, "messages": messages}
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        return params

    def _complete(self, request: ChatRequest, messages: list[dict[str, str]], **extra: Any) -> Completion:
        params = self._params(request, messages) | extra
        response = self._call(lambda: self.client.chat.completions.create(**params))
        if not response.choices:
            raise LLMError("model provider returned no choices")
        usage = response.usage
        return Completion(
            text=(response.choices[0].message.content or "").strip(),
            model=response.model or self.model_name,
            usage=Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else Usage(),
        )

    def generate(self, request: ChatRequest) -> Completion:
        return self._complete(request, to_openai_messages(request))

    def stream(self, request: ChatRequest) -> Iterator[str]:
        """Text deltas as they arrive; retries only while opening the stream."""
        params = self._params(request, to_openai_messages(request)) | {"stream": True}
        chunks = self._call(lambda: self.client.chat.completions.create(**params))
        try:
            with chunks:
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
        except openai.OpenAIError as error:
            raise translate_error(error) from error
        except _http.TimeoutException as error:  # read timeouts mid-stream are not wrapped by the SDK
            raise LLMTimeout(f"the model provider stalled while streaming: {error}") from error
        except _http.HTTPError as error:
            raise LLMUnavailable(f"the stream from the model provider broke: {error}") from error

    def structured(self, request: ChatRequest, schema: type[SchemaT]) -> SchemaT:
        """JSON mode, validated with the schema; one corrective retry on invalid output."""
        messages = to_openai_messages(request, extra_system=_schema_instruction(schema))
        json_mode = {"response_format": {"type": "json_object"}}
        text = self._complete(request, messages, **json_mode).text
        try:
            return schema.model_validate_json(_strip_fence(text))
        except ValidationError as first_error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'JSON'}: {e['msg']}" for e in first_error.errors()[:3]
            )
            messages += [
                {"role": "assistant", "content": mask_pii(text)},
                {"role": "user", "content": f"上面的输出不符合要求（{problems}）。请只输出符合 Schema 的 JSON 对象。"},
            ]
        text = self._complete(request, messages, **json_mode).text
        try:
            return schema.model_validate_json(_strip_fence(text))
        except ValidationError as error:
            raise LLMError(f"model output is not valid {schema.__name__} JSON: {error}") from error
