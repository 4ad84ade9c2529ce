"""Personal-data patterns (mainland mobile phones, resident ID numbers, bank cards) and masking.

Numbers are found in the text as the text layer normalises it (`knowledge.text.normalise_with_offsets`:
full-width "１３７…" reads as "137…"), and masked in the original text at the matching span. Besides the usual
groupings ("137 1234 5678", "6222 0212 3456 7890") a number written with single spaces or dashes anywhere
("1 3 7 1 2 …", "13-71-23…") is recognised by its digit count: 11 digits 1[3-9]… a phone, 18 an ID number,
16-19 a bank card. Masking errs on the side of hiding digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.text import normalise_with_offsets, span_in_original

# Mainland mobile numbers: 11 digits starting 13-19, optionally written +86 / 86 and with spaces or dashes.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
# 18-character resident identity numbers (last character may be X).
ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# Bank card numbers: 16-19 digits, optionally grouped by spaces.
BANK_CARD_RE = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![\d-])")
# Any run of digits joined by single spaces or dashes (an ID number's X may end it); classified by digit count.
_SPACED_RE = re.compile(r"(?<![0-9A-Za-z])\d+(?:[ -]\d+)+(?:[ -]?[Xx])?(?![0-9A-Za-z])")
_ID_DIGITS_RE = re.compile(r"[1-9]\d{16}[\dXx]")
_PHONE_DIGITS_RE = re.compile(r"(?:86)?(1[3-9]\d{9})")

Kind = Literal["phone", "id_card", "bank_card"]


@dataclass(frozen=True)
class Found:
    """One personal number: its span in the original text, its kind and its digits (X upper-case)."""

    start: int
    end: int
    kind: Kind
    digits: str


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text).upper()


def _spaced_kind(digits: str) -> Kind | None:
    if _ID_DIGITS_RE.fullmatch(digits):
        return "id_card"
    if "X" in digits:
        return None
    if _PHONE_DIGITS_RE.fullmatch(digits):
        return "phone"
    if 16 <= len(digits) <= 19:
        return "bank_card"
    return None


def find_pii(text: str) -> list[Found]:
    """Phones, ID numbers and bank cards in the text, in order, not overlapping."""
    folded, offsets = normalise_with_offsets(text)
    spans: list[tuple[int, int, Kind, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _, _ in spans)

    def spaced(kinds: tuple[Kind, ...]) -> None:
        for m in _SPACED_RE.finditer(folded):
            digits = _digits(m.group(0))
            kind = _spaced_kind(digits)
            if kind in kinds and free(*m.span()):
                spans.append((m.start(), m.end(), kind, digits[-11:] if kind == "phone" else digits))

    def grouped(regex: re.Pattern[str], kind: Kind) -> None:
        for m in regex.finditer(folded):
            if free(*m.span()):
                spans.append(
                    (m.start(), m.end(), kind, "".join(m.groups()) if kind == "phone" else _digits(m.group(0)))
                )

    grouped(ID_CARD_RE, "id_card")
    spaced(("id_card",))  # before cards: "1101 0119 9003 0745 1X" is not a card followed by an X
    grouped(BANK_CARD_RE, "bank_card")
    grouped(PHONE_RE, "phone")
    spaced(("phone", "bank_card"))
    found = []
    for start, end, kind, digits in sorted(spans):
        first, after = span_in_original(offsets, start, end, len(text))
        found.append(Found(first, after, kind, digits))
    return found


def mask_phone(phone: str) -> str:
    """138****5678 style mask of one phone number."""
    digits = re.sub(r"\D", "", phone)[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else "****"


def _mask(found: Found) -> str:
    if found.kind == "phone":
        return mask_phone(found.digits)
    if found.kind == "id_card":
        return f"{found.digits[:3]}***********{found.digits[-4:]}"
    return "**** **** **** " + found.digits[-4:]


def find_phones(text: str) -> list[str]:
    """All mobile numbers in the text, normalised to 11 digits."""
    return [f.digits for f in find_pii(text) if f.kind == "phone"]


def mask_pii(text: str) -> str:
    """Mask ID numbers, bank cards and phones in free text (logs, transcripts for unprivileged roles)."""
    if not any(ch.isdigit() for ch in text):
        return text
    parts, done = [], 0
    for found in find_pii(text):
        parts += [text[done : found.start], _mask(found)]
        done = found.end
    return "".join(parts) + text[done:] if parts else text


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask_pii(text)


def contains_pii(text: str) -> bool:
    return bool(find_pii(text))
