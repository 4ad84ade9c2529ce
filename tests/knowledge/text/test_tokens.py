"""BM25 tokens: jieba words over normalised text, stopwords from the lexicon dropped."""

from __future__ import annotations

from knowledge.text import stopwords, tokenize
from knowledge.tokenize import tokenize as legacy_tokenize


def test_chinese_latin_and_numbers() -> None:
    tokens = tokenize("安心政担贷的LPR是3.65%吗")
    assert "lpr" in tokens and "3.65" in tokens
    assert "的" not in tokens and "吗" not in tokens


def test_full_width_and_traditional_text_tokenizes_like_simplified() -> None:
    assert tokenize("貸款利率ＬＰＲ３．６５") == tokenize("贷款利率LPR3.65")


def test_stopwords_come_from_the_lexicon() -> None:
    assert {"的", "请问", "the"} <= stopwords()
    assert not set(tokenize("请问 the 的 了")) & stopwords()


def test_the_old_module_is_the_same_tokenizer() -> None:
    assert legacy_tokenize is tokenize
