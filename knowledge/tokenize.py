"""Kept for existing importers: the BM25 tokenizer lives in ``knowledge.text.tokens``."""

from knowledge.text.tokens import configure_jieba, tokenize

__all__ = ["configure_jieba", "tokenize"]
