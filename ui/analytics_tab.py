"""The Analytics tab: answered vs unanswered, the lead funnel, top intents, knowledge gaps (with a "为此起草"
button that drafts a faq_digest post for the chosen gap) and document freshness. Figures come from
``assistant.insights``. Member questions, leads and freshness are for roles with ``Permission.ANALYTICS`` (as in
the API): the tab is hidden from the others and its handlers refuse them. Every handler re-checks the key, and all
text shown is escaped."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from assistant.access import Permission
from assistant.drafting import Brief, NoSourcesError
from assistant.insights import build_overview, freshness_report, knowledge_gaps
from assistant.insights.freshness import document_metadata
from assistant.leads import FUNNEL_STAGES
from assistant.leads import STATUS_LABELS as STAGE_LABELS
from ui import notify, render
from ui.auth import EditorAuth, refusal
from ui.format import duration_zh

# The lead workflow's funnel stages in workflow order (assistant.leads.FUNNEL_STAGES), as the chart shows them.
STAGES = {stage: STAGE_LABELS[stage] for stage in FUNNEL_STAGES}
ANSWER_LABELS = ("已回答", "未回答")
FROM_ZERO: list[float | None] = [0, None]  # bar charts count things: their axis starts at zero
STATUS_LABELS = {"expired": "已过期", "superseded": "已被替代", "expiring": "即将到期"}
GAP_HEADERS = ["问题", "次数", "示例"]
WITHIN_DAYS = 30
Outputs = tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame, list[list[Any]], Any, str]


def stats_html(view: dict[str, Any]) -> str:
    answers = view["answers"]
    rate = answers["answer_rate"]
    median = view["median_first_contact_seconds"]
    cells = [
        ("对话数", view["conversations"]),
        ("已回答", answers["answered"]),
        ("未回答", answers["unanswered"]),
        ("回答率", "—" if rate is None else f"{rate:.0%}"),
        ("首次联系中位时长", duration_zh(median)),
        ("转人工", sum(view["escalations_by_type"].values())),
    ]
    items = "".join(f'<div class="fa-stat"><b>{render.esc(v)}</b><span>{render.esc(k)}</span></div>' for k, v in cells)
    return f'<div class="fa-stats" id="an-stats">{items}</div>'


def funnel_frame(view: dict[str, Any]) -> pd.DataFrame:
    """One row per stage in workflow order; the conversion rate in its own column (shown on hover), so the axis
    labels stay short."""
    rows = []
    for stage in view["funnel"]:
        rate = stage["rate_from_previous"]
        rows.append(
            {"阶段": STAGES[stage["stage"]], "线索数": stage["count"], "转化率": "—" if rate is None else f"{rate:.0%}"}
        )
    return pd.DataFrame(rows, columns=["阶段", "线索数", "转化率"])


def intents_frame(view: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {"意图": render.INTENT_LABELS.get(i["intent"], i["intent"]), "次数": i["count"]} for i in view["top_intents"]
    ]
    return pd.DataFrame(rows, columns=["意图", "次数"])


def answers_frame(view: dict[str, Any]) -> pd.DataFrame:
    answers = view["answers"]
    rows = [
        {"结果": ANSWER_LABELS[0], "次数": answers["answered"]},
        {"结果": ANSWER_LABELS[1], "次数": answers["unanswered"]},
    ]
    return pd.DataFrame(rows, columns=["结果", "次数"])


def gap_rows(gaps: list[Any]) -> list[list[Any]]:
    return [[gap.question, gap.count, "；".join(gap.examples)] for gap in gaps]


def freshness_html(documents: list[Any]) -> str:
    if not documents:
        return render.note(f"没有已过期、已被替代或 {WITHIN_DAYS} 天内到期的文档。", "ok")
    rows = "".join(
        "<tr>"
        f"<td>{render.esc(d.title)}<div class='fa-meta'>{render.esc(d.source)}</div></td>"
        f"<td>{render.esc(STATUS_LABELS[d.status])}</td>"
        f"<td>{render.esc(d.expires or '')}</td>"
        f"<td>{render.esc(d.superseded_by or '')}</td>"
        f"<td>{render.esc(d.answers)}</td>"
        "</tr>"
        for d in documents
    )
    head = "<tr><th>文档</th><th>状态</th><th>失效日期</th><th>替代文档</th><th>被引用回答数</th></tr>"
    return f'<table class="fa-freshness" id="an-freshness-table">{head}{rows}</table>'


class AnalyticsController:
    """Handlers for the tab as plain methods over the store, the index and the draft service."""

    def __init__(self, store: Any, index: Any, retriever: Any, drafts: Any, auth: EditorAuth) -> None:
        self.store = store
        self.index = index
        self.retriever = retriever
        self.drafts = drafts
        self.auth = auth

    def refresh(self, request: gr.Request) -> Outputs:
        """(stats, funnel, intents, answers, gaps table, gap choices, freshness); for a role without
        ``Permission.ANALYTICS`` a refusal and no figures (the page loads this for everyone, so no error toast)."""
        editor = self.auth.require(request)
        if not editor.may(Permission.ANALYTICS):
            return self.refused(editor.role)
        view = build_overview(self.store.analytics).to_dict()
        gaps = knowledge_gaps(self.store.analytics.unanswered_questions())
        today = self.retriever.today()
        metadata = document_metadata(self.index.chunks)
        documents = freshness_report(metadata, self.store.analytics.citation_counts(), today=today)
        choices = gr.update(choices=[g.question for g in gaps], value=gaps[0].question if gaps else None)
        return (
            stats_html(view),
            funnel_frame(view),
            intents_frame(view),
            answers_frame(view),
            gap_rows(gaps),
            choices,
            freshness_html(documents),
        )

    @staticmethod
    def refused(role: str) -> Outputs:
        empty = pd.DataFrame()
        message = render.note(refusal(role, Permission.ANALYTICS, "数据分析（会员提问、线索漏斗、文档时效）"), "warn")
        return message, empty, empty, empty, [], gr.update(choices=[], value=None), ""

    def draft_for_gap(self, question: str | None, request: gr.Request) -> str:
        """Create a faq_digest draft whose topic is the gap's question (the gaps are member questions: only for
        roles that may read analytics, and the draft needs the drafting permission too)."""
        editor = self.auth.require(request, Permission.ANALYTICS)
        self.auth.require(request, Permission.DRAFTS)
        topic = (question or "").strip()
        if not topic:
            raise notify.error("请先选择一个知识缺口。")
        try:
            view = self.drafts.create(Brief("faq_digest", topic[:200]), author=f"ui:{editor.name}")
        except NoSourcesError as exc:  # the core's reason names the closest documents
            return render.note(f"{exc}请先补充文档再起草。", "warn")
        except ValueError as exc:
            raise notify.error(str(exc)) from None
        return render.note(f"已为“{topic}”创建问答汇编草稿（{view.id}），请到“草稿”标签页查看和修改。", "ok")


def build_analytics_tab(
    demo: gr.Blocks, store: Any, index: Any, retriever: Any, drafts: Any, auth: EditorAuth
) -> AnalyticsController:
    """Lay out the tab inside the current ``gr.Tab`` and wire its events (figures load with the page)."""
    ctl = AnalyticsController(store, index, retriever, drafts, auth)
    refresh_button = gr.Button("刷新数据", size="sm", elem_id="an-refresh")
    stats = gr.HTML("", elem_id="an-stats-box")
    with gr.Row(equal_height=False):
        funnel = gr.BarPlot(
            x="阶段",
            y="线索数",
            title="线索漏斗（悬停查看转化率）",
            sort=list(STAGES.values()),
            y_lim=FROM_ZERO,
            tooltip=["阶段", "线索数", "转化率"],
            elem_id="an-funnel",
        )
        answers = gr.BarPlot(
            x="结果",
            y="次数",
            title="已回答 / 未回答",
            sort=list(ANSWER_LABELS),
            y_lim=FROM_ZERO,
            elem_id="an-answers",
        )
    intents = gr.BarPlot(x="意图", y="次数", title="热门意图", sort="-y", y_lim=FROM_ZERO, elem_id="an-intents")
    gr.Markdown("#### 知识缺口（未能回答的问题，按频次排序）")
    gaps = gr.Dataframe(headers=GAP_HEADERS, interactive=False, wrap=True, elem_id="an-gaps")
    with gr.Row(equal_height=True):
        gap_choice = gr.Dropdown(label="选择缺口", choices=[], scale=4, elem_id="an-gap-choice")
        draft_button = gr.Button("为此起草", variant="primary", scale=1, elem_id="an-gap-draft")
    draft_result = gr.HTML("", elem_id="an-gap-result")
    gr.Markdown(f"#### 文档时效（已过期、已被替代或 {WITHIN_DAYS} 天内到期）")
    freshness = gr.HTML("", elem_id="an-freshness")

    outputs = [stats, funnel, intents, answers, gaps, gap_choice, freshness]
    private: dict[str, Any] = {"api_visibility": "private"}
    refresh_button.click(ctl.refresh, None, outputs, **private)
    draft_button.click(ctl.draft_for_gap, gap_choice, draft_result, **private)
    demo.load(ctl.refresh, None, outputs, **private)
    return ctl
