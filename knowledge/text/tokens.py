"""Chinese-aware tokens for BM25: the normalised text cut into jieba words for CJK runs, lower-cased
Latin words and numbers, stopwords (``lexicons/stopwords.txt``) dropped.

jieba is imported on first use: what imports the text layer without cutting words (`finassist check`) does
not pay for it."""

from __future__ import annotations

import logging
import math
import re
import threading
from functools import lru_cache
from pathlib import Path

from knowledge.text.lexicons import stopwords
from knowledge.text.normalise import normalise

_TOKEN_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
_init_lock = threading.Lock()
_initialised = False


def configure_jieba(cache_dir: Path | None, *, load: bool = True) -> None:
    """Keep jieba's dictionary cache in cache_dir (not /tmp) and quiet its start-up logging; the first call
    decides the directory. `load` loads the whole dictionary now (~1.4 s of CPU here: what cuts much text
    wants); `load=False` with a cache_dir has jieba read it word by word from a copy there instead (see
    knowledge.text.jieba_dictionary: a process that cuts a query or two never loads it all)."""
    import jieba

    from knowledge.text.jieba_dictionary import load_full_dictionary, use_disk_dictionary

    global _initialised
    with _init_lock:
        first = not _initialised
        if first:
            jieba.setLogLevel(logging.WARNING)
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(cache_dir)
            _initialised = True
    if load:
        load_full_dictionary()
    elif first and cache_dir is not None:
        use_disk_dictionary(cache_dir)


@lru_cache(maxsize=4096)
def _cut(run: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.lcut(run, HMM=True))


def words(text: str, hmm: bool = True) -> list[str]:
    """jieba's cut of the text, every character kept (with ``hmm``, unknown words are joined from the text;
    without it, the cut is into dictionary words and single characters)."""
    import jieba

    if not _initialised:
        configure_jieba(None)
    return list(jieba.cut(text, HMM=hmm))


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
    import jieba

    if not _initialised:
        configure_jieba(None)
    total = jieba.dt.total
    return math.log(total / max(jieba.dt.FREQ.get(word, 0), 1))


def dictionary_word(word: str) -> bool:
    """The word is in jieba's dictionary (not a piece its HMM joined from the text, as 能批 or 天给)."""
    import jieba

    if not _initialised:
        configure_jieba(None)
    return jieba.dt.FREQ.get(word, 0) > 0
