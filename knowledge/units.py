"""Answer units of a chunk: the sentences, clauses, table rows and FAQ answers a reply can quote.

Ingest cuts every chunk into units and embeds each (so the reader scores them by meaning at a turn without
embedding them again); the offline reader cuts the same way, so the texts and their cached vectors agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]+")
_SPLIT_RE = re.compile(r"(?<=[。！？!?；;])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*(.*)$")
_LIST_RE = re.compile(
    r"^\s*(?:[-*+•·]\s+|\d{1,2}\.\s+|\d{1,2}[、)）]\s*|[（(]\d{1,2}[）)]\s*|[一二三四五六七八九十]{1,3}、)"
)
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_QA_ANSWER_RE = re.compile(r"^(?:答|A)\s*[：:]\s*")
_QA_QUESTION_RE = re.compile(r"^(?:问|Q)\s*[：:]")


def unit_embed_text(text: str, context: str) -> str:
    """What is embedded for a unit: its heading path and lead-in, then the unit itself."""
    return f"{context}\n{text}" if context else text


def chunk_unit_texts(title: str, heading: str, text: str) -> list[str]:
    """The embedding texts of every answer unit of one chunk."""
    return [unit_embed_text(unit, context) for unit, context in answer_units(text, heading, title)]


def _clean_line(line: str) -> str:
    line = _LINK_RE.sub(r"\1", line)
    line = line.replace("**", "").replace("__", "").replace("`", "")
    line = re.sub(r"^\s*>+\s*", "", line)
    line = _LIST_RE.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def _table_units(rows: list[str]) -> list[str]:
    """Markdown table rows as '表头：单元格，表头：单元格' clauses (glue carries no numbers)."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    cells = [r for r in cells if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]
    if len(cells) < 2:
        return ["，".join(c for c in cells[0] if c)] if cells else []
    header, body = cells[0], cells[1:]
    units = []
    for row in body:
        if not row or not row[0]:
            continue
        pairs = [f"{h}：{c}" if h else c for h, c in zip(header[1:], row[1:], strict=False) if c]
        if len(pairs) == 1 and len(header) == 2:
            units.append(f"{row[0]}：{row[1]}")
        elif pairs:
            units.append(f"{row[0]}，{'，'.join(pairs)}")
    return units


@lru_cache(maxsize=2048)
def answer_units(text: str, heading: str = "", title: str = "") -> tuple[tuple[str, str], ...]:
    """Each answer unit's text and context (title, heading, lead-in), in order.

    Cached: the same passages come back question after question."""
    units: list[tuple[str, str]] = []
    base = f"{title} {heading}".strip()
    section, lead_in = base, ""
    table: list[str] = []

    def add(sentence: str) -> None:
        nonlocal lead_in
        sentence = _QA_ANSWER_RE.sub("", sentence.strip())
        if _QA_QUESTION_RE.match(sentence) or sentence.endswith(("？", "?")):
            lead_in = sentence  # an FAQ question is the context of the answer after it
            return
        if sentence.endswith(("：", ":")):
            lead_in = sentence
            return
        if len(_WORD_RE.sub("", sentence)) == len(sentence) or len(sentence) < 4:
            return
        units.append((sentence, f"{section} {lead_in}".strip()))

    def flush_table() -> None:
        for row in _table_units(table):
            add(row)
        table.clear()

    for raw in text.splitlines():
        if raw.strip().startswith("|"):
            table.append(raw)
            continue
        if table:
            flush_table()
        heading_match = _HEADING_RE.match(raw)
        if heading_match:
            section, lead_in = f"{base} {heading_match.group(1)}".strip(), ""
            continue
        line = _clean_line(raw)
        if not line:
            continue
        for sentence in _SPLIT_RE.split(line):
            if sentence.strip():
                add(sentence)
    if table:
        flush_table()
    return tuple(units)
