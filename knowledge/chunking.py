"""Chinese-aware chunking: heading sections, then sentence ends, tables kept whole, overlapping windows.

Every chunk is a span [start, end) of the document text, so coverage can be checked: the spans of one
document cover all of its text, and no chunk boundary falls inside a number or a table row block.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.text.sentences import sentence_spans
from knowledge.types import Chunk, Document

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_CLAUSE_BREAK_RE = re.compile(r"[，、,：:）)]")


@dataclass(frozen=True)
class _Section:
    heading: str
    units: list[tuple[int, int]]


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _safe_cut(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at clause marks, else at a position not inside a number."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        window = text[start : start + size]
        marks = [m.end() for m in _CLAUSE_BREAK_RE.finditer(window) if m.end() > size // 3]
        cut = start + (marks[-1] if marks else size)
        while start < cut < end and text[cut - 1].isdigit() and (text[cut].isdigit() or text[cut] in ".%"):
            cut -= 1
        if cut <= start:
            cut = start + size
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _sentences(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    units: list[tuple[int, int]] = []
    for sentence in sentence_spans(text, start, end):
        units.extend(_safe_cut(text, sentence.start, sentence.end, size))
    return units


def _sections(text: str, size: int) -> list[_Section]:
    """Group the text into heading sections made of units (heading line, table block or sentence)."""
    sections: list[_Section] = [_Section("", [])]
    path: list[tuple[int, str]] = []
    lines = _line_spans(text)
    i = 0
    while i < len(lines):
        s, e = lines[i]
        line = text[s:e]
        heading = _HEADING_RE.match(line)
        if heading:
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, heading.group(2))]
            sections.append(_Section(" > ".join(title for _, title in path), [(s, e)]))
        elif line.lstrip().startswith("|"):
            j = i
            while j + 1 < len(lines) and text[lines[j + 1][0] : lines[j + 1][1]].lstrip().startswith("|"):
                j += 1
            sections[-1].units.append((s, lines[j][1]))
            i = j
        elif line.strip():
            sections[-1].units.extend(_sentences(text, s, e, size))
        i += 1
    return [section for section in sections if section.units]


def _windows(units: list[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    """Pack consecutive units into windows of about `size` characters, repeating about `overlap`."""
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= size:
            last += 1
        windows.append((units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        nxt = last + 1
        while nxt - 1 > first and units[last][1] - units[nxt - 1][0] <= overlap:
            nxt -= 1
        first = nxt
    return windows


def chunk_id(source: str, text: str, ordinal: int = 0) -> str:
    """Stable id from the source path and the chunk's own text."""
    src = hashlib.sha1(source.encode()).hexdigest()[:12]
    body = hashlib.sha1(text.encode()).hexdigest()[:16]
    return f"{src}-{body}" + (f"-{ordinal}" if ordinal else "")


def chunk_document(document: Document, size: int = 450, overlap: int = 80) -> list[Chunk]:
    """Split a document into overlapping chunks that keep their heading path."""
    text = document.text
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in _sections(text, size):
        for start, end in _windows(section.units, size, overlap):
            body = text[start:end]
            key = chunk_id(document.source, body)
            seen[key] = seen.get(key, -1) + 1
            chunks.append(
                Chunk(
                    id=chunk_id(document.source, body, seen[key]),
                    text=body,
                    source=document.source,
                    heading=section.heading,
                    start=start,
                    end=end,
                    metadata=document.metadata,
                )
            )
    return chunks
