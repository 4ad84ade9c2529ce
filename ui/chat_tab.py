"""The Chat preview tab: talk to the member agent and see its citations and escalations as a member would.

Preview conversations are stored like any other, on the channel ``ui_preview`` so staff views and analytics can
tell them apart. The tab shows an escalation's type and id only, never lead details.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.service import InvalidMessage
from ui import notify, render
from ui.auth import EditorAuth

PREVIEW_CHANNEL = "ui_preview"
EMPTY_CITATIONS = render.note("发送消息后，这里显示回答引用的资料。")
EMPTY_META = render.note("这里显示最新一条消息的意图和本会话的转人工情况。")
Outputs = tuple[Any, ...]
Session = dict[str, Any] | None  # {"id": conversation id, "escalations": [{type, id}]}, kept in gr.State


def preview_agent(agent: Any) -> Any:
    """The same agent, writing its conversations on the preview channel."""
    if not hasattr(agent, "channel"):
        return agent
    clone = copy.copy(agent)
    clone.channel = PREVIEW_CHANNEL
    return clone


class ChatController:
    def __init__(self, agent: Any, auth: EditorAuth) -> None:
        self.agent = preview_agent(agent)
        self.auth = auth

    def send(
        self, message: str, history: list[dict[str, Any]] | None, session: Session, request: gr.Request
    ) -> Iterator[Outputs]:
        """Yields (chat history, session, citations, intent/escalations, cleared input) as the answer streams."""
        self.auth.require(request)
        history = list(history or [])
        session = session or {"id": None, "escalations": []}
        if not (message or "").strip():
            raise notify.error("请输入消息。")
        history.append({"role": "user", "content": render.esc(message.strip())})
        history.append({"role": "assistant", "content": ""})
        skip = gr.skip()
        answer = ""
        try:
            for item in self.agent.stream(session["id"], message):
                if isinstance(item, str):
                    answer += item
                    history[-1] = {"role": "assistant", "content": render.esc(answer)}
                    yield history, skip, skip, skip, ""
                else:
                    yield self._final(item, history, session)
        except InvalidMessage as exc:
            raise notify.error(f"消息无效：{exc}") from None

    @staticmethod
    def _final(reply: Any, history: list[dict[str, Any]], session: dict[str, Any]) -> Outputs:
        history[-1] = {"role": "assistant", "content": render.esc(reply.answer)}
        history.extend(render.chat_notes(reply.citations, reply.escalation))
        escalations = list(session["escalations"])
        if reply.escalation and all(e["id"] != reply.escalation.id for e in escalations):
            escalations.append(reply.escalation.to_dict())
        session = {"id": reply.session_id, "escalations": escalations}
        meta = render.chat_meta_html(reply.intent, escalations)
        return history, session, render.chat_citations_html(reply.citations), meta, ""

    def reset(self, request: gr.Request) -> Outputs:
        self.auth.require(request)
        return [], None, EMPTY_CITATIONS, EMPTY_META, ""


def build_chat_tab(agent: Any, auth: EditorAuth) -> ChatController:
    """Lay out the tab inside the current ``gr.Tab`` and wire its events; returns the controller."""
    ctl = ChatController(agent, auth)
    session = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="会员对话预览",
                height=560,
                sanitize_html=True,
                feedback_options=None,
                buttons=["copy_all"],
                placeholder="以会员身份提问，例如：星火科创信用贷的年化利率是多少？",
                elem_id="chat-log",
            )
            with gr.Row(equal_height=True):
                message = gr.Textbox(
                    show_label=False, placeholder="输入消息，回车发送", scale=5, elem_id="chat-input", max_length=2000
                )
                send = gr.Button("发送", variant="primary", scale=1, elem_id="chat-send")
            new = gr.Button("新会话", size="sm")
        with gr.Column(scale=2):
            gr.Markdown("#### 最新回答的引用来源")
            citations = gr.HTML(EMPTY_CITATIONS, elem_id="chat-citations")
            gr.Markdown("#### 意图与转人工")
            meta = gr.HTML(EMPTY_META, elem_id="chat-meta")

    outputs = [chatbot, session, citations, meta, message]
    private: dict[str, Any] = {"api_visibility": "private"}
    send.click(ctl.send, [message, chatbot, session], outputs, **private)
    message.submit(ctl.send, [message, chatbot, session], outputs, **private)
    new.click(ctl.reset, None, outputs, **private)
    chatbot.clear(ctl.reset, None, outputs, **private)  # the log's own clear button starts a new session too
    return ctl
