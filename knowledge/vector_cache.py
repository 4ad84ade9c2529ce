"""Content-hash cache of embedding vectors in the data directory: each distinct text is embedded once.

Keys are a digest of the embedding's identity, the text's role (query or passage) and the text itself, so two
embeddings never share a vector and a changed text is a new key. SQLite in WAL mode lets the ingest writer,
the API process and the agent worker read and add at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILE = "embeddings.db"
_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
_BATCH = 500


def cache_key(identity: str, role: str, text: str) -> bytes:
    return hashlib.blake2b(f"{identity}\x00{role}\x00{text}".encode(), digest_size=16).digest()


class MemoryVectorCache:
    """The same interface in process memory, for an embedding used without a data directory (bounded)."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        with self._lock:
            return {key: self._vectors[key] for key in keys if key in self._vectors}

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._lock:
            for key, vector in items:
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
            while len(self._vectors) > self.limit:
                self._vectors.popitem(last=False)

    def close(self) -> None:
        return None


class VectorCache:
    """float32 vectors by content key; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a lost vector is recomputed, never wrong
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), _BATCH):
                batch = list(keys[start : start + _BATCH])
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch)
                found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        rows = [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items]
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
