"""BM25 (bm25s) over jieba tokens, rebuilt from the chunk store and persisted beside the Chroma index; for a small
collection the same directory holds the vectors in the same row order (see flat_vectors)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from knowledge.chunk_store import ChunkStore
from knowledge.filters import date_key, flat_metadata, supersede
from knowledge.flat_vectors import FILE as FLAT_FILE
from knowledge.flat_vectors import FLAT_MAX_CHUNKS, FlatVectors
from knowledge.vector_index import VectorIndex

_STATE = "state.json"


class LexicalIndex:
    """Search-side view of the BM25 index with per-chunk filter columns for masking."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.generation = -1
        self.ids: list[str] = []
        self.position: dict[str, int] = {}
        self._bm25: bm25s.BM25 | None = None
        self.flat: FlatVectors | None = None  # the saved vectors of these rows, when the collection is small
        self._columns: dict[str, np.ndarray] = {}
        self._mtime = 0.0

    @staticmethod
    def build(store: ChunkStore, directory: Path, vectors: VectorIndex | None = None) -> int:
        """Rebuild from the chunk store; the new index replaces the old one atomically. Returns chunk count.

        With `vectors` and at most FLAT_MAX_CHUNKS chunks, their vectors are saved too, in the same row order.
        """
        generation = store.generation()
        ids: list[str] = []
        corpus: list[list[str]] = []
        columns: dict[str, list[Any]] = {"effective": [], "expires": [], "superseded": []}
        fields: dict[str, list[str]] = {"category": [], "product": [], "region": []}
        flats: list[dict[str, Any]] = []
        successors: list[str | None] = []
        for cid, tokens, meta in store.iter_tokens():
            ids.append(cid)
            corpus.append(tokens or [""])
            flats.append(flat_metadata(meta))
            successors.append(str(meta["superseded_by"]) if meta.get("superseded_by") else None)
        supersede(flats, successors)
        for flat in flats:
            for name in columns:
                columns[name].append(flat[name])
            for name in fields:
                fields[name].append(str(flat.get(name, "")))
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if ids:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
            bm25.save(str(tmp / "bm25"))
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in {**columns, **fields}.items()}
        np.savez(tmp / "columns.npz", **arrays)
        (tmp / "ids.json").write_text(json.dumps(ids))
        if vectors is not None and 0 < len(ids) <= FLAT_MAX_CHUNKS:
            FlatVectors.load(vectors, ids).save(tmp)
        (tmp / _STATE).write_text(json.dumps({"generation": generation, "chunks": len(ids)}))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
        return len(ids)

    @staticmethod
    def built_generation(directory: Path) -> int:
        try:
            return int(json.loads((directory / _STATE).read_text())["generation"])
        except (OSError, ValueError, KeyError):
            return -1

    @staticmethod
    def has_vectors(directory: Path) -> bool:
        return (directory / FLAT_FILE).exists()

    def refresh(self) -> None:
        """(Re)load when another process rebuilt the index; a cheap stat when nothing changed."""
        try:
            mtime = (self.directory / _STATE).stat().st_mtime
        except OSError:
            self._bm25, self.ids, self.position, self.flat, self._mtime = None, [], {}, None, 0.0
            return
        if mtime == self._mtime:
            return
        state = json.loads((self.directory / _STATE).read_text())
        self.ids = json.loads((self.directory / "ids.json").read_text())
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        with np.load(self.directory / "columns.npz") as columns:
            self._columns = {name: columns[name] for name in columns.files}
        self._bm25 = bm25s.BM25.load(str(self.directory / "bm25")) if self.ids else None
        self.flat = FlatVectors.read(self.directory, self.ids)
        self.generation, self._mtime = int(state["generation"]), mtime

    def mask(self, filters: dict[str, list[str]], as_of: date | None) -> np.ndarray | None:
        """1.0 for chunks passing the filters, 0.0 otherwise; None when nothing is filtered."""
        if (not filters and as_of is None) or not self.ids:
            return None  # nothing to filter, or nothing indexed yet (search returns no lexical hits then)
        keep = np.ones(len(self.ids), dtype=bool)
        for name, values in filters.items():
            keep &= np.isin(self._columns[name], values)
        if as_of is not None:
            key = date_key(as_of)
            keep &= (self._columns["effective"] <= key) & (self._columns["expires"] >= key)
            keep &= ~self._columns["superseded"].astype(bool)
        return keep.astype(np.float32)

    def passing(self, hits: list[tuple[str, float]], mask: np.ndarray | None) -> list[tuple[str, float]]:
        """The hits whose chunks pass the mask (chunks unknown to this index are dropped)."""
        if mask is None:
            return hits
        return [(cid, s) for cid, s in hits if cid in self.position and mask[self.position[cid]] > 0]

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score."""
        if self._bm25 is None or not tokens:
            return []
        token_ids = self._bm25.get_tokens_ids(tokens)
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids, weight_mask=mask)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
