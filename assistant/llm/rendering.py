"""Turn a ChatRequest into provider chat messages: task system prompt, numbered passages, conversation."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.llm.base import ChatRequest, LLMError
from assistant.privacy import mask_pii
from knowledge.types import SearchResult
from prompts import load_prompt, render

# task -> system prompt file
TASK_PROMPTS = {
    "answer": "system",
    "draft": "draft_system",
    "intent": "intent",
    "lead_extraction": "lead_extraction",
    "summary": "summary",
}
NO_PASSAGES = "（本次没有检索到相关资料）"
_OPEN, _CLOSE = "<<<", ">>>"


def format_passage(number: int, passage: SearchResult) -> str:
    """One passage as a numbered, fenced block the model should treat as data."""
    header = f"[{number}] 《{passage.title or '未命名资料'}》"
    if passage.heading:
        header += f" · {passage.heading}"
    if passage.source:
        header += f"（来源：{passage.source}）"
    # Keep passage text from closing the fence early and smuggling text outside it.
    body = passage.text.replace(_OPEN, "< < <").replace(_CLOSE, "> > >").strip()
    return f"{header}\n{_OPEN}\n{body}\n{_CLOSE}"


def format_passages(passages: Sequence[SearchResult]) -> str:
    """All passages numbered from 1, separated by blank lines."""
    if not passages:
        return NO_PASSAGES
    return "\n\n".join(format_passage(i, p) for i, p in enumerate(passages, start=1))


def system_prompt(task: str) -> str:
    """The system prompt text for a task; unknown tasks are an LLMError."""
    try:
        return load_prompt(TASK_PROMPTS[task])
    except KeyError:
        raise LLMError(f"unknown task {task!r}; expected one of {', '.join(TASK_PROMPTS)}") from None


def passages_block(request: ChatRequest) -> str | None:
    """The passages message for the request (always present for answers, else only with passages)."""
    if request.task == "answer":
        return render("answer", passages=format_passages(request.passages))
    if request.passages:
        return render("passages", passages=format_passages(request.passages))
    return None


def to_openai_messages(request: ChatRequest, extra_system: str | None = None) -> list[dict[str, str]]:
    """Provider messages for the request, every content masked with ``mask_pii`` before it leaves."""
    messages = [{"role": "system", "content": system_prompt(request.task)}]
    block = passages_block(request)
    if block is not None:
        messages.append({"role": "system", "content": block})
    if extra_system:
        messages.append({"role": "system", "content": extra_system})
    messages.extend({"role": m.role, "content": m.content} for m in request.messages)
    return [{"role": m["role"], "content": mask_pii(m["content"])} for m in messages]
