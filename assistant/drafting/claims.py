"""Claim check: every rate, amount, term, date and condition in a draft must appear in the source it cites.

A claim's sources are the ``[n]`` markers of its sentence; failing that, the paragraph's nearest marker;
for a heading line, the first marker of the paragraph below it. A claim is supported when all of its
normalised values occur in one of those sources (title, heading path and chunk text); otherwise it is
flagged in place with a message such as 「正文中的“年化利率3.2%”在引用[2]中找不到」.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.drafting.facts import Figure, Key, figures, projections, supported_keys
from assistant.drafting.types import Citation, Claim
from knowledge.text import SENTENCE_BREAK_RE

MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_TRAILING_MARKERS_RE = re.compile(r"(?:[ \t]*\[\d{1,3}\])+")
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# Words just before a figure that name it ("年化利率3.5%"): shown in the claim text for the editor.
_LABEL_RE = re.compile(
    r"(?:年化综合融资成本|综合融资成本|年化利率|贷款利率|担保费率|贴息比例|补贴比例|贴现利率|年化|利率|费率|贴息|"
    r"额度|期限|上限|截止|时间|日期)[：:]?\s?(?:为|是|约|达|最高|最低|不超过|不高于|不低于)?\s?$"
)
_HEADING_LINE_RE = re.compile(r"^\s*(?:#{1,6}\s|【|\*\*)")
_EVIDENCE_WIDTH = 36
_HEADING_REACH = 2  # paragraphs below a heading searched for its source


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    markers: tuple[tuple[int, int], ...]  # (position, number)


def _mask_markers(text: str) -> str:
    """The text with ``[n]`` markers blanked (same length), so their digits are never read as figures."""
    return MARKER_RE.sub(lambda m: " " * len(m.group()), text)


def _markers(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    return tuple((m.start(), int(m.group(1))) for m in MARKER_RE.finditer(text, start, end))


def _sentences(text: str) -> list[_Span]:
    """Sentences; markers right after the closing punctuation ("……。[1]") belong to the sentence before."""
    spans, start = [], 0
    for m in SENTENCE_BREAK_RE.finditer(text):
        if m.end() <= start:
            continue
        end = m.end()
        tail = _TRAILING_MARKERS_RE.match(text, end)
        if tail and tail.end() > end:
            end = tail.end()
        spans.append(_Span(start, end, _markers(text, start, end)))
        start = end
    if start < len(text):
        spans.append(_Span(start, len(text), _markers(text, start, len(text))))
    return spans


def _paragraphs(text: str) -> list[_Span]:
    spans, start = [], 0
    for m in _PARAGRAPH_RE.finditer(text):
        spans.append(_Span(start, m.start(), _markers(text, start, m.start())))
        start = m.end()
    spans.append(_Span(start, len(text), _markers(text, start, len(text))))
    return spans


def _containing(spans: Sequence[_Span], pos: int) -> int:
    return next((i for i, s in enumerate(spans) if s.start <= pos < s.end), len(spans) - 1)


def cited_sources(text: str, pos: int, *, sentences: list[_Span], paragraphs: list[_Span]) -> list[int]:
    """The citation numbers that back the text at ``pos`` (empty when nothing does)."""
    sentence = sentences[_containing(sentences, pos)]
    if sentence.markers:
        return list(dict.fromkeys(n for _, n in sentence.markers))
    index = _containing(paragraphs, pos)
    paragraph = paragraphs[index]
    if paragraph.markers:
        after = [(p - pos, n) for p, n in paragraph.markers if p >= pos]
        before = [(pos - p, n) for p, n in paragraph.markers if p < pos]
        return [min(after or before)[1]]
    line_start = text.rfind("\n", 0, pos) + 1
    if _HEADING_LINE_RE.match(text, line_start):
        # A title or heading is backed by the first source cited right below it (a salutation may come first).
        for following in paragraphs[index + 1 : index + 1 + _HEADING_REACH]:
            if following.markers:
                return [following.markers[0][1]]
    return []


def _label_start(text: str, start: int) -> int:
    m = _LABEL_RE.search(text, max(0, start - 14), start)
    return m.start() if m else start


def _evidence(source: Citation, keys: frozenset[Key]) -> str:
    """A window of the source around the first of its figures that states one of the claim's values."""
    body = source.evidence_text
    for figure in figures(body):
        if any(projections(k) & keys for k in figure.keys):
            start, end = max(0, figure.start - _EVIDENCE_WIDTH), min(len(body), figure.end + _EVIDENCE_WIDTH)
            window = " ".join(body[start:end].split())
            return ("…" if start else "") + window + ("…" if end < len(body) else "")
    return source.snippet


def _sources_label(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _verdict(
    figure: Figure, claim_text: str, numbers: list[int], sources: dict[int, Citation], known: dict[int, set[Key]]
) -> tuple[bool, int | None, str | None, str | None]:
    """(supported, citation, evidence, message) for one claim."""
    if not numbers:
        return False, None, None, f"正文中的“{claim_text}”没有标注引用来源"
    missing = [n for n in numbers if n not in sources]
    present = [n for n in numbers if n in sources]
    if not present:
        return False, numbers[0], None, f"正文中的“{claim_text}”引用的{_sources_label(missing)}不存在"
    for n in present:
        if figure.keys <= known[n]:
            return True, n, _evidence(sources[n], figure.keys), None
    union: set[Key] = set().union(*(known[n] for n in present))
    if figure.keys <= union:
        first = next(n for n in present if figure.keys & known[n])
        return True, first, _evidence(sources[first], figure.keys), None
    return False, present[0], None, f"正文中的“{claim_text}”在引用{_sources_label(present)}中找不到"


def check_claims(text: str, citations: Sequence[Citation]) -> list[Claim]:
    """Every claim in ``text`` with its verdict against the cited sources, in text order."""
    sources = {c.n: c for c in citations}
    known = {n: supported_keys(c.evidence_text) for n, c in sources.items()}
    masked = _mask_markers(text)
    sentences, paragraphs = _sentences(text), _paragraphs(text)
    claims = []
    for figure in figures(masked):
        start = figure.start if figure.kind == "condition" else _label_start(masked, figure.start)
        claim_text = text[start : figure.end]
        numbers = cited_sources(text, figure.start, sentences=sentences, paragraphs=paragraphs)
        supported, citation, evidence, message = _verdict(figure, claim_text, numbers, sources, known)
        claims.append(
            Claim(
                kind=figure.kind,  # type: ignore[arg-type]
                text=claim_text,
                span=(start, figure.end),
                supported=supported,
                citation=citation,
                evidence=evidence,
                message=message,
            )
        )
    return claims
