"""The one sentence splitter: Chinese and Latin end punctuation, closing quotes and brackets kept with the
sentence they close, newlines as breaks.

Sentences tile each line: one runs from the end of the previous one (leading spaces included) through its
end punctuation and any closing marks, so the spans of a line cover it; pieces that are only whitespace
are left out. A Latin full stop ends a sentence only after a letter and before a space or the end, so
"3.5%" and "1. 准备材料" stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text.lexicons import lexicon

SENTENCE_ENDS = "。！？；!?;"
CLOSERS = "”’」』）)]"
SENTENCE_BREAKS = SENTENCE_ENDS + "\n"  # a sentence never runs over one of these
CLAUSE_BREAKS = "，," + SENTENCE_BREAKS  # nor a clause over one of these

_ENDS = re.escape(SENTENCE_ENDS)
# The body of a sentence takes every character but an end mark, a newline and a full stop that ends a
# Latin sentence (possessive: no backtracking); then come the end marks and any closing marks.
_BODY = rf"(?:[^{_ENDS}\n.]++|(?<![A-Za-z])\.|\.(?!\s|$))*+"
_END = rf"(?:[{_ENDS}]++|\.)"
_SENTENCE_RE = re.compile(rf"{_BODY}{_END}[{re.escape(CLOSERS)}]*+|[^{_ENDS}\n]+")
SENTENCE_BREAK_RE = re.compile(f"[{re.escape(SENTENCE_BREAKS)}]")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: its span [start, end) and its text (leading spaces included)."""

    start: int
    end: int
    text: str


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of ``text[start:end]``, in order, with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [
        Sentence(m.start(), m.end(), m.group()) for m in _SENTENCE_RE.finditer(text, start, stop) if m.group().strip()
    ]


def split_sentences(text: str) -> list[str]:
    """The sentences of the text, stripped of surrounding whitespace."""
    return [sentence.text.strip() for sentence in sentence_spans(text)]


def _asking(text: str) -> list[str]:
    markers = lexicon("question_markers")
    clauses = [c.strip() for c in re.split(f"[{re.escape(CLAUSE_BREAKS)}]", text)]
    return [c for c in clauses if c and any(m in c for m in markers)]


def asked_clauses(text: str) -> str:
    """The clauses of a question that ask (hold a question marker, ``lexicons/question_markers.txt``),
    joined; the whole text when none does. The other clauses describe the asker, not the subject."""
    asking = _asking(text)
    return "，".join(asking) if asking else text


def question_parts(text: str) -> list[str]:
    """The things a question asks for, each as a question of its own: its asking clauses, each cut at the
    joining words of ``lexicons/part_conjunctions.txt`` (星火贷的额度和期限是多少 → 星火贷的额度, 星火贷的期限是多少:
    the subject before 的 is carried on). One part (the whole text) when it asks for one thing."""
    import jieba  # the text layer's tokenizer, loaded on first use

    joins = lexicon("part_conjunctions")
    parts: list[str] = []
    for clause in _asking(text):
        pieces, current = [], ""
        for word in jieba.lcut(clause):
            if word in joins and current:
                pieces.append(current)
                current = ""
            elif word not in joins:
                current += word
        pieces.append(current)
        pieces = [p for p in pieces if len(p) >= 2]
        subject = pieces[0][: pieces[0].rfind("的") + 1] if pieces and "的" in pieces[0] else ""
        parts += [pieces[0], *(p if p.startswith(subject) else subject + p for p in pieces[1:])] if pieces else []
    return parts if len(parts) >= 2 else [text]
