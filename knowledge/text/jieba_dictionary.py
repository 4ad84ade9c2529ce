"""jieba's prefix dictionary read word by word from SQLite, for processes that cut little text.

jieba keeps its dictionary as one dict of ~500k words and word prefixes (frequency, 0 for a bare prefix) and
loads all of it before cutting anything: 1.3-1.4 s of CPU from its own cache file on these machines, most of
what `finassist search` spent. Cutting a text only ever looks up the text's own substrings, so a short query
needs a few hundred of those entries. `use_disk_dictionary` puts a read-only mapping over a SQLite copy of the
same dictionary (built once from jieba's cache, beside it) in jieba's place; every lookup answers exactly what
the full dict answers, so cuts are identical. A process that turns out to cut a lot (past FULL_AFTER lookups)
loads the full dict after all, and `load_full_dictionary` does so on purpose (servers, ingest workers).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

import jieba

FILE = "jieba.freq.db"
JIEBA_CACHE = "jieba.cache"  # what jieba names its cache of the default dictionary
# Lookups before the full dict is loaded after all: ~0.2 s of SQLite reads here, far past a query's few hundred.
FULL_AFTER = 10_000
_lock = threading.Lock()


def _source_key(cache_dir: Path) -> str:
    """What the copy was made from: jieba's version and its cache file's size and modification time."""
    stat = (cache_dir / JIEBA_CACHE).stat()
    return f"jieba {jieba.__version__}; {JIEBA_CACHE} {stat.st_size} {stat.st_mtime_ns}"


class DiskFrequencies(Mapping[str, int]):
    """jieba's FREQ, read from the SQLite copy as asked (each word once); the full dict after FULL_AFTER reads."""

    def __init__(self, path: Path, cache_dir: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._cache_dir = cache_dir
        self._seen: dict[str, int | None] = {}
        self._reads = 0
        self._full: dict[str, int] | None = None
        self._db_lock = threading.Lock()

    def total(self) -> int:
        return int(self._meta("total"))

    def source(self) -> str:
        return self._meta("source")

    def _meta(self, name: str) -> str:
        with self._db_lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise KeyError(name)
        return str(row[0])

    def _lookup(self, word: str) -> int | None:
        if self._full is not None:
            return self._full.get(word)
        try:
            return self._seen[word]
        except KeyError:
            pass
        with self._db_lock:
            row = self._db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
        found = None if row is None else int(row[0])
        self._seen[word] = found
        self._reads += 1
        if self._reads >= FULL_AFTER:
            self._full = load_full_dictionary()
        return found

    def __getitem__(self, word: str) -> int:
        found = self._lookup(word)
        if found is None:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def get(self, word: str, default: Any = None) -> Any:
        found = self._lookup(word)
        return default if found is None else found

    def __iter__(self) -> Iterator[str]:
        with self._db_lock:
            words = [row[0] for row in self._db.execute("SELECT word FROM freq")]
        return iter(words)

    def __len__(self) -> int:
        with self._db_lock:
            return int(self._db.execute("SELECT count(*) FROM freq").fetchone()[0])

    def close(self) -> None:
        with self._db_lock:
            self._db.close()


def _write_copy(cache_dir: Path, freq: dict[str, int], total: int) -> None:
    """The SQLite copy of (freq, total), written to a temporary file and renamed into place (readers never see
    half a file; two writers at once each write a whole one)."""
    path = cache_dir / FILE
    partial = path.with_name(f"{FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(partial)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("total", str(total)), ("source", _source_key(cache_dir))]
            )
            db.commit()
        finally:
            db.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _open_copy(cache_dir: Path) -> DiskFrequencies | None:
    """The copy in cache_dir when it matches jieba's cache there, else None."""
    path = cache_dir / FILE
    if not path.exists() or not (cache_dir / JIEBA_CACHE).exists():
        return None
    try:
        disk = DiskFrequencies(path, cache_dir)
        if disk.source() == _source_key(cache_dir):
            return disk
        disk.close()
    except (sqlite3.Error, KeyError, OSError):
        pass
    return None


def use_disk_dictionary(cache_dir: Path) -> None:
    """Give jieba the SQLite copy in cache_dir (built now from the full dictionary when missing or stale, which
    then stays loaded in this process). Nothing changes when jieba has its dictionary loaded already."""
    with _lock:
        if jieba.dt.initialized:
            return
        disk = _open_copy(cache_dir)
        if disk is not None:
            jieba.dt.FREQ, jieba.dt.total = disk, disk.total()
            jieba.dt.initialized = True
            return
    load_full_dictionary()
    with suppress(sqlite3.Error, OSError):  # a read-only data directory: this process keeps the full dict, no copy
        _write_copy(cache_dir, jieba.dt.FREQ, jieba.dt.total)


def load_full_dictionary() -> dict[str, int]:
    """jieba's whole dictionary in memory (replacing the disk copy, if in use); the same dict on later calls."""
    with _lock:
        current = jieba.dt.FREQ
        if jieba.dt.initialized and isinstance(current, dict):
            return current
        if not jieba.dt.initialized:
            jieba.dt.initialize()
            return jieba.dt.FREQ  # type: ignore[no-any-return]
        loader = jieba.Tokenizer()  # jieba's own loader, from the cache file of the same directory
        loader.tmp_dir = jieba.dt.tmp_dir
        loader.initialize()
        jieba.dt.FREQ = loader.FREQ  # threads cutting meanwhile read the same answers from either
        return loader.FREQ  # type: ignore[no-any-return]
