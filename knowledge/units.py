"""Answer units of a chunk: the sentences, clauses, table rows and FAQ answers a reply can quote.

Ingest cuts every chunk into units and embeds each (so the reader scores them by meaning at a turn without
embedding them again); the offline reader cuts the same way, so the texts and their cached vectors agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
_BLANK_CELL_RE = re.compile(r"[—\-–/／\s]+")  # a cell marking that nothing applies
# Parts of speech (jieba.posseg) of a one-character word opening a value that reads on from its header
# without "为": verbs, adverbs, prepositions (标准按…, 说明视…, 真相是…).
_VERBAL_FLAGS = frozenset({"v", "vd", "vi", "vg", "d", "p"})


def unit_embed_text(text: str, context: str) -> str:
    """What is embedded for a unit: its heading path and lead-in, then the unit itself."""
    return f"{context}\n{text}" if context else text


def chunk_unit_texts(title: str, heading: str, text: str) -> list[str]:
    """The embedding texts of every answer unit of one chunk."""
    return [unit_embed_text(unit.text, unit.context) for unit in answer_units(text, heading, title)]


def _clean_line(line: str) -> str:
    line = _LINK_RE.sub(r"\1", line)
    line = line.replace("**", "").replace("__", "").replace("`", "")
    line = re.sub(r"^\s*>+\s*", "", line)
    line = _LIST_RE.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


@dataclass(frozen=True)
class TableRow:
    """One body row of a Markdown table: (header, cell) pairs, the row's key (its first cell) first, a
    numbering column (1, 2, 3 … down the table) left out, empty cells left out."""

    cells: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AnswerUnit:
    """A unit's text (what is embedded and scored), its context, and the table row it was made from."""

    text: str
    context: str
    row: TableRow | None = None


@lru_cache(maxsize=1024)
def render_row(row: TableRow) -> str:
    """A table row as a sentence for a reply, every cell kept verbatim: the key alone; ``键：值`` for one
    value; ``键的表头为值，表头为值`` for several ("为" left out before a value that opens with a one-character
    preposition, adverb or verb: 标准按…, 注意事项须…, 真相是…; the fields joined by "；" when a value holds a comma
    itself). Cells that only mark an absence (——) are left out."""
    (_, key), *rest = row.cells
    rest = [(header, value) for header, value in rest if not _BLANK_CELL_RE.fullmatch(value)]
    if not rest:
        return key
    if len(rest) == 1:
        return f"{key}：{rest[0][1]}"
    values = [f"{header}{_link(value)}{value}" if header else value for header, value in rest]
    joiner = "；" if any(re.search("[，,]", value) for _, value in rest) else "，"
    return f"{key}的{joiner.join(values)}"


def _link(value: str) -> str:
    """The link between a header and its value: 为, or nothing when the value opens with a one-character
    preposition, adverb or verb (按, 须, 是, 可 …); a longer first word is tagged less reliably (登记机关)."""
    import jieba.posseg  # loaded on first use: rows are rendered only when a reply quotes one

    first = next(iter(jieba.posseg.lcut(value)), None)
    return "" if first is not None and len(first.word) == 1 and first.flag in _VERBAL_FLAGS else "为"


def _numbering(column: list[str]) -> bool:
    """The column counts the rows (1, 2, 3 …), saying nothing of its own."""
    return bool(column) and all(re.fullmatch(rf"{number}[.、]?", cell) for number, cell in enumerate(column, start=1))


def _table_units(rows: list[str]) -> list[tuple[str, TableRow | None]]:
    """Markdown table rows as '表头：单元格，表头：单元格' clauses (glue carries no numbers), each with its
    row for display (``render_row``)."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    cells = [r for r in cells if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]
    if len(cells) < 2:
        return [("，".join(c for c in cells[0] if c), None)] if cells else []
    header, body = cells[0], cells[1:]
    numbered = _numbering([r[0] for r in body if r and r[0]])
    units: list[tuple[str, TableRow | None]] = []
    for row in body:
        if not row or not row[0]:
            continue
        kept = [(h, c) for h, c in zip(header[1:], row[1:], strict=False) if c]
        pairs = [f"{h}：{c}" if h else c for h, c in kept]
        shown = TableRow(tuple(kept) if numbered and kept else ((header[0], row[0]), *kept))
        if len(pairs) == 1 and len(header) == 2:
            units.append((f"{row[0]}：{row[1]}", shown))
        elif pairs:
            units.append((f"{row[0]}，{'，'.join(pairs)}", shown))
    return units


@lru_cache(maxsize=2048)
def answer_units(text: str, heading: str = "", title: str = "") -> tuple[AnswerUnit, ...]:
    """Each answer unit's text and context (title, heading, lead-in), in order, a table row's with its row.

    Cached: the same passages come back question after question."""
    units: list[AnswerUnit] = []
    base = f"{title} {heading}".strip()
    section, lead_in = base, ""
    table: list[str] = []

    def add(sentence: str, row: TableRow | None = None) -> None:
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
        units.append(AnswerUnit(sentence, f"{section} {lead_in}".strip(), row))

    def flush_table() -> None:
        for row, cells in _table_units(table):
            add(row, cells)
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
