"""SQLite store of ingested files and their chunks (text, tokens, filter fields): the lexical side's source
of truth and the manifest that makes re-ingest incremental. Each file is replaced in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.types import Chunk, embedding_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, root TEXT NOT NULL, sha256 TEXT NOT NULL, chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL, heading TEXT NOT NULL,
    text TEXT NOT NULL, tokens TEXT NOT NULL, metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileRecord:
    source: str
    root: str
    sha256: str
    chunks: int


@dataclass(frozen=True)
class StoredChunk:
    id: str
    source: str
    heading: str
    text: str
    metadata: dict[str, Any]

    def as_chunk(self) -> Chunk:
        return Chunk(self.id, self.text, self.source, self.heading, 0, len(self.text), self.metadata)

    def embed_text(self) -> str:
        return embedding_text(str(self.metadata.get("title", "")), self.heading, self.text)


class ChunkStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def files(self, root: str | None = None) -> dict[str, FileRecord]:
        sql, args = "SELECT source, root, sha256, chunks FROM files", tuple[str, ...]()
        if root is not None:
            sql, args = sql + " WHERE root = ?", (root,)
        return {row[0]: FileRecord(*row) for row in self._db.execute(sql, args)}

    def chunk_ids(self, source: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE source = ?", (source,))]

    def replace_files(self, files: list[tuple[FileRecord, list[Chunk], list[list[str]]]]) -> None:
        """Replace several files' chunks and manifest rows in one transaction."""
        with self._transaction():
            for record, chunks, tokens in files:
                rows = [
                    (c.id, c.source, i, c.heading, c.text, " ".join(t), json.dumps(c.metadata, ensure_ascii=False))
                    for i, (c, t) in enumerate(zip(chunks, tokens, strict=True))
                ]
                self._db.execute("DELETE FROM chunks WHERE source = ?", (record.source,))
                self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.execute(
                    "INSERT OR REPLACE INTO files(source, root, sha256, chunks) VALUES (?, ?, ?, ?)",
                    (record.source, record.root, record.sha256, record.chunks),
                )
            self._bump_generation()

    def remove_file(self, source: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM chunks WHERE source = ?", (source,))
            self._db.execute("DELETE FROM files WHERE source = ?", (source,))
            self._bump_generation()

    def all_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT id FROM chunks")}

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def iter_tokens(self) -> Iterator[tuple[str, list[str], dict[str, Any]]]:
        for cid, tokens, meta in self._db.execute("SELECT id, tokens, metadata FROM chunks ORDER BY rowid"):
            yield cid, tokens.split(" ") if tokens else [], json.loads(meta)

    def get(self, ids: list[str]) -> dict[str, StoredChunk]:
        out: dict[str, StoredChunk] = {}
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            sql = f"SELECT id, source, heading, text, metadata FROM chunks WHERE id IN ({marks})"
            for cid, source, heading, text, meta in self._db.execute(sql, batch):
                out[cid] = StoredChunk(cid, source, heading, text, json.loads(meta))
        return out

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        """Forget every file and chunk (a rebuild with another embedding re-ingests them)."""
        with self._transaction():
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM files")
            self._bump_generation()

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def _bump_generation(self) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
