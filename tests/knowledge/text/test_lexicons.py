"""Word lists are data files shipped with the package, read once."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from knowledge.text import (
    generic_brands,
    lexicon,
    query_stopwords,
    question_filler,
    question_words,
    shared_finance_words,
    stopwords,
    surname_pattern,
    surnames,
)

LISTS = (
    "stopwords",
    "query_stopwords",
    "question_words",
    "question_filler",
    "shared_finance_words",
    "generic_brands",
    "surnames",
)


@pytest.mark.parametrize("name", LISTS)
def test_every_lexicon_file_loads_without_comments_or_blanks(name: str) -> None:
    entries = lexicon(name)
    assert entries
    assert not any(e.startswith("#") or not e.strip() or e != e.strip() for e in entries)
    path = resources.files("knowledge.text").joinpath("lexicons").joinpath(f"{name}.txt")
    assert path.is_file()


def test_named_accessors_and_caching() -> None:
    assert "的" in stopwords() and "请问" in query_stopwords()
    assert {"额度", "期限"} <= question_words()
    assert "咨询" in question_filler() and "贷款" in shared_finance_words()
    assert "科技" in generic_brands()
    assert lexicon("stopwords") is stopwords()


def test_an_unknown_lexicon_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        lexicon("no_such_list")


def test_surnames_compound_first() -> None:
    assert {"王", "欧阳", "诸葛"} <= surnames()
    pattern = re.compile(surname_pattern())
    assert pattern.match("欧阳明月").group() == "欧阳"  # type: ignore[union-attr]
    assert pattern.match("王小明").group() == "王"  # type: ignore[union-attr]
    assert pattern.match("的") is None


def test_answer_kinds_are_data_with_valid_patterns() -> None:
    import re

    from knowledge.text import answer_kinds

    kinds = {k.name: k for k in answer_kinds()}
    assert {"duration", "date", "money", "percent", "phone", "email", "yesno"} <= set(kinds)
    assert kinds["duration"].group == kinds["date"].group == "time"
    for kind in kinds.values():
        re.compile(kind.cue), re.compile(kind.answer)
    assert re.search(kinds["phone"].answer, "投诉热线400-000-0000，反诈专线96110")
    assert not re.search(kinds["phone"].answer, "额度110万元，年化3.5%")
