"""HTML for the editor UI. Every piece of model output, document text or user input goes through ``esc``;
nothing here trusts its input. Pure functions, so they are unit-tested without a browser."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from knowledge.text import plain_text

KIND_ORDER = {"error": 0, "claim": 1, "warning": 2}
KIND_LABELS = {"error": "合规错误", "warning": "合规提示", "claim": "无依据陈述"}
CLAIM_KIND_LABELS = {"rate": "利率", "amount": "金额/数量", "term": "期限", "date": "日期", "condition": "条件"}
STATUS_LABELS = {"draft": "草稿", "approved": "已审批", "in_review": "审核中", "archived": "已归档"}
ESCALATION_LABELS = {
    "human": "转人工",
    "complaint": "投诉",
    "application": "融资申请",
    "amount": "大额需求",
    "unanswered": "多次未解答",
}
INTENT_LABELS = {
    "question": "咨询",
    "apply": "申请",
    "human": "转人工",
    "complaint": "投诉",
    "chitchat": "闲聊",
    "out_of_scope": "超出范围",
}
CLAIM_FIX = "核对并引用支持该数字或条件的来源段落，或删除该陈述。"


def esc(value: object) -> str:
    """HTML-escape anything (None becomes the empty string)."""
    return html.escape("" if value is None else str(value), quote=True)


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name`` or ``obj[name]``: the services return dataclasses, their JSON forms are dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def when(value: object) -> str:
    """A timestamp (datetime or ISO string) as "2026-12-01 09:30 UTC"; anything else as given."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(moment, datetime):
        return "" if value is None else str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def note(text: str, kind: str = "info") -> str:
    """A one-line message box (kind: info, ok, warn, error)."""
    return f'<div class="fa-note fa-note-{esc(kind)}">{esc(text)}</div>'


@dataclass(frozen=True)
class Issue:
    """A compliance finding or an unsupported claim, located in the draft text."""

    n: int
    kind: str  # error | warning | claim
    start: int
    end: int
    matched: str
    message: str
    fix: str
    rule: str = ""
    source: str = ""


