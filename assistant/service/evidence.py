"""Which retrieved passages may be read to a member: documents are data, never instructions.

A passage is dropped when its document was quarantined at ingest (it broke a hostile-signal rule of
knowledge/screening.yaml: words addressed to the assistant, a private contact or payee, an advance fee, a
request for passwords or codes) or is member content
(a member's post is their experience, not the community's word: it is never stated to a member as fact,
see docs/knowledge-screening.md). The rest are screened again with today's rules, sentence by sentence,
so a rule added since the last ingest protects members at once; instruction-like sentences are cut too
(``assistant.service.safety.sanitize_passages``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.service.safety import sanitize_passages
from knowledge.screening import is_member, quarantined, strip_flagged
from knowledge.types import SearchResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Screened:
    """The passages a member may be told, and what was kept back."""

    passages: list[SearchResult]
    flagged: int  # passages of quarantined documents
    member: int  # passages of member-shared documents
    cut: int  # offending sentences cut from the others


def _recut(passage: SearchResult) -> tuple[SearchResult | None, int]:
    text, cuts = strip_flagged(passage.text)
    if not cuts:
        return passage, 0
    if not text.strip():
        return None, cuts
    core = passage.snippet.strip("…")
    snippet = passage.snippet if core and core in text else text.strip()[:120].replace("\n", " ")
    return replace(passage, text=text, snippet=snippet), cuts


def screen_passages(passages: Sequence[SearchResult], k: int | None = None) -> Screened:
    """The first ``k`` (all when None) passages that may be read to a member, in their ranked order."""
    kept: list[SearchResult] = []
    flagged = member = cut = 0
    for passage in passages:
        if quarantined(passage.metadata):
            flagged += 1
            continue
        if is_member(passage.metadata):
            member += 1
            continue
        clean, cuts = _recut(passage)
        cut += cuts
        if clean is not None:
            kept.append(clean)
    kept, injected = sanitize_passages(kept)
    if flagged or member or cut or injected:
        log.warning(
            "evidence screen: %d passage(s) of flagged documents, %d of member posts dropped; %d sentence(s) cut",
            flagged,
            member,
            cut + injected,
        )
    return Screened(kept if k is None else kept[:k], flagged, member, cut + injected)
