"""The Drafts tab: brief → streamed draft → edit → review findings and sources → versions → approve → export."""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.drafting import CHANNELS, POST_TYPES, ApprovalBlocked, Brief, NoSourcesError
from assistant.store import ConflictError, NotFoundError
from ui import notify, render
from ui.auth import EditorAuth

LENGTH_CHOICES = [("短（约 300 字）", "short"), ("中（约 600 字）", "medium"), ("长（约 1000 字）", "long")]
EXPORT_CHOICES = [("Markdown", "markdown"), ("纯文本", "text")]
EXPORT_SUFFIX = {"markdown": ".md", "text": ".txt"}
NO_DRAFT = "请先生成或打开一篇草稿。"
ADD_SOURCES = "可以先在“知识库”标签页上传相关文档，或换一个主题。"
STALE = "这篇草稿已被他人更新到第 {version} 版，已为你重新载入，请核对后再操作。"
Outputs = tuple[Any, ...]
# Bring the first highlighted problem into view inside the (scrollable) marked-up text.
SCROLL_TO_FIRST_MARK = """() => {
  const box = document.querySelector('#draft-marked .fa-draft');
  const mark = box && box.querySelector('mark');
  if (mark) box.scrollTop = Math.max(0, mark.offsetTop - 60);
}"""
Shown = dict[str, Any] | None  # {"id", "version"} of the draft on screen, kept in gr.State


def _choice_label(view: Any) -> str:
    status = render.STATUS_LABELS.get(view.status, view.status)
    return f"{view.topic}（{POST_TYPES.get(view.type, view.type)} · {status} · 第{view.version}版）"


