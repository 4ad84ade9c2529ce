"""Chinese-aware tokens for BM25: the normalised text cut into jieba words for CJK runs, lower-cased
Latin words and numbers, stopwords (``lexicons/stopwords.txt``) dropped."""

from __future__ import annotations

import logging
import math
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

from knowledge.text.lexicons import stopwords
from knowledge.text.normalise import normalise

_TOKEN_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
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
    """Tokens for lexical search: the text normalised (full-width, case, traditional characters), Chinese
    runs cut with jieba, stopwords dropped."""
    if not _initialised:
        configure_jieba(None)
    dropped = stopwords()
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalise(text)):
        run = match.group(0)
        if "\u4e00" <= run[0] <= "\u9fff":
            tokens.extend(t for t in _cut(run) if t not in dropped)
        elif run not in dropped:
            tokens.append(run)
    return tokens


def specificity(word: str) -> float:
    """How specific a word is in general Chinese: its information content, log(total / frequency), read from
    jieba's dictionary (公司 ~8, 违约金 ~15); a word the dictionary lacks counts as one seen once."""
    if not _initialised:
        configure_jieba(None)
    total = jieba.dt.total
    return math.log(total / max(jieba.dt.FREQ.get(word, 0), 1))


def dictionary_word(word: str) -> bool:
    """The word is in jieba's dictionary (not a piece its HMM joined from the text, as 能批 or 天给)."""
    if not _initialised:
        configure_jieba(None)
    return jieba.dt.FREQ.get(word, 0) > 0
