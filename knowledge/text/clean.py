"""Characters no text of ours may hold: C0 controls except tab, line feed and carriage return, DEL and the
C1 controls, lone surrogates (not encodable as UTF-8) and the noncharacters U+FFFE and U+FFFF.

PostgreSQL refuses a NUL in a text column, a lone surrogate cannot be encoded for either store, and the
others are invisible in a reply or a draft while they change what a matcher sees. Input that carries one is
refused (``first_disallowed``); a document being ingested has them removed (``strip_disallowed``).
"""

from __future__ import annotations

import re

# As a JSON Schema (ECMA-262) pattern too: the escapes below mean the same there.
DISALLOWED_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
CLEAN_PATTERN = rf"^[^{DISALLOWED_CLASS}]*$"
_DISALLOWED_RE = re.compile(f"[{DISALLOWED_CLASS}]")


def first_disallowed(text: str) -> int | None:
    """Index of the first disallowed character in text, or None when it has none."""
    match = _DISALLOWED_RE.search(text)
    return match.start() if match else None


def strip_disallowed(text: str) -> str:
    """text without its disallowed characters (a form feed or vertical tab becomes a line feed)."""
    return _DISALLOWED_RE.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text)


def describe_character(char: str) -> str:
    """U+0000-style name of a character, for error messages."""
    return f"U+{ord(char):04X}"
