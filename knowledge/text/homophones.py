"""Homophone slips in member questions (被片 for 被骗, 利律 for 利率, 申抱 for 申报), put right against a vocabulary.

Members type Chinese by pinyin, so the commonest typo is another character with the same sound. A slip is
looked for only where the segmenter finds no word (a run of single characters, or a word neither the
vocabulary nor jieba's dictionary knows): a window there of two to four characters that is not a word itself,
and that differs from exactly one vocabulary word of its length by one character of the same toneless pinyin,
is replaced by that word when the word is likelier than the characters typed (a noisy channel: jieba's unigram
log-probability of the word, plus the log of the number of documents holding it, against that of
the window cut into dictionary words, by at least ``MARGIN``). So 到出 stays (到 and 出 are likelier than 导出),
and a correctly typed question comes back unchanged (docs/reader.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache

from knowledge.text.tokens import dictionary_word, specificity, words

MARGIN = 4.0  # nats; chosen on the typos of the dev sets and the false corrections they showed (docs/reader.md)
_HAN_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_LENGTHS = (4, 3, 2)


@cache
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # 0.15 s to import: loaded when a question first needs it

    return tuple(lazy_pinyin(text))


class HomophoneIndex:
    """Vocabulary words (two to four Chinese characters) by their toneless pinyin, with document counts."""

    def __init__(self, doc_freq: Mapping[str, int]) -> None:
        self._freq = {w: n for w, n in doc_freq.items() if len(w) in _LENGTHS and _HAN_RE.match(w)}
        self._by_sound: dict[tuple[str, ...], list[str]] | None = None

    def warm_up(self) -> None:
        """Read every word's pinyin now (about 25 µs a word here), not on the first question that needs it."""
        self._sounds()

    def _sounds(self) -> dict[tuple[str, ...], list[str]]:
        if self._by_sound is None:  # built on first use (or by warm_up)
            by_sound: dict[tuple[str, ...], list[str]] = {}
            for word in sorted(self._freq):
                by_sound.setdefault(_pinyin(word), []).append(word)
            self._by_sound = by_sound
        return self._by_sound

    def candidate(self, gram: str) -> str | None:
        """The one vocabulary word that sounds like ``gram``, differs from it in one character and is likelier
        than it by ``MARGIN``."""
        matches = [
            word
            for word in self._sounds().get(_pinyin(gram), ())
            if sum(a != b for a, b in zip(word, gram, strict=True)) == 1
        ]
        if len(matches) != 1:
            return None
        word = matches[0]
        # log P(word) - log P(gram as typed) = specificity(typed pieces) - specificity(word)
        gain = sum(map(specificity, words(gram, hmm=False))) - specificity(word) + math.log(self._freq[word])
        return word if gain >= MARGIN else None

    def is_word(self, text: str) -> bool:
        return text in self._freq or dictionary_word(text)

    def correct(self, text: str) -> str:
        """The text with its homophone slips replaced."""
        if not self._freq:
            return text
        out: list[str] = []
        run: list[str] = []  # consecutive pieces that are no known word
        for piece in words(text):
            if _HAN_RE.match(piece) and not (len(piece) > 1 and self.is_word(piece)):
                run.append(piece)
                continue
            out.append(self._fix_run("".join(run)))
            run.clear()
            out.append(piece)
        out.append(self._fix_run("".join(run)))
        return "".join(out)

    def _fix_run(self, run: str) -> str:
        i, fixed = 0, []
        while i < len(run):
            for n in _LENGTHS:
                gram = run[i : i + n]
                if len(gram) == n and not self.is_word(gram) and (word := self.candidate(gram)) is not None:
                    fixed.append(word)
                    i += n
                    break
            else:
                fixed.append(run[i])
                i += 1
        return "".join(fixed)
