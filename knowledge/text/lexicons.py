"""Word lists as data files (``lexicons/*.txt``: one entry per line, ``#`` starts a comment; ``*.yaml`` where an
entry has parts), read once."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import NamedTuple

_PACKAGE = "knowledge.text"


@cache
def lexicon(name: str) -> frozenset[str]:
    """The entries of ``lexicons/<name>.txt`` (blank lines and ``#`` comments skipped)."""
    text = resources.files(_PACKAGE).joinpath("lexicons").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


def stopwords() -> frozenset[str]:
    """Words dropped from BM25 tokens (function words, pronouns, particles, question framing)."""
    return lexicon("stopwords")


def query_stopwords() -> frozenset[str]:
    """Words of a member question that say nothing about its subject (particles, pronouns, asking words)."""
    return lexicon("query_stopwords")


def question_words() -> frozenset[str]:
    """Words that say what is asked or which aspect (最多, 额度, 期限), never what it is about."""
    return lexicon("question_words")


def question_filler() -> frozenset[str]:
    """Words that carry no topic in member questions, on top of the BM25 stopwords."""
    return lexicon("question_filler")


def shared_finance_words() -> frozenset[str]:
    """Words nearly every financing question shares (贷款, 利率 …): they say little about its topic."""
    return lexicon("shared_finance_words")


def surnames() -> frozenset[str]:
    """Common Chinese surnames, compound ones (欧阳, 司马) included."""
    return lexicon("surnames")


def surname_pattern() -> str:
    """A regex fragment matching one surname, compound surnames tried first."""
    names = surnames()
    compound = sorted((re.escape(n) for n in names if len(n) > 1), key=lambda n: (-len(n), n))
    single = "".join(sorted(n for n in names if len(n) == 1))
    return "(?:" + "".join(f"{n}|" for n in compound) + f"[{single}])"


def business_suffixes() -> frozenset[str]:
    """Words a business's name ends with (有限公司, 合作社, 店, 厂, 工作室, 门市部 …)."""
    return lexicon("business_suffixes")


def generic_brands() -> frozenset[str]:
    """Two-character name prefixes too common in everyday Chinese to stand for a product on their own."""
    return lexicon("generic_brands")


def product_heads() -> frozenset[str]:
    """Head words of financial product names (贷, 保理, 租赁 …): what follows a brand."""
    return lexicon("product_heads")


def asked_kind_names() -> dict[str, str]:
    """kind of value asked for (money, percent …) -> how a reply names it (``lexicons/asked_kind_names.txt``)."""
    pairs = (entry.split(maxsplit=1) for entry in lexicon("asked_kind_names"))
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


class AnswerKind(NamedTuple):
    """A kind of value a question can ask for (``lexicons/answer_kinds.yaml``)."""

    name: str
    cue: str  # regex over the question
    answer: str  # regex over a sentence that shows such a value
    group: str  # kinds of one group answer for one another (a duration answers 什么时候)


@cache
def answer_kinds() -> tuple[AnswerKind, ...]:
    """The kinds of value a member question can ask for, with their cues and answer wordings."""
    import yaml

    text = resources.files(_PACKAGE).joinpath("lexicons").joinpath("answer_kinds.yaml").read_text(encoding="utf-8")
    return tuple(
        AnswerKind(k["name"], k["cue"], k["answer"], k.get("group", k["name"])) for k in yaml.safe_load(text)["kinds"]
    )


class Bound(NamedTuple):
    """A bound a question can ask for (``lexicons/bounds.yaml``)."""

    name: str
    cue: str  # regex over the question
    before: str  # regex over the characters before a figure that mark it as this bound
    after: str  # regex anchored right after a figure


@cache
def bounds() -> tuple[Bound, ...]:
    """The bounds a member question can ask for (upper: 最多; lower: 最低), with how a sentence marks them."""
    import yaml

    text = resources.files(_PACKAGE).joinpath("lexicons").joinpath("bounds.yaml").read_text(encoding="utf-8")
    return tuple(Bound(b["name"], b["cue"], b["before"], b["after"]) for b in yaml.safe_load(text)["bounds"])