def _span(raw: Any, length: int) -> tuple[int, int] | None:
    try:
        start, end = int(raw[0]), int(raw[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    start, end = max(0, start), min(length, end)
    return (start, end) if start < end else None


def draft_issues(text: str, findings: Iterable[Any], claims: Iterable[Any]) -> list[Issue]:
    """Findings and unsupported claims with a valid span, numbered in reading order."""
    found: list[Issue] = []
    for f in findings:
        span = _span(field(f, "span"), len(text))
        if span is None:
            continue
        found.append(
            Issue(
                0,
                "error" if field(f, "severity") == "error" else "warning",
                *span,
                matched=field(f, "matched") or text[span[0] : span[1]],
                message=field(f, "message", ""),
                fix=field(f, "fix", ""),
                rule=field(f, "rule", ""),
                source=field(f, "source", ""),
            )
        )
    for c in claims:
        span = _span(field(c, "span"), len(text))
        if span is None or field(c, "supported", True):
            continue
        evidence = field(c, "evidence")
        kind = str(field(c, "kind", ""))
        found.append(
            Issue(
                0,
                "claim",
                *span,
                matched=field(c, "text") or text[span[0] : span[1]],
                message=field(c, "message") or "该陈述在引用来源中找不到依据。",
                fix=f"{CLAIM_FIX}来源原文：{evidence}" if evidence else CLAIM_FIX,
                rule=CLAIM_KIND_LABELS.get(kind, kind),
            )
        )
    found.sort(key=lambda i: (i.start, KIND_ORDER[i.kind], i.end))
    return [replace(issue, n=n) for n, issue in enumerate(found, start=1)]


def highlight_html(text: str, issues: Sequence[Issue]) -> str:
    """The draft text with each issue's span marked (the most severe wins where spans overlap). Nothing is
    inserted into the text: the marks carry the issue numbers as ``data-issues`` and, on hover, the message and
    the fix; the numbered list (``issues_html``) names the matched words."""
    if not text:
        return note("暂无正文。")
    cuts = sorted({0, len(text), *(i.start for i in issues), *(i.end for i in issues)})
    parts: list[str] = []
    for a, b in pairwise(cuts):
        piece = esc(text[a:b])
        covering = [i for i in issues if i.start <= a and i.end >= b]
        if covering:
            top = min(covering, key=lambda i: KIND_ORDER[i.kind])
            title = esc(" / ".join(f"{i.n}. {i.message} 建议：{i.fix}" for i in covering))
            numbers = " ".join(str(i.n) for i in covering)
            piece = f'<mark class="fa-mark fa-{top.kind}" data-issues="{numbers}" title="{title}">{piece}</mark>'
        parts.append(piece)
    return f'<div class="fa-draft">{"".join(parts)}</div>'


def issues_html(issues: Sequence[Issue]) -> str:
    """The numbered issue list: what matched, why it is a problem and how to fix it."""
    if not issues:
        return note("未发现合规问题或无依据陈述。", "ok")
    errors = sum(i.kind == "error" for i in issues)
    claims = sum(i.kind == "claim" for i in issues)
    warnings = sum(i.kind == "warning" for i in issues)
    summary = f"合规错误 {errors} 处 · 无依据陈述 {claims} 处 · 合规提示 {warnings} 处"
    items = []
    for i in issues:
        meta = " · ".join(esc(x) for x in (i.rule, i.source) if x)
        items.append(
            f'<li class="fa-issue fa-{i.kind}"><div class="fa-issue-head"><span class="fa-badge fa-{i.kind}">'
            f"{i.n} · {KIND_LABELS[i.kind]}</span> <q>{esc(i.matched)}</q></div>"
            f'<div class="fa-issue-msg">{esc(i.message)}</div>'
            f'<div class="fa-fix">建议修改：{esc(i.fix)}</div>'
            + (f'<div class="fa-meta">{meta}</div>' if meta else "")
            + "</li>"
        )
    return f'<div class="fa-summary">{summary}</div><ol class="fa-issues">{"".join(items)}</ol>'


def _title_heading(item: Any) -> str:
    """ "title · section", leaving out the heading path's leading copy of the title."""
    title = str(field(item, "title") or field(item, "source") or "")
    heading = str(field(item, "heading") or "")
    if title and heading.startswith(title):
        heading = heading[len(title) :].lstrip(" >›/·")
    return esc(title) + (f' <span class="fa-meta">· {esc(heading)}</span>' if heading else "")


def citations_html(citations: Iterable[Any], *, expanded: bool = False) -> str:
    """Numbered sources with the passage each one quotes (draft citations carry the full passage text)."""
    items = []
    state = " open" if expanded else ""
    for position, c in enumerate(citations, start=1):
        n = field(c, "n") or position
        passage = plain_text(str(field(c, "text") or field(c, "snippet") or ""))
        items.append(
            f'<details class="fa-cite"{state}><summary>[{esc(n)}] {_title_heading(c)}</summary>'
            f'<div class="fa-meta">{esc(field(c, "source"))}</div>'
            f'<blockquote class="fa-passage">{esc(passage)}</blockquote></details>'
        )
    if not items:
        return note("没有引用来源。")
    return "".join(items)


def draft_header_html(view: Any, type_labels: Mapping[str, str]) -> str:
    """Id, type, status, version and what still blocks approval."""
    status = str(field(view, "status", ""))
    approved_by = field(view, "approved_by")
    chips = [
        f'<span class="fa-chip">{esc(type_labels.get(str(field(view, "type")), field(view, "type")))}</span>',
        f'<span class="fa-chip fa-status-{esc(status)}">{esc(STATUS_LABELS.get(status, status))}</span>',
        f'<span class="fa-chip">第 {esc(field(view, "version"))} 版</span>',
        f'<span class="fa-meta">编号 {esc(field(view, "id"))}</span>',
    ]
    head = f'<div class="fa-head"><b>{esc(field(view, "topic"))}</b> {" ".join(chips)}</div>'
    if approved_by:
        return head + note(f"已由 {approved_by} 于 {when(field(view, 'approved_at'))} 审批通过。", "ok")
    blocking = list(field(view, "blocking") or [])
    if blocking:
        return head + blocking_html(blocking)
    return head + note("没有阻止审批的问题，可以审批。", "ok")


def blocking_html(reasons: Iterable[Any]) -> str:
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
    return f'<div class="fa-note fa-note-error">审批前需处理：<ul>{items}</ul></div>'


def _diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        cls = "add" if line.startswith("+") and not line.startswith("+++") else ""
        cls = "del" if line.startswith("-") and not line.startswith("---") else cls
        lines.append(f'<span class="fa-diff-{cls}">{esc(line)}</span>' if cls else esc(line))
    return "\n".join(lines)


def versions_html(versions: Iterable[Any]) -> str:
    """Newest first; each version with its author, time and diff against the previous one."""
    rows = sorted(versions, key=lambda v: int(field(v, "version", 0) or 0), reverse=True)
    if not rows:
        return note("暂无版本记录。")
    items = []
    for v in rows:
        diff = str(field(v, "diff") or "")
        body = f'<pre class="fa-diff">{_diff_html(diff)}</pre>' if diff else note("初始版本。")
        items.append(
            f'<details class="fa-version"><summary>第 {esc(field(v, "version"))} 版 · {esc(field(v, "author"))}'
            f' · <span class="fa-meta">{esc(when(field(v, "created_at")))}</span></summary>{body}</details>'
        )
    return "".join(items)


def chat_citations_html(citations: Iterable[Any]) -> str:
    return citations_html(citations, expanded=True) if citations else note("本次回答没有引用来源。")


def chat_notes(citations: Sequence[Any], escalation: Any) -> list[dict[str, Any]]:
    """Collapsible notes under an answer in the chat log: its sources, and the hand-off if there was one."""
    notes: list[dict[str, Any]] = []
    if citations:
        lines = [
            f"[{n}] {esc(field(c, 'title') or field(c, 'source'))}（{esc(field(c, 'source'))}）"
            for n, c in enumerate(citations, start=1)
        ]
        title = f"引用来源 {len(lines)} 条"
        notes.append({"role": "assistant", "content": "\n\n".join(lines), "metadata": {"title": title}})
    if escalation:
        kind = str(field(escalation, "type", ""))
        notes.append(
            {
                "role": "assistant",
                "content": f"工单编号 {esc(field(escalation, 'id'))}",
                "metadata": {"title": f"已转交工作人员（{ESCALATION_LABELS.get(kind, kind)}）"},
            }
        )
    return notes


def chat_meta_html(intent: str | None, escalations: Sequence[Any] = ()) -> str:
    """The latest turn's intent and the session's escalations so far (type and id only, never lead details)."""
    chip = f'<span class="fa-chip">最新意图：{esc(INTENT_LABELS.get(intent or "", intent or "—"))}</span>'
    if not escalations:
        return f'{chip} <span class="fa-meta">本会话未转人工</span>'
    items = "".join(
        f"<li>{esc(ESCALATION_LABELS.get(str(field(e, 'type', '')), field(e, 'type')))}："
        f'<span class="fa-meta">工单编号 {esc(field(e, "id"))}</span></li>'
        for e in escalations
    )
    return f'{chip}<div class="fa-note fa-note-warn">本会话已转交工作人员：<ul>{items}</ul></div>'


def index_status_html(status: Mapping[str, Any]) -> str:
    bm25 = "最新" if status.get("bm25_current") else "待重建"
    cells = [("文件", status.get("files", 0)), ("片段", status.get("chunks", 0)), ("向量", status.get("vectors", 0))]
    stats = "".join(f'<div class="fa-stat"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in cells)
    stats += f'<div class="fa-stat"><b>{esc(bm25)}</b><span>关键词索引</span></div>'
    return f'<div class="fa-stats">{stats}</div>'


def ingest_report_html(report: Mapping[str, Any], skipped: Sequence[str] = ()) -> str:
    added, updated = list(report.get("added", [])), list(report.get("updated", []))
    failed = list(report.get("failed", []))
    kind = "error" if failed and not (added or updated) else "warn" if failed or skipped else "ok"
    lines = [
        f"新增 {len(added)} 个，更新 {len(updated)} 个，未变化 {report.get('unchanged', 0)} 个，"
        f"写入片段 {report.get('chunks_written', 0)} 个，用时 {report.get('seconds', 0)} 秒。"
    ]
    items = [f"<li>{esc(name)}</li>" for name in added + updated]
    items += [f'<li class="fa-bad">{esc(f.get("path"))}：{esc(f.get("reason"))}</li>' for f in failed]
    items += [f'<li class="fa-bad">{esc(name)}：不支持的文件类型</li>' for name in skipped]
    body = f"<ul>{''.join(items)}</ul>" if items else ""
    return f'<div class="fa-note fa-note-{kind}">{esc(lines[0])}{body}</div>'


def upload_refused_html(refused: Sequence[tuple[str, str]]) -> str:
    """Why an upload was refused, file by file (nothing of it was kept)."""
    items = "".join(f'<li class="fa-bad">{esc(name)}：{esc(reason)}</li>' for name, reason in refused)
    return f'<div class="fa-note fa-note-error">上传未导入，所有文件均未保存：<ul>{items}</ul></div>'


# Agreement is flat over the first ranks (61/(60+r) for rank r in both lists: 0.95 at r=4, 0.87 at r=10) and
# 0.67 / 0.33 for first in the keyword / meaning ranking alone: 高 = near the top of both, 中 = high in one.
RELEVANCE = ((0.95, "高"), (0.6, "中"), (0.0, "低"))
RELEVANCE_HINT = "高：关键词与语义检索都排在最前；中：至少一种检索排在前列；低：仅弱相关"


def relevance_label(agreement: float) -> str:
    """高 / 中 / 低 for a result's agreement (``HybridRetriever.agreement``: its share of the best fused score)."""
    return next(label for floor, label in RELEVANCE if agreement >= floor)


def search_results_html(results: Iterable[Any], agreement: Callable[[float], float] | None = None) -> str:
    """Each result as its title, section heading, source and a clean snippet, with a 高/中/低 relevance label
    when ``agreement`` is given (the raw fused score means nothing to a reader and is not shown)."""
    items = []
    for rank, r in enumerate(results, start=1):
        label = ""
        if agreement is not None:
            level = relevance_label(agreement(float(field(r, "score", 0.0))))
            label = f'<span class="fa-chip fa-rel-{level}" title="{esc(RELEVANCE_HINT)}">相关度：{level}</span>'
        items.append(
            f'<div class="fa-result"><div class="fa-head"><b>{rank}. {_title_heading(r)}</b>{label}</div>'
            f'<div class="fa-meta">{esc(field(r, "source"))}</div>'
            f'<div class="fa-passage">{esc(field(r, "snippet"))}</div></div>'
        )
    return "".join(items) if items else note("没有找到相关内容。")


def flagged_html(documents: Iterable[Any]) -> str:
    """Flagged documents: title and source, the rules broken, the offending sentences as written."""
    items = []
    for d in documents:
        rules = " ".join(f'<span class="fa-chip">{esc(rule)}</span>' for rule in field(d, "rules") or ())
        member = '<span class="fa-chip">会员投稿</span>' if field(d, "member") else ""
        sentences = "".join(f"<li>{esc(s)}</li>" for s in field(d, "sentences") or ())
        items.append(
            f'<div class="fa-result"><div class="fa-head"><b>{esc(field(d, "title") or field(d, "source"))}</b>'
            f"{member}{rules}</div>"
            f'<div class="fa-meta">{esc(field(d, "source"))}</div>'
            f'<ul class="fa-passage">{sentences}</ul></div>'
        )
    return "".join(items) if items else note("没有被筛查标记的文档。", "ok")
