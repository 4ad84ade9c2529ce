"""Personal-data patterns (mainland mobile phones, resident ID numbers, bank cards) and masking."""

from __future__ import annotations

import re

# Mainland mobile numbers: 11 digits starting 13-19, optionally written +86 / 86 and with spaces or dashes.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
# 18-character resident identity numbers (last character may be X).
ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# Bank card numbers: 16-19 digits, optionally grouped by spaces.
BANK_CARD_RE = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![\d-])")


def mask_phone(phone: str) -> str:
    """138****5678 style mask of one phone number."""
    digits = re.sub(r"\D", "", phone)[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else "****"


def find_phones(text: str) -> list[str]:
    """All mobile numbers in the text, normalised to 11 digits."""
    return ["".join(m.groups()) for m in PHONE_RE.finditer(text)]


def mask_pii(text: str) -> str:
    """Mask ID numbers, bank cards and phones in free text (logs, transcripts for unprivileged roles)."""
    text = ID_CARD_RE.sub(lambda m: f"{m.group(1)[:3]}***********{m.group(3)[-4:]}", text)
    text = BANK_CARD_RE.sub(lambda m: "**** **** **** " + re.sub(r"\D", "", m.group(0))[-4:], text)
    return PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def contains_pii(text: str) -> bool:
    return bool(PHONE_RE.search(text) or ID_CARD_RE.search(text) or BANK_CARD_RE.search(text))
