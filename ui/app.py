"""The editors' UI: ``build_ui(services)`` is a pure function of the injected services (no globals).

Tabs: 草稿 (drafts), 知识库 (knowledge), 对话预览 (chat preview), 数据分析 (analytics: only for roles with
``Permission.ANALYTICS``, as in the API). Mount it with ``ui.mount.mount_ui``, which also puts our login page in
front of it.
"""

from __future__ import annotations

from typing import Any, Protocol

import gradio as gr

from assistant.access import ROLE_NAMES, Permission
from assistant.insights import flagged_knowledge
from ui import render
from ui.analytics_tab import build_analytics_tab
from ui.auth import EditorAuth
from ui.chat_tab import build_chat_tab
from ui.drafts_tab import build_drafts_tab
from ui.knowledge_tab import build_knowledge_tab
from ui.notify import ERROR_TITLE, INFO_TITLE, WARNING_TITLE

TITLE = "融资社区助手 · 编辑工作台"
THEME = gr.themes.Soft(primary_hue="blue", neutral_hue="slate")
FONT_STACK = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif'
CSS = f"""
.gradio-container {{ font-family: {FONT_STACK}; max-width: 1400px !important; margin: 0 auto; }}
.fa-topbar {{ display: flex; align-items: baseline; gap: 12px; }}
.fa-topbar h1 {{ font-size: 1.35rem; margin: 0; }}
.fa-user {{ text-align: right; white-space: nowrap; padding-top: 6px; }}
.fa-meta {{ color: var(--body-text-color-subdued); font-size: 0.85em; }}
.fa-note {{ border-radius: 6px; padding: 8px 12px; margin: 6px 0; font-size: 0.92em;
  background: var(--background-fill-secondary); border-left: 4px solid #94a3b8; }}
.fa-note ul {{ margin: 4px 0 0 18px; }}
.fa-note-ok {{ border-left-color: #16a34a; background: #f0fdf4; }}
.fa-note-warn {{ border-left-color: #d97706; background: #fffbeb; }}
.fa-note-error {{ border-left-color: #dc2626; background: #fef2f2; }}
.fa-head {{ display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 4px 0; }}
.fa-chip {{ border-radius: 999px; padding: 1px 10px; font-size: 0.82em; background: #e2e8f0; color: #1e293b; }}
.fa-status-approved {{ background: #dcfce7; color: #166534; }}
.fa-draft {{ position: relative; white-space: pre-wrap; line-height: 1.75; padding: 10px 12px; border-radius: 8px;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-primary);
  max-height: 480px; overflow-y: auto; }}
.fa-mark {{ border-radius: 3px; padding: 0 1px; cursor: help; }}
mark.fa-error {{ background: #fecaca; border-bottom: 2px solid #dc2626; }}
mark.fa-claim {{ background: #fde68a; border-bottom: 2px dashed #d97706; }}
mark.fa-warning {{ background: #e0e7ff; border-bottom: 2px dotted #4f46e5; }}
.fa-summary {{ font-size: 0.9em; margin: 8px 0 4px; }}
.fa-issues {{ margin: 0; padding-left: 0; list-style: none; }}
.fa-issue {{ border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0; }}
.fa-issue.fa-error {{ border-left: 4px solid #dc2626; }}
.fa-issue.fa-claim {{ border-left: 4px solid #d97706; }}
.fa-issue.fa-warning {{ border-left: 4px solid #4f46e5; }}
.fa-badge {{ font-size: 0.8em; font-weight: 600; border-radius: 4px; padding: 1px 6px; color: #fff; }}
.fa-badge.fa-error {{ background: #dc2626; }} .fa-badge.fa-claim {{ background: #d97706; }}
.fa-badge.fa-warning {{ background: #4f46e5; }}
.fa-issue-msg {{ font-size: 0.88em; margin-top: 4px; }}
.fa-fix {{ font-size: 0.88em; margin-top: 4px; color: #166534; }}
.fa-cite {{ border-bottom: 1px solid var(--border-color-primary); padding: 6px 0; }}
.fa-cite summary {{ cursor: pointer; font-weight: 600; }}
.fa-passage {{ white-space: pre-wrap; font-size: 0.88em; margin: 6px 0; padding: 6px 10px;
  border-left: 3px solid #cbd5e1; background: var(--background-fill-secondary); }}
.fa-version summary {{ cursor: pointer; }}
.fa-diff {{ white-space: pre-wrap; font-size: 0.8em; max-height: 280px; overflow-y: auto; }}
.fa-diff-add {{ color: #166534; background: #f0fdf4; }} .fa-diff-del {{ color: #991b1b; background: #fef2f2; }}
.fa-stats {{ display: flex; gap: 10px; flex-wrap: wrap; }}
.fa-stat {{ flex: 1; min-width: 90px; border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; text-align: center; }}
.fa-stat b {{ display: block; font-size: 1.3em; }} .fa-stat span {{ font-size: 0.82em; }}
.fa-result {{ border-bottom: 1px solid var(--border-color-primary); padding: 8px 0; }}
.fa-bad {{ color: #b91c1c; }}
.fa-rel-高 {{ background: #dcfce7; color: #166534; }} .fa-rel-中 {{ background: #fef9c3; color: #854d0e; }}
.fa-rel-低 {{ background: #f1f5f9; color: #475569; }}
/* Toasts at the bottom right, clear of the user name and logout button at the top right. */
.toast-wrap {{ top: auto !important; bottom: var(--size-4) !important; }}
/* Gradio 6 writes the toast title from its type in English ("Error") and ignores gr.Error(title=…) and the locale:
   hide that text and show the Chinese title instead. */
.toast-title {{ font-size: 0 !important; }}
.toast-title > * {{ font-size: var(--text-md); }}
.toast-title::before {{ font-size: var(--text-lg); }}
.toast-title.error::before {{ content: "{ERROR_TITLE}"; }}
.toast-title.warning::before {{ content: "{WARNING_TITLE}"; }}
.toast-title.info::before {{ content: "{INFO_TITLE}"; }}
.toast-title.success::before {{ content: "成功"; }}
"""
# A toast belongs to the tab it was raised in: switching tabs closes the open ones (through their own buttons).
CLOSE_TOASTS = "() => document.querySelectorAll('.toast-wrap .toast-close').forEach(b => b.click())"


