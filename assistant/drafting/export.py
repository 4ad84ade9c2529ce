"""Export a draft: Markdown with a reference list, or plain text for group messages and short posts."""

from __future__ import annotations

import re

from assistant.drafting.types import Citation, DraftView

FORMATS = ("markdown", "text")
UNAPPROVED_NOTE = "【草稿，尚未审核通过，请勿发布】"
_MARKER_RE = re.compile(r"[ \t]*\[\d{1,3}\]")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$", re.MULTILINE)
_BULLET_RE = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_QUOTE_RE = re.compile(r"^\s*>\s?", re.MULTILINE)
_BLANKS_RE = re.compile(r"\n{3,}")


def _reference(citation: Citation) -> str:
    section = citation.heading.split(">")[-1].strip() if ">" in citation.heading else ""
    where = f" · {section}" if section else ""
    return f"[{citation.n}] 《{citation.title or citation.source}》{where}（{citation.source}）"


def to_markdown(view: DraftView) -> str:
    """The draft as Markdown: its text, then the numbered sources its ``[n]`` markers point at."""
    parts = [] if view.status == "approved" else [f"> {UNAPPROVED_NOTE}"]
    parts.append(view.text.strip())
    if view.citations:
        parts.append("---\n\n**参考资料**\n\n" + "\n".join(f"- {_reference(c)}" for c in view.citations))
    return "\n\n".join(parts) + "\n"


def to_text(view: DraftView) -> str:
    """Plain text for pasting into a group chat: no Markdown, no ``[n]`` markers, sources named at the end."""
    text = _MARKER_RE.sub("", view.text.strip())
    text = _HEADING_RE.sub(lambda m: f"【{m.group(1).strip()}】", text)
    text = text.replace("**", "").replace("__", "")
    text = _BULLET_RE.sub(r"\1· ", text)
    text = _QUOTE_RE.sub("", text)
    text = _BLANKS_RE.sub("\n\n", text).strip()
    titles = list(dict.fromkeys(c.title or c.source for c in view.citations))
    if titles:
        text += "\n\n资料来源：" + "；".join(f"《{t}》" for t in titles)
    if view.status != "approved":
        text = f"{UNAPPROVED_NOTE}\n\n{text}"
    return text + "\n"


def export(view: DraftView, fmt: str = "markdown") -> str:
    if fmt == "markdown":
        return to_markdown(view)
    if fmt == "text":
        return to_text(view)
    raise ValueError(f"未知的导出格式 {fmt!r}，可选：markdown、text / unknown export format {fmt!r}")
