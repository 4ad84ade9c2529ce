"""The one validation of text and numbers that enter the system, for every entry point: the API's schemas,
the CLI, the editor UI and the channel adapters call these (the character rules are knowledge.text.clean).

``clean_text(value, field)`` returns the text or raises ``InvalidText`` (a ValueError naming the field and
the character); ``check_int(value, field)`` bounds an integer to what both stores hold (a signed 32-bit
column: limits, offsets, versions, ids).
"""

from __future__ import annotations

import unicodedata

from knowledge.text.clean import describe_character, first_disallowed

MAX_INT = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL (SQLite holds 64 bits)
MAX_OFFSET = 1_000_000_000  # paging beyond this is an error, not an empty page


_KINDS = {"Cc": "a control character", "Cs": "a lone surrogate"}


class InvalidText(ValueError):
    """Text with a character no text of ours may hold; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


def text_problem(value: str) -> str | None:
    """Why value may not enter the system, or None when it may."""
    index = first_disallowed(value)
    if index is None:
        return None
    char = value[index]
    kind = _KINDS.get(unicodedata.category(char), "a noncharacter")
    return f"contains {describe_character(char)} ({kind}) at position {index}, which is not allowed in text"


def clean_text(value: str, field: str = "") -> str:
    """value unchanged, or InvalidText naming `field` when it holds a disallowed character."""
    problem = text_problem(value)
    if problem is not None:
        raise InvalidText(field, problem)
    return value


def check_int(value: int, field: str = "", *, low: int = 0, high: int = MAX_INT) -> int:
    """value unchanged, or ValueError naming `field` when it is outside [low, high]."""
    if not low <= value <= high:
        raise ValueError(f"{field + ': ' if field else ''}must be between {low} and {high}, not {value}")
    return value
