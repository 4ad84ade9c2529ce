"""Markdown markup out of a passage, for showing it as a line of text (search snippets, citations).

Tables become "cell，cell；" rows (their separator rows go), headings, quotes, list markers, emphasis, inline code
and links lose their marks, and runs of white space close up. The words and figures stay as written.
"""

from __future__ import annotations

import re

_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINE_MARKS = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")
_SPACES = re.compile(r"[ \t\u3000]+")


def _table_row(line: str) -> str:
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return "，".join(cell for cell in cells if cell) + "；"


def _line(line: str) -> str:
    if _TABLE_SEPARATOR.match(line):
        return ""
    if line.lstrip().startswith("|"):
        line = _table_row(line)
    while True:
        stripped = _LINE_MARKS.sub("", line, count=1)
        if stripped == line:
            break
        line = stripped
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return _SPACES.sub(" ", line).strip()


def plain_text(markdown: str) -> str:
    """The passage without Markdown markup, its lines kept (empty ones dropped)."""
    lines = (_line(line) for line in markdown.splitlines())
    return "\n".join(line for line in lines if line)
