"""Exact vector search for small collections: the collection's vectors in one matrix, aligned with the lexical
index's rows so its filter mask applies directly.

A Chroma query costs ~1.5-2 ms however small the collection (measured on the 300-chunk sample corpus); a
matrix-vector product over a few thousand rows costs a fraction of that and is exact. The matrix is a cache
of what Chroma stores, never a second source of truth: saved with the BM25 index of the same generation (same
rows), so processes that read a data directory without opening its Chroma directory search it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.vector_index import VectorIndex

# Exact search up to this many chunks: 100k x 384 float32 is 150 MB, which fits these machines (24 GiB) in each
# process, and exact search loses no neighbour (HNSW at ef_construction 32 lost ~1 in 10 past 5,000 chunks).
FLAT_MAX_CHUNKS = 100_000
FILE = "vectors.npz"


class FlatVectors:
    """Unit-length vectors in lexical row order; rows Chroma does not hold (yet) never match."""

    def __init__(self, matrix: np.ndarray, present: np.ndarray, ids: Sequence[str]) -> None:
        self.matrix = matrix
        self.present = present
        self.ids = ids

    @classmethod
    def load(cls, vectors: VectorIndex, ids: Sequence[str]) -> FlatVectors:
        """Fetch the vectors of `ids` (the lexical index's rows) from Chroma."""
        found = vectors.vectors_of(list(ids))
        dim = len(next(iter(found.values()))) if found else 1
        matrix = np.zeros((len(ids), dim), dtype=np.float32)
        present = np.zeros(len(ids), dtype=bool)
        for row, cid in enumerate(ids):
            vector = found.get(cid)
            if vector is not None:
                matrix[row], present[row] = vector, True
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return cls(matrix, present, ids)

    def save(self, directory: Path) -> None:
        np.savez(directory / FILE, matrix=self.matrix, present=self.present)

    @classmethod
    def read(cls, directory: Path, ids: Sequence[str]) -> FlatVectors | None:
        """The vectors saved in `directory` for these rows, or None when none were saved (or they do not fit)."""
        try:
            with np.load(directory / FILE) as saved:
                matrix, present = saved["matrix"], saved["present"]
        except FileNotFoundError:
            return None
        if len(matrix) != len(ids) or len(present) != len(ids):
            return None
        return cls(matrix, present, ids)

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity) among rows passing `mask` (1.0 = keep)."""
        if k <= 0 or not len(self.ids):
            return []
        norm = float(np.linalg.norm(query))
        scores = self.matrix @ (query.astype(np.float32) / (norm or 1.0))
        keep = self.present if mask is None else self.present & (mask > 0)
        scores = np.where(keep, scores, -np.inf)
        k = min(k, int(keep.sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]
