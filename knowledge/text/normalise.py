"""Text as it is matched: NFKC (full-width → half-width), lower-case, traditional → simplified Chinese.

Folding is done character by character (a translate table filled on first sight of each character), so
``normalise_with_offsets`` can say, for every output character, which input character it came from and a
match in the normalised text can be reported as a span of the original. Combining sequences are
therefore not composed ("e" + U+0301 stays two characters); nothing in Chinese text needs that.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import opencc

_local = threading.local()


class _FoldTable(dict[int, str]):
    """ord(ch) -> NFKC and lower-case form of ch, computed the first time ch is seen."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _converter() -> opencc.OpenCC:
    """One OpenCC traditional → simplified converter per thread (the binding does not promise more)."""
    converter: opencc.OpenCC | None = getattr(_local, "t2s", None)
    if converter is None:
        converter = _local.t2s = opencc.OpenCC("t2s")
    return converter


_SURROGATE_RE = re.compile("([\ud800-\udfff])")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters and phrases in simplified form (other text unchanged)."""
    if text.isascii():
        return text
    try:
        return str(_converter().convert(text))
    except UnicodeEncodeError:  # a lone surrogate (bytes decoded with surrogateescape) cannot go to OpenCC
        return "".join(p if _SURROGATE_RE.fullmatch(p) else to_simplified(p) for p in _SURROGATE_RE.split(text))


def _simplified(folded: str) -> str:
    """Simplified characters, one for one: phrase conversion, unless it changed the length."""
    converted = to_simplified(folded)
    if len(converted) == len(folded):
        return converted
    return "".join(to_simplified(ch) for ch in folded)


def normalise(text: str) -> str:
    """The text for matching: NFKC (full-width letters, digits and punctuation → ASCII), lower-case,
    simplified Chinese. "ＡＰＲ：３．６５％" → "apr:3.65%", "貸款利率" → "贷款利率"."""
    if text.isascii():
        return text.lower()
    return _simplified(text.translate(_FOLD))


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, for each of its characters, the offset in ``text`` it came from.

    A character that expands ("…" → "...", "①" → "1" does not) maps all its output characters to itself.
    """
    result = normalise(text)
    if len(result) == len(text):
        return result, list(range(len(text)))  # no character expands (and none vanishes) under folding
    expanding = [ch for ch in set(text) if len(_FOLD[ord(ch)]) != 1]
    offsets: list[int] = []
    done = 0
    for m in re.finditer("|".join(map(re.escape, expanding)), text):
        offsets.extend(range(done, m.start()))
        offsets.extend([m.start()] * len(_FOLD[ord(m.group())]))
        done = m.end()
    offsets.extend(range(done, len(text)))
    return result, offsets


def span_in_original(offsets: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """The span of the original text (``length`` characters) behind ``[start, end)`` of the normalised text.

    The span covers whole original characters: a match ending inside an expansion ("..." of "…") ends
    after the "…".
    """
    if start >= len(offsets):
        return length, length
    first = offsets[start]
    if end <= start:
        return first, first
    last, after = offsets[end - 1], end
    while after < len(offsets) and offsets[after] == last:
        after += 1
    return first, offsets[after] if after < len(offsets) else length


# Full-width digits, Latin letters and the number signs % . + - (not the Chinese punctuation ，：；（）！？,
# which rule patterns match as it is written).
_WIDTH = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_WIDTH.update({ord("％"): ord("%"), ord("．"): ord("."), ord("＋"): ord("+"), ord("－"): ord("-")})


def fold_script_and_digits(text: str) -> str:
    """Simplified characters and half-width digits and letters, one for one (the same length as ``text``, so a
    span in the result is the same span of the original); punctuation and case stay. For matchers whose
    patterns are written with Chinese punctuation (the compliance rules)."""
    folded = text.translate(_WIDTH)
    return folded if folded.isascii() else _simplified(folded)
