"""Request and response models of the member-facing and ops endpoints (staff ones: api/staff_schemas.py).

Requests are strict (no type coercion) and refuse unknown fields, so bad input is rejected clearly; the
OpenAI-compatible request ignores unknown fields instead, because clients send many optional ones.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from assistant.leads import lead_amount
from assistant.store import ConsentRequired
from assistant.validation import MAX_INT, MAX_OFFSET, text_problem
from knowledge.text.clean import CLEAN_PATTERN


def _clean(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise PydanticCustomError("invalid_text", problem)
    return value


class _StatesCleanPattern:
    """Adds the character rule to a string's JSON schema as a `pattern` (unless it has a stricter one)."""

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        schema.setdefault("pattern", CLEAN_PATTERN)
        return schema


# Every text a request carries (body field, query parameter): no control characters, lone surrogates or
# noncharacters (assistant.validation); 422 naming the field otherwise. Add length limits with Field/Query.
Text = Annotated[str, AfterValidator(_clean), _StatesCleanPattern()]
# Paging and counters, bounded to what an INTEGER column holds on both stores.
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Items to skip")]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]

SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
SessionId = Annotated[str, Field(pattern=SESSION_ID_PATTERN, max_length=64, examples=["member-42"])]
AGENT_MODEL = "finassist-agent"


_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_only(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATETIME_RE.match(value):
        raise ValueError("must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T00:00:00+08:00")
    return value


# A date-time in a query string: ISO 8601 with an offset only (no Unix timestamps, no naive times).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


class StrictModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Citation(BaseModel):
    source: str
    title: str
    snippet: str


class EscalationRef(BaseModel):
    type: str
    id: str
    open_now: bool | None = Field(default=None, description="Whether staff are at work now (WORKING_HOURS)")
    hours: str | None = Field(default=None, description="The working hours the member is told, e.g. 工作日9:00—18:00")


class ChatRequest(StrictModel):
    session_id: SessionId | None = Field(default=None, description="Omit to start a new conversation")
    message: Text = Field(min_length=1, description="The member's message (length capped by MAX_MESSAGE_CHARS)")


class ChatResponse(BaseModel):
    session_id: str
    answer: str
    citations: list[Citation]
    intent: str
    escalation: EscalationRef | None


class LeadFieldInfo(BaseModel):
    name: Literal["name", "company", "phone", "amount", "purpose"]
    label: str = Field(description="How the agent names the field; a message line `label：value` gives it")
    max_length: int | None = Field(description="Characters kept of a labelled value (null: phone and amount)")


class ConsentInfo(BaseModel):
    """What the member agrees to before lead details are collected (the agent records this very text)."""

    purpose: str
    text: str
    fields: list[LeadFieldInfo]


# --- OpenAI-compatible chat completions -------------------------------------------------------------


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Text = Field(max_length=64)
    text: Text | None = None


class CompletionMessage(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Annotated[str, _StatesCleanPattern()] | list[ContentPart] | None = None

    @field_validator("content")
    @classmethod
    def _clean_content(cls, value: object) -> object:
        return _clean(value) if isinstance(value, str) else value


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class CompletionRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    model: Text = Field(max_length=128, examples=[AGENT_MODEL])
    messages: list[CompletionMessage] = Field(min_length=1, max_length=500)
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: Text | None = Field(
        default=None, max_length=256, description="Session id of the conversation (or X-Session-Id)"
    )
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_INT)


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int
    message: AssistantMessage
    finish_reason: Literal["stop"]


class CompletionUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class CompletionResponse(BaseModel):
    """An OpenAI `chat.completion`, plus `citations`, `session_id`, `intent` and `escalation`."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    citations: list[Citation]
    session_id: str
    intent: str
    escalation: EscalationRef | None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


# --- member lead form ---------------------------------------------------------------------------------


# Yuan as a number or as written ("50万", "500,000元", "五十万"); stored as whole yuan (assistant.leads.lead_amount).
LeadAmount = Annotated[
    int | None,
    BeforeValidator(lead_amount),
    BeforeValidator(lambda value: _clean(value) if isinstance(value, str) else value),  # runs first
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 10**12},
                {"type": "string", "pattern": CLEAN_PATTERN},
                {"type": "null"},
            ],
            "description": "Amount in yuan: a number or written with 万/亿/元 (stored in yuan)",
        }
    ),
]


class LeadCreate(StrictModel):
    """A member's contact request from a form (chat widget, WeChat bridge); stored only with consent."""

    session_id: SessionId | None = None
    name: Text = Field(min_length=1, max_length=64)
    company: Text = Field(min_length=1, max_length=128)
    phone: Text = Field(min_length=1, max_length=32, examples=["13800138000"])
    amount: LeadAmount = Field(default=None, examples=[500000, "50万", "50万元", "500,000元", "五十万"])
    purpose: Text | None = Field(default=None, max_length=500)
    consent: bool = Field(description="The member agreed to the consent text; must be true")

    @model_validator(mode="before")
    @classmethod
    def _consent_first(cls, data: Any) -> Any:
        """No consent (missing, false or not a boolean true): `consent_required`, before any other field is read."""
        if isinstance(data, dict) and data.get("consent") is not True:
            raise ConsentRequired("consent is required: the member must agree to the consent text first")
        return data


class LeadCreated(BaseModel):
    id: str
    session_id: str
    status: str


# --- ops ----------------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready"]
    checks: dict[str, bool]


def _sse_event(name: str | None, content_schema: dict[str, Any]) -> dict[str, Any]:
    data = {"type": "string", "contentMediaType": "application/json", "contentSchema": content_schema}
    properties: dict[str, Any] = {"data": data}
    if name is not None:
        properties["event"] = {"const": name}
    return {"type": "object", "required": ["data", *(["event"] if name else [])], "properties": properties}


ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
# Schemas of one Server-Sent Event ({event, data}; `data` holds JSON), as OpenAPI 3.2 `itemSchema` would.
CHAT_EVENT_SCHEMA = {
    "oneOf": [
        _sse_event("token", {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}),
        _sse_event("final", {"$ref": "#/components/schemas/ChatResponse"}),
        _sse_event("error", ERROR_REF),
    ]
}
_CHUNK = {
    "type": "object",
    "required": ["id", "object", "created", "model", "choices"],
    "properties": {"object": {"const": "chat.completion.chunk"}, "choices": {"type": "array"}},
}
COMPLETION_EVENT_SCHEMA = {
    "type": "object",
    "required": ["data"],
    "if": {"properties": {"data": {"const": "[DONE]"}}},
    "else": _sse_event(None, {"anyOf": [_CHUNK, ERROR_REF]}),
}


def sse_response(description: str, event_schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"text/event-stream": {"schema": event_schema}}}


def citation_dicts(items: Any) -> list[dict[str, str]]:
    """Citations from agent objects or dicts, in the {source, title, snippet} shape."""
    out = []
    for item in items or ():
        data = item.to_dict() if hasattr(item, "to_dict") else dict(item)
        out.append({k: str(data.get(k, "")) for k in ("source", "title", "snippet")})
    return out
