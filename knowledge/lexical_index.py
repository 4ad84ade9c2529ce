"""BM25 (bm25s) over jieba tokens, rebuilt from the chunk store and persisted beside the Chroma index; for a small
collection the same directory holds the vectors in the same row order (see flat_vectors).

Each build writes a new directory of its own (`bm25.<generation>.<random>`) and then points the symlink `bm25`
at it with one atomic rename, so a process searching the data directory meanwhile (the server, its agent
workers) loads either the old build or the new one, whole, and never a directory half replaced or missing. The
previous build is kept until the next one, for a reader still loading it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class LexicalBuild:
    """One build as loaded for searching: its rows, BM25 scores, filter columns and (small collections) vectors.
    Immutable, so a search that took it keeps a consistent view while another thread loads the next build."""

    generation: int = -1
    ids: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    bm25: bm25s.BM25 | None = None
    flat: FlatVectors | None = None  # the saved vectors of these rows, when the collection is small

    @classmethod
    def read(cls, directory: Path) -> LexicalBuild:
        state = json.loads((directory / _STATE).read_text())
        ids = json.loads((directory / "ids.json").read_text())
        with np.load(directory / "columns.npz") as saved:
            columns = {name: saved[name] for name in saved.files}
        bm25 = bm25s.BM25.load(str(directory / "bm25")) if ids else None
        position = {cid: i for i, cid in enumerate(ids)}
        return cls(int(state["generation"]), ids, position, columns, bm25, FlatVectors.read(directory, ids))

    def mask(self, filters: dict[str, list[str]], as_of: date | None) -> np.ndarray | None:
        """1.0 for chunks passing the filters, 0.0 otherwise; None when nothing is filtered."""
        if (not filters and as_of is None) or not self.ids:
            return None  # nothing to filter, or nothing indexed yet (search returns no lexical hits then)
        keep = np.ones(len(self.ids), dtype=bool)
        for name, values in filters.items():
            keep &= np.isin(self.columns[name], values)
        if as_of is not None:
            key = date_key(as_of)
            keep &= (self.columns["effective"] <= key) & (self.columns["expires"] >= key)
            keep &= ~self.columns["superseded"].astype(bool)
        return keep.astype(np.float32)

    def passing(self, hits: list[tuple[str, float]], mask: np.ndarray | None) -> list[tuple[str, float]]:
        """The hits whose chunks pass the mask (chunks unknown to this build are dropped)."""
        if mask is None:
            return hits
        return [(cid, s) for cid, s in hits if cid in self.position and mask[self.position[cid]] > 0]

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with a positive score."""
        if self.bm25 is None or not tokens:
            return []
        token_ids = self.bm25.get_tokens_ids(tokens)
        if not token_ids:
            return []
        scores = self.bm25.get_scores_from_ids(token_ids, weight_mask=mask)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


class LexicalIndex:
    """The current build of a data directory's BM25 index, reloaded when another process rebuilt it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.current = LexicalBuild()
        self._loaded: str | None = None  # which build `current` is (see _locate)
        self._lock = threading.Lock()

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
        build = directory.with_name(f"{directory.name}.{generation}.{uuid.uuid4().hex[:8]}")
        build.mkdir(parents=True)
        try:
            if ids:
                bm25 = bm25s.BM25()
                bm25.index(corpus, show_progress=False)
                bm25.save(str(build / "bm25"))
            arrays: dict[str, Any] = {k: np.asarray(v) for k, v in {**columns, **fields}.items()}
            np.savez(build / "columns.npz", **arrays)
            (build / "ids.json").write_text(json.dumps(ids))
            if vectors is not None and 0 < len(ids) <= FLAT_MAX_CHUNKS:
                FlatVectors.load(vectors, ids).save(build)
            (build / _STATE).write_text(json.dumps({"generation": generation, "chunks": len(ids)}))
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        _point(directory, build)
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

    def refresh(self) -> LexicalBuild:
        """The current build, (re)loaded when another process rebuilt the index; one readlink otherwise."""
        located = self._locate()
        if located is not None and located[1] == self._loaded:
            return self.current
        with self._lock:  # one thread loads a new build; the others then find it loaded
            for attempt in range(3):
                located = self._locate()
                if located is None:
                    self.current, self._loaded = LexicalBuild(), None
                    break
                if located[1] == self._loaded:
                    break
                try:
                    self.current, self._loaded = LexicalBuild.read(located[0]), located[1]
                    break
                except FileNotFoundError:  # replaced and removed while we read it: read the new one
                    if attempt == 2:
                        raise
            return self.current

    def _locate(self) -> tuple[Path, str] | None:
        """The directory of the current build and a key naming it; None when nothing was built yet."""
        try:
            target = os.readlink(self.directory)
        except FileNotFoundError:
            return None
        except OSError:  # a plain directory, built before builds were versioned
            try:
                mtime = (self.directory / _STATE).stat().st_mtime_ns
            except OSError:
                return None
            return self.directory, f"{self.directory}@{mtime}"
        return self.directory.parent / target, target


def _point(link: Path, build: Path) -> None:
    """Make `link` name `build` in one atomic rename, then remove the builds before the one it named."""
    previous: Path | None = None
    if link.is_symlink():
        previous = link.parent / os.readlink(link)
    elif link.exists():  # a plain directory from before versioned builds: it cannot be renamed over
        previous = link.with_name(f"{link.name}.unversioned")
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(link, previous)
    pointer = link.with_name(f"{link.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(build.name, pointer)
    os.replace(pointer, link)
    keep = {build.name, previous.name if previous is not None else ""}
    for old in link.parent.glob(f"{link.name}.*"):
        if old.is_symlink():  # a pointer left by a build that was cut off
            old.unlink(missing_ok=True)
        elif old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
