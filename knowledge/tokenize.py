"""Chinese-aware tokens for BM25: jieba words for CJK runs, lower-cased Latin words and numbers."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

_TOKEN_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "为",
        "对",
        "等",
        "也",
        "就",
        "都",
        "而",
        "及其",
        "以",
        "于",
        "之",
        "其",
        "这",
        "那",
        "个",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "啥",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "有",
        "没",
        "没有",
        "能",
        "能不能",
        "可以",
        "可不可以",
        "一下",
        "请问",
        "怎么",
        "怎么样",
        "如何",
        "什么",
        "哪些",
        "多少",
        "要",
        "想",
        "会",
        "被",
        "把",
        "给",
        "让",
        "从",
        "到",
        "a",
        "an",
        "the",
        "of",
        "to",
        "and",
        "or",
        "in",
        "on",
        "for",
        "is",
        "are",
    ]
)
_init_lock = threading.Lock()
_initialised = False


def configure_jieba(cache_dir: Path | None) -> None:
    """Keep jieba's dictionary cache in cache_dir (not /tmp) and quiet its start-up logging."""
    global _initialised
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(logging.WARNING)
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(cache_dir)
        jieba.initialize()
        _initialised = True


@lru_cache(maxsize=4096)
def _cut(run: str) -> tuple[str, ...]:
    return tuple(jieba.lcut(run, HMM=True))


def tokenize(text: str) -> list[str]:
    """Tokens for lexical search; Chinese runs are cut with jieba, stopwords dropped."""
    if not _initialised:
        configure_jieba(None)
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        run = match.group(0)
        if "\u4e00" <= run[0] <= "\u9fff":
            tokens.extend(t for t in _cut(run) if t not in _STOPWORDS)
        else:
            word = run.lower()
            if word not in _STOPWORDS:
                tokens.append(word)
    return tokens
