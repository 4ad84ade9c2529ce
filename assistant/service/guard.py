"""The compliance guard every outgoing message passes through, and the sentence gate for model output.

``ReplyGuard`` is the small interface the agent depends on; ``ComplianceGuard`` implements it with
``assistant.compliance`` (check → rewrite) and adds the 年化 risk note. ``SentenceGate`` releases model
output sentence by sentence (so streaming stays guarded): sentences with a number found in no passage
are dropped, citation markers are checked and renumbered, and each sentence goes through the guard.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Protocol

from assistant.compliance import Report, check, rewrite
from assistant.service.replies import RISK_NOTE
from assistant.service.types import Citation
from knowledge.text import SENTENCE_BREAK_RE, written_numbers
from knowledge.types import SearchResult

log = logging.getLogger(__name__)

_RATE_RE = re.compile(
    r"(?:利率|年化|费率|利息|息费|保证金|押金|手续费|担保费|服务费|首付)[^。；;\n]{0,30}\d|\d\s*[%％]"
)
_CITATION_RE = re.compile(r"\[(\d{1,3})\]")
# A sentence ends at terminal punctuation, plus any citation markers written right after it.
_BOUNDARY_RE = re.compile(rf"{SENTENCE_BREAK_RE.pattern}(?:\s*\[\d{{1,3}}\])*")
_PENDING_MARKER_RE = re.compile(r"\s*(?:\[\d{0,3})?")


class ReplyGuard(Protocol):
    """What the agent needs from compliance: clean a piece of text, and close a whole reply."""

    def clean(self, text: str) -> str:
        """The text with every error-level finding softened or removed."""

    def closing(self, text: str) -> str:
        """Text to append to a finished reply (e.g. the risk note after rates), or ''."""


class ComplianceGuard:
    """``assistant.compliance`` check + rewrite in the member-reply context, and the rate risk note."""

    def __init__(
        self,
        checker: Callable[..., Report] = check,
        rewriter: Callable[..., str] = rewrite,
        risk_note: str = RISK_NOTE,
    ) -> None:
        self.checker = checker
        self.rewriter = rewriter
        self.risk_note = risk_note
        # Replies are made of the same knowledge-base sentences again and again, and the rules are fixed for
        # the life of the guard: remember each text's verdict (bounded) instead of re-running every rule.
        self._verdict = lru_cache(maxsize=4096)(self._judge)

    def warm_up(self) -> None:
        """Load the rule files now rather than on the first member message."""
        self.checker("年化利率", context="reply")

    def clean(self, text: str) -> str:
        if not text.strip():
            return text
        rewritten, rule_ids = self._verdict(text)
        if rewritten is None:
            return text
        log.info("compliance guard rewrote a reply: %s", list(rule_ids))
        return rewritten

    def _judge(self, text: str) -> tuple[str | None, tuple[str, ...]]:
        """(None, ()) when the text passes, else (the rewritten text, the error rules it broke)."""
        report = self.checker(text, context="reply")
        if report.passed:
            return None, ()
        return self.rewriter(text, context="reply"), tuple(sorted(report.rule_ids("error")))

    def closing(self, text: str) -> str:
        """The risk note after rates, fees and deposits. Only the note itself counts as said: a document's
        own "风险提示" (or a line telling the assistant to leave it out) never switches it off."""
        if _RATE_RE.search(_CITATION_RE.sub("", text)) and self.risk_note not in text:
            return self.risk_note
        return ""


def guard_text(guard: ReplyGuard, text: str) -> str:
    """A complete outgoing message: cleaned, then closed."""
    cleaned = guard.clean(text)
    return cleaned + guard.closing(cleaned)


def numbers_in(text: str) -> set[str]:
    return set(written_numbers(_CITATION_RE.sub(" ", text)))


class SentenceGate:
    """Model text in, guarded sentences out; keeps the citations actually used, numbered from 1."""

    def __init__(self, guard: ReplyGuard, passages: Sequence[SearchResult], question: str = "") -> None:
        self.guard = guard
        self.passages = list(passages)
        self.allowed = numbers_in(question)
        for passage in passages:
            self.allowed |= numbers_in(f"{passage.title}\n{passage.heading}\n{passage.text}")
        self.order: list[int] = []  # passage numbers (1-based) in first-cited order
        self.dropped = 0
        self._buffer = ""
        self._released: list[str] = []

    def feed(self, delta: str) -> Iterator[str]:
        """Sentences completed by this delta, cleaned (a sentence is held until its citations are seen)."""
        self._buffer += delta
        while True:
            match = _BOUNDARY_RE.search(self._buffer)
            if match is None or _PENDING_MARKER_RE.fullmatch(self._buffer, match.end()):
                return  # no boundary yet, or a citation marker may still follow it
            sentence, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
            cleaned = self._sentence(sentence)
            if cleaned:
                yield cleaned

    def finish(self) -> Iterator[str]:
        """The rest of the buffer and the closing note."""
        if self._buffer:
            cleaned = self._sentence(self._buffer)
            self._buffer = ""
            if cleaned:
                yield cleaned
        closing = self.guard.closing(self.text)
        if closing:
            self._released.append(closing)
            yield closing

    def drop_pending(self) -> None:
        """Forget an unfinished sentence (the model stopped mid-way)."""
        self._buffer = ""

    @property
    def text(self) -> str:
        return "".join(self._released)

    @property
    def citations(self) -> tuple[Citation, ...]:
        picked = [self.passages[n - 1] for n in self.order]
        return tuple(Citation(p.source, p.title, p.snippet) for p in picked)

    def _renumber(self, match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(self.passages):
            return ""
        if number not in self.order:
            self.order.append(number)
        return f"[{self.order.index(number) + 1}]"

    def _sentence(self, sentence: str) -> str:
        stray = numbers_in(sentence) - self.allowed
        if stray:
            self.dropped += 1
            log.warning("dropped a model sentence with number(s) found in no passage: %s", sorted(stray))
            return ""
        cleaned = self.guard.clean(_CITATION_RE.sub(self._renumber, sentence))
        if not self._released:
            cleaned = cleaned.lstrip()
        self._released.append(cleaned)
        return cleaned