class DraftsController:
    """The tab's handlers as plain methods (unit-testable without a browser); each one re-checks the editor."""

    def __init__(self, drafts: Any, auth: EditorAuth, export_dir: Path | None = None) -> None:
        self.drafts = drafts
        self.auth = auth
        self._export_dir = export_dir  # a caller's folder is the caller's to remove
        self._cleanup: weakref.finalize[..., Any] | None = None

    @property
    def export_dir(self) -> Path:
        """Where exports are written before Gradio copies them into its cache for download: a temp folder made at
        the first export and removed when the controller goes (or the process ends), not one per UI built."""
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="finassist-ui-export-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._export_dir, ignore_errors=True)
        return self._export_dir

    def close(self) -> None:
        """Remove the temp export folder now (a no-op when none was made or the caller gave the folder)."""
        if self._cleanup is not None:
            self._cleanup()

    # ----- outputs -----------------------------------------------------------------------------------------
    @staticmethod
    def view_outputs(view: Any) -> Outputs:
        """(shown draft, header, text, highlighted text, issue list, citations, versions) for a DraftView."""
        issues = render.draft_issues(view.text, view.findings, view.claims)
        return (
            {"id": view.id, "version": view.version},
            render.draft_header_html(view, POST_TYPES),
            view.text,
            render.highlight_html(view.text, issues),
            render.issues_html(issues),
            render.citations_html(view.citations),
            render.versions_html(view.versions),
        )

    @staticmethod
    def empty_outputs(message: str = NO_DRAFT) -> Outputs:
        blank = render.note(message)
        return (None, blank, "", blank, "", "", "")

    def draft_choices(self) -> list[tuple[str, str]]:
        return [(_choice_label(v), v.id) for v in self.drafts.list(limit=50)]

    # ----- handlers ----------------------------------------------------------------------------------------
    def generate(
        self,
        post_type: str,
        topic: str,
        audience: str,
        channel: str | None,
        tone: str,
        length: str | None,
        request: gr.Request,
    ) -> Iterator[Outputs]:
        """Stream the draft text into the editor, then show the stored, checked draft."""
        editor = self.auth.require(request)
        brief = Brief(
            type=post_type,
            topic=(topic or "").strip(),
            audience=(audience or "").strip() or None,
            channel=channel or None,
            tone=(tone or "").strip() or None,
            length=(length or "").strip() or None,
        )
        try:
            brief.validate()
        except ValueError as exc:
            raise notify.error(str(exc)) from None
        skip = gr.skip()
        yield (None, render.note("正在检索资料并撰写草稿…"), "", render.note("生成完成后显示标注。"), "", "", "")
        text = ""
        try:
            for item in self.drafts.stream(brief, author=editor.name):
                if isinstance(item, str):
                    text += item
                    yield (skip, skip, text, skip, skip, skip, skip)
                else:
                    yield self.view_outputs(item)
        except NoSourcesError as exc:  # the drafting core refuses a topic the knowledge base has nothing on
            yield self.refused(str(exc))
        except ValueError as exc:  # other brief problems
            raise notify.error(str(exc)) from None

    @staticmethod
    def refused(reason: str) -> Outputs:
        """Nothing drafted: the core's reason (it names the closest documents) where the draft would be, and in
        the editor box nothing to save."""
        message = render.note(f"{reason}{ADD_SOURCES}", "warn")
        return (None, message, "", message, "", "", "")

    def open(self, draft_id: str | None, request: gr.Request) -> Outputs:
        self.auth.require(request)
        if not draft_id:
            return self.empty_outputs()
        return self.view_outputs(self._get(draft_id))

    def save(self, shown: Shown, text: str, request: gr.Request) -> Outputs:
        """Store the edited text as a new version (re-checked by the drafting service)."""
        editor = self.auth.require(request)
        current = self._current(shown)
        if current.version != shown["version"]:  # type: ignore[index]
            return self._reloaded(current)
        if (text or "").strip() == current.text.strip():
            notify.info("正文没有变化。")
            return self.view_outputs(current)
        try:
            view = self.drafts.revise(current.id, text, author=editor.name, expected_version=current.version)
        except ConflictError:
            return self._reloaded(self._get(current.id))
        except ValueError as exc:
            raise notify.error(str(exc)) from None
        notify.info(f"已保存为第 {view.version} 版。")
        return self.view_outputs(view)

    def approve(self, shown: Shown, request: gr.Request) -> Outputs:
        """Approve the version on screen (never a newer one the editor has not seen)."""
        editor = self.auth.require(request)
        current = self._current(shown)
        if current.version != shown["version"]:  # type: ignore[index]
            return self._reloaded(current)
        try:
            view = self.drafts.approve(current.id, approver=editor.name)
        except ApprovalBlocked as exc:
            notify.warning(f"还有 {len(exc.reasons)} 个问题未处理，暂不能审批。")
            return self.view_outputs(current)  # its header lists what blocks approval
        except ConflictError:
            return self._reloaded(self._get(current.id))
        notify.info("审批通过。")
        return self.view_outputs(view)

    def export(self, shown: Shown, fmt: str, request: gr.Request) -> tuple[Any, Any]:
        """(the exported file for download, its text for the preview), both made visible."""
        self.auth.require(request)
        draft_id = self._current(shown).id
        fmt = fmt if fmt in EXPORT_SUFFIX else "markdown"
        try:
            content = self.drafts.export(draft_id, fmt=fmt)
        except ValueError as exc:
            raise notify.error(str(exc)) from None
        name = re.sub(r"[^0-9A-Za-z_-]", "", draft_id)[:40] or "draft"
        path = self.export_dir / f"draft-{name}{EXPORT_SUFFIX[fmt]}"
        path.write_text(content, encoding="utf-8")
        return gr.update(value=str(path), visible=True), gr.update(value=content, visible=True)

    def refresh_choices(self, request: gr.Request) -> Any:
        self.auth.require(request)
        return gr.update(choices=self.draft_choices())

    def _get(self, draft_id: str) -> Any:
        try:
            return self.drafts.get(draft_id)
        except (NotFoundError, LookupError):
            raise notify.error(f"找不到草稿 {draft_id}。") from None

    def _reloaded(self, view: Any) -> Outputs:
        """A version someone else saved since the editor loaded the draft: shown, with a warning saying so."""
        notify.warning(STALE.format(version=view.version))
        return self.view_outputs(view)

    def _current(self, shown: Shown) -> Any:
        """The latest stored state of the draft on screen; an error when none is shown."""
        if not shown or not shown.get("id"):
            raise notify.error(NO_DRAFT)
        return self._get(str(shown["id"]))


