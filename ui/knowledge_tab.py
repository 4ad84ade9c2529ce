"""The Knowledge tab: upload documents and ingest them (with a progress bar), see the index status, try a search,
and (given a ``flagged`` source, e.g. ``assistant.insights.flagged_knowledge``) the documents the ingest screen
flagged for an editor to fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.uploads import UPLOAD_SLOT, Upload, UploadRefused, accept_uploads
from knowledge.loaders import LOADERS
from knowledge.lock import WriterBusy
from ui import notify, render
from ui.auth import EditorAuth

UPLOAD_DIR = "uploads"
FILE_TYPES = sorted(LOADERS)


class KnowledgeController:
    """Handlers for the tab as plain methods; uploads go through the core's checks (assistant.uploads, the same as
    the API's) and are kept under ``<data dir>/uploads`` so they survive."""

    def __init__(
        self,
        index: Any,
        retriever: Any,
        auth: EditorAuth,
        flagged: Callable[[Any], list[Any]] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.index = index
        self.retriever = retriever
        self.auth = auth
        self.flagged_source = flagged

    def flagged(self, request: gr.Request) -> str:
        """The documents the ingest screen flagged (source, title, rules broken, offending sentences)."""
        self.auth.require(request)
        if self.flagged_source is None:
            return ""
        return render.flagged_html(self.flagged_source(self.index))

    @property
    def upload_dir(self) -> Path:
        return Path(self.index.data_dir) / UPLOAD_DIR

    def status(self, request: gr.Request) -> str:
        self.auth.require(request)
        return render.index_status_html(self.index.status())

    def upload(self, files: list[Any] | None, request: gr.Request, progress: Any = None) -> tuple[str, str]:
        """Check, read and ingest the uploaded files, or refuse them all with each file's reason; (report, status)."""
        self.auth.require(request)
        if not files:
            raise notify.error("请先选择要上传的文档。")
        tracker = progress or (lambda *args, **kwargs: None)
        tracker(0, desc="正在检查并读取上传的文件…")
        paths = [Path(str(getattr(item, "name", item))) for item in files]
        uploads = [Upload(path.name, path.read_bytes()) for path in paths]
        try:
            accepted = accept_uploads(self.index, uploads, self.settings, UPLOAD_SLOT)
        except UploadRefused as refused:
            return render.upload_refused_html(refused.refused), self.status(request)
        except WriterBusy:
            raise notify.error("知识库正被其他进程写入（例如命令行导入），请稍后再试。") from None
        tracker((len(uploads), len(uploads)), desc="导入完成", unit="个文件")
        return render.ingest_report_html(accepted.report.to_dict()), self.status(request)

    def search(self, query: str, k: float, request: gr.Request) -> str:
        self.auth.require(request)
        if not (query or "").strip():
            return render.note("请输入要搜索的内容。")
        return render.search_results_html(self.retriever.search(query, k=max(1, int(k))), self.retriever.agreement)


def build_knowledge_tab(
    demo: gr.Blocks,
    index: Any,
    retriever: Any,
    auth: EditorAuth,
    flagged: Callable[[Any], list[Any]] | None = None,
    settings: Settings | None = None,
) -> KnowledgeController:
    """Lay out the tab inside the current ``gr.Tab`` and wire its events (the status loads with the page); the
    flagged-documents list appears when ``flagged`` is given."""
    ctl = KnowledgeController(index, retriever, auth, flagged, settings)

    def upload(files: list[Any] | None, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[str, str]:  # noqa: B008
        return ctl.upload(files, request, progress)

    with gr.Row(equal_height=False):
        with gr.Column(scale=1):
            gr.Markdown("#### 上传文档")
            files = gr.File(
                label="支持 " + " ".join(FILE_TYPES),
                file_count="multiple",
                file_types=FILE_TYPES,
                elem_id="kb-files",
            )
            ingest_button = gr.Button("导入知识库", variant="primary", elem_id="kb-ingest")
            report = gr.HTML("", elem_id="kb-report")
            gr.Markdown("#### 索引状态")
            status = gr.HTML("", elem_id="kb-status")
            refresh = gr.Button("刷新状态", size="sm")
        with gr.Column(scale=1):
            gr.Markdown("#### 试搜索")
            with gr.Row(equal_height=True):
                query = gr.Textbox(
                    label="搜索内容", placeholder="如：科技型企业信用贷款利率", scale=4, elem_id="kb-query"
                )
                k = gr.Slider(1, 10, value=5, step=1, label="返回条数", scale=2)
            search = gr.Button("搜索", elem_id="kb-search")
            results = gr.HTML("", elem_id="kb-results")
    flagged_box = None
    if flagged is not None:
        gr.Markdown("#### 需要复核的文档（筛查发现问题，修改后重新导入）")
        flagged_box = gr.HTML("", elem_id="kb-flagged")

    private: dict[str, Any] = {"api_visibility": "private"}
    ingest_button.click(upload, files, [report, status], **private)
    refresh.click(ctl.status, None, status, **private)
    search.click(ctl.search, [query, k], results, **private)
    query.submit(ctl.search, [query, k], results, **private)
    demo.load(ctl.status, None, status, **private)
    if flagged_box is not None:
        demo.load(ctl.flagged, None, flagged_box, **private)
        ingest_button.click(ctl.flagged, None, flagged_box, **private)
    return ctl
