"""FakeModel: a scripted ChatModel for tests. Enqueue responses, then assert on the recorded requests."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from assistant.llm.base import ChatModel, ChatRequest, Completion, LLMError, chunk_text

SchemaT = TypeVar("SchemaT", bound=BaseModel)
Reply = Union[str, Completion, BaseModel, dict[str, Any], BaseException]  # noqa: UP007
Response = Union[Reply, Callable[[ChatRequest], Reply]]  # noqa: UP007


class FakeModel(ChatModel):
    """Returns queued responses in order and records every request.

    A response may be a string, a Completion, a dict or pydantic model (for ``structured``), an exception
    instance (raised), or a callable taking the ChatRequest and returning any of those. When the queue is
    empty, ``default`` is used if given, otherwise LLMError is raised.
    """

    model_name = "fake"

    def __init__(self, responses: Iterable[Response] = (), *, default: Response | None = None) -> None:
        self.queue: deque[Response] = deque(responses)
        self.default = default
        self.requests: list[ChatRequest] = []

    def enqueue(self, *responses: Response) -> FakeModel:
        self.queue.extend(responses)
        return self

    @property
    def last_request(self) -> ChatRequest:
        if not self.requests:
            raise AssertionError("FakeModel received no requests")
        return self.requests[-1]

    def _next(self, request: ChatRequest) -> Reply:
        self.requests.append(request)
        if self.queue:
            response = self.queue.popleft()
        elif self.default is not None:
            response = self.default
        else:
            raise LLMError("FakeModel has no queued response left")
        reply = response(request) if callable(response) else response
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def generate(self, request: ChatRequest) -> Completion:
        reply = self._next(request)
        if isinstance(reply, Completion):
            return reply
        if isinstance(reply, BaseModel):
            return Completion(reply.model_dump_json(), self.model_name)
        if isinstance(reply, dict):
            return Completion(json.dumps(reply, ensure_ascii=False), self.model_name)
        return Completion(str(reply), self.model_name)

    def stream(self, request: ChatRequest) -> Iterator[str]:
        yield from chunk_text(self.generate(request).text)

    def structured(self, request: ChatRequest, schema: type[SchemaT]) -> SchemaT:
        reply = self._next(request)
        try:
            if isinstance(reply, BaseModel):
                return schema.model_validate(reply.model_dump())
            if isinstance(reply, dict):
                return schema.model_validate(reply)
            text = reply.text if isinstance(reply, Completion) else str(reply)
            return schema.model_validate_json(text)
        except ValidationError as error:
            raise LLMError(f"fake response is not valid {schema.__name__}: {error}") from error