class UIServices(Protocol):
    """What the UI needs from ``assistant.services.Services``."""

    settings: Any
    index: Any
    retriever: Any
    store: Any
    agent: Any
    chat_model: Any
    drafts: Any


def build_ui(services: UIServices) -> gr.Blocks:
    """The editors' Blocks app over the given services. Mount it with ``ui.mount.mount_ui``."""
    auth = EditorAuth(services.store.api_keys)
    drafts = services.drafts

    def whoami(request: gr.Request) -> tuple[str, Any]:
        """The user name in the top bar, and the analytics tab shown only to roles that may read analytics."""
        editor = auth.require(request)
        role = ROLE_NAMES.get(editor.role, editor.role)
        name = (
            f'<div class="fa-user">{render.esc(editor.name)}<span class="fa-meta">（{render.esc(role)}）</span></div>'
        )
        return name, gr.update(visible=editor.may(Permission.ANALYTICS))

    # delete_cache: Gradio's copies of exports and uploads go after an hour (and all of them at a restart).
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        with gr.Row(equal_height=True, elem_classes="fa-topbar-row"):
            gr.HTML(f'<div class="fa-topbar"><h1>{TITLE}</h1></div>', scale=1)
            user = gr.HTML("", elem_id="ui-user", scale=0, min_width=160)
            gr.Button("退出登录", link="logout", size="sm", scale=0, min_width=90, elem_id="ui-logout")
        with gr.Tabs():
            with gr.Tab("草稿", id="drafts", elem_id="tab-drafts") as drafts_tab:
                build_drafts_tab(demo, drafts, auth)
            with gr.Tab("知识库", id="knowledge", elem_id="tab-knowledge") as knowledge_tab:
                # with the documents the ingest screen flagged, for an editor to fix and re-ingest
                build_knowledge_tab(
                    demo,
                    services.index,
                    services.retriever,
                    auth,
                    flagged=flagged_knowledge,
                    settings=services.settings,
                )
            with gr.Tab("对话预览", id="chat", elem_id="tab-chat") as chat_tab:
                build_chat_tab(services.agent, auth)
            with gr.Tab("数据分析", id="analytics", elem_id="tab-analytics", visible=False) as analytics_tab:
                build_analytics_tab(demo, services.store, services.index, services.retriever, drafts, auth)
        demo.load(whoami, None, [user, analytics_tab], api_visibility="private")
        for tab in (drafts_tab, knowledge_tab, chat_tab, analytics_tab):
            tab.select(None, js=CLOSE_TOASTS, api_visibility="private")
    return demo