def build_drafts_tab(demo: gr.Blocks, drafts: Any, auth: EditorAuth) -> DraftsController:
    """Lay out the tab inside the current ``gr.Tab`` and wire its events (the draft list loads with the page)."""
    ctl = DraftsController(drafts, auth)
    shown = gr.State(None)
    with gr.Group(elem_classes="fa-panel"):
        with gr.Row():
            post_type = gr.Dropdown([(v, k) for k, v in POST_TYPES.items()], value="product_intro", label="稿件类型")
            channel = gr.Dropdown([(v, k) for k, v in CHANNELS.items()], value=None, label="发布渠道（可选）")
            length = gr.Dropdown(LENGTH_CHOICES, value="medium", label="篇幅", allow_custom_value=True)
            tone = gr.Textbox(label="语气（可选）", placeholder="如：专业、亲切")
        with gr.Row(equal_height=True):
            topic = gr.Textbox(label="主题", placeholder="如：星火科创信用贷产品介绍", scale=3)
            audience = gr.Textbox(label="目标读者（可选）", placeholder="如：科技型中小企业负责人", scale=2)
            generate = gr.Button("生成草稿", variant="primary", scale=1)
    with gr.Row(equal_height=False):
        picker = gr.Dropdown([], label="打开已有草稿", scale=4)
        refresh = gr.Button("刷新列表", size="sm", scale=0, min_width=110)
    header = gr.HTML(render.note(NO_DRAFT))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1):
            text = gr.Textbox(label="草稿正文（可编辑）", lines=16, max_lines=40, elem_id="draft-text")
            with gr.Row():
                save = gr.Button("保存修改并重新检查", elem_id="draft-save")
                approve = gr.Button("审批通过", variant="primary", elem_id="draft-approve")
            with gr.Accordion("导出", open=True):
                with gr.Row(equal_height=True):
                    fmt = gr.Radio(EXPORT_CHOICES, value="markdown", label="格式", scale=2)
                    export = gr.Button("导出", elem_id="draft-export", scale=1)
                export_file = gr.File(label="下载", interactive=False, visible=False, elem_id="draft-export-file")
                export_preview = gr.Code(
                    label="导出预览", language="markdown", lines=6, max_lines=16, wrap_lines=True, visible=False
                )
        with gr.Column(scale=1):
            gr.Markdown("#### 合规与事实核查")
            marked = gr.HTML(render.note("生成草稿后，问题会在正文中标出。"), elem_id="draft-marked")
            issues = gr.HTML("", elem_id="draft-issues")
            with gr.Accordion("引用来源", open=True):
                citations = gr.HTML("", elem_id="draft-citations")
            with gr.Accordion("版本历史", open=False):
                versions = gr.HTML("", elem_id="draft-versions")

    view = [shown, header, text, marked, issues, citations, versions]
    private: dict[str, Any] = {"api_visibility": "private"}
    exported = [export_file, export_preview]

    def hide_export() -> tuple[Any, Any]:
        return gr.update(value=None, visible=False), gr.update(value="", visible=False)

    generated = generate.click(ctl.generate, [post_type, topic, audience, channel, tone, length], view, **private)
    generated.then(ctl.refresh_choices, None, picker, **private).then(hide_export, None, exported, **private)
    picker.input(ctl.open, picker, view, **private).then(hide_export, None, exported, **private)
    refresh.click(ctl.refresh_choices, None, picker, **private)
    saved = save.click(ctl.save, [shown, text], view, **private)
    approved = approve.click(ctl.approve, shown, view, **private)
    approved.then(ctl.refresh_choices, None, picker, **private)
    for event in (generated, saved, approved):
        event.then(None, js=SCROLL_TO_FIRST_MARK, **private)
    export.click(ctl.export, [shown, fmt], exported, **private)
    demo.load(ctl.refresh_choices, None, picker, **private)
    return ctl
