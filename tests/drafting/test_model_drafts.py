"""Model-written drafts (openai backend, or any ChatModel): free text, same claim and compliance checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.drafting import ApprovalBlocked, Brief, DraftService, DraftView
from assistant.llm import ChatModel, ChatRequest, FakeModel, OpenAIModel
from assistant.llm.offline import DRAFT_LABEL
from tests.support import OpenAIServer

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def cite_of(request: ChatRequest, needle: str) -> int:
    """The [n] of the first passage containing the needle."""
    return next(i for i, p in enumerate(request.passages, 1) if needle in p.text)


def writer(rate: str) -> Callable[[ChatRequest], str]:
    """A scripted model: cites the rate table for the given rate and leaves one figure uncited."""

    def write(request: ChatRequest) -> str:
        n = cite_of(request, "3.5%—4.8%")
        return (
            f"# 安心政担贷来了\n\n安心政担贷的贷款额度为10万元—1000万元，年化利率{rate}[{n}]。\n\n"
            "资料齐全时最快3个工作日放款。\n\n风险提示：额度、利率以审批结果为准，融资有风险，请审慎决策。"
        )

    return write


def test_model_draft_is_checked_like_any_other(make_service: Callable[[ChatModel], DraftService]) -> None:
    fake = FakeModel([writer("3.2%—4.8%")])
    service = make_service(fake)
    view = service.create(Brief("product_intro", "安心政担贷", channel="group_message", tone="亲切"), author="e")

    request = fake.last_request
    assert request.task == "draft" and request.passages
    prompt = request.last_user_message
    assert "安心政担贷" in prompt and "社群群消息" in prompt and "亲切" in prompt and "额度、期限与利率" in prompt

    assert view.text.endswith(DRAFT_LABEL)  # the AI-assisted label is added when the model leaves it out
    [citation] = view.citations
    assert citation.source == "products/anxin-guarantee-loan.md" and f"[{citation.n}]" in view.text
    flagged = {c.text: c.message for c in view.claims if not c.supported}
    assert flagged == {
        "年化利率3.2%—4.8%": f"正文中的“年化利率3.2%—4.8%”在引用[{citation.n}]中找不到",
        "3个工作日": "正文中的“3个工作日”没有标注引用来源",
    }
    supported = [c.text for c in view.claims if c.supported]
    assert supported == ["额度为10万元", "1000万元"]
    with pytest.raises(ApprovalBlocked) as blocked:
        service.approve(view.id, approver="editor:wang")
    assert len(blocked.value.reasons) == 2

    fixed_text = view.text.replace("3.2%", "3.5%").replace("资料齐全时最快3个工作日放款。\n\n", "")
    fixed = service.revise(view.id, fixed_text, author="editor:li")
    assert fixed.blocking == []
    assert service.approve(view.id, approver="editor:wang").status == "approved"


def test_model_stream_adds_up_to_the_stored_text(make_service: Callable[[ChatModel], DraftService]) -> None:
    service = make_service(FakeModel([writer("3.5%—4.8%")]))
    *deltas, final = service.stream(Brief("product_intro", "安心政担贷"), author="e")
    assert isinstance(final, DraftView)
    assert "".join(str(d) for d in deltas) == final.text and final.text.endswith(DRAFT_LABEL)
    assert final.blocking == ["正文中的“3个工作日”没有标注引用来源"]


def test_openai_backend_over_loopback(
    make_service: Callable[[ChatModel], DraftService], openai_server: OpenAIServer
) -> None:
    def reply(body: dict) -> str:  # type: ignore[type-arg]
        passages = next(m["content"] for m in body["messages"] if "<资料>" in m["content"])
        assert "安心政担贷" in passages and "3.5%—4.8%" in passages
        return "安心政担贷贷款期限1—3年，年化利率3.5%—4.8%[3]。\n\n本文由 AI 辅助起草，经编辑审核后发布。"

    openai_server.enqueue(reply)
    model = OpenAIModel(base_url=openai_server.base_url, api_key="test-key", model="test-model", timeout=5.0)
    view = make_service(model).create(Brief("product_intro", "安心政担贷"), author="e")
    system = openai_server.chat_requests[0]["messages"][0]["content"]
    assert "写作助手" in system  # the draft system prompt
    assert view.text.count("AI 辅助起草") == 1
    assert [c.n for c in view.citations] == [3]
    assert view.citations[0].heading.endswith("额度、期限与成本")
    assert all(c.supported for c in view.claims) and len(view.claims) == 2
