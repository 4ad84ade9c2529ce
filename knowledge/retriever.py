"""Hybrid retrieval: BM25 over jieba tokens and vector search, fused by reciprocal rank, filtered by metadata
and by the documents' effective period."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from knowledge.filters import chroma_where, normalise_filters
from knowledge.flat_vectors import FLAT_MAX_CHUNKS, FlatVectors
from knowledge.index import KnowledgeIndex
from knowledge.lexical_index import LexicalBuild
from knowledge.text import plain_text
from knowledge.tokenize import tokenize
from knowledge.types import SearchResult

SNIPPET_CHARS = 120
# Largest unfiltered neighbour fetch before filtering moves into Chroma (measured: k=250 ~2 ms, `where` 1-4 ms).
UNFILTERED_FETCH_CAP = 600
# The vector ranking's weight in the fusion, BM25's being 1. Chosen on the blind dev set with e5 vectors (hit@1
# 0.878 for weights 0.3-1.0, hit@5 0.988 at 0.3-0.5 against 0.963 at 1.0; BM25 alone 0.817 / 0.988; rrf_k
# 20-100 made no difference): see docs/reader.md.
VECTOR_WEIGHT = 0.5


def snippet(text: str, tokens: list[str], width: int = SNIPPET_CHARS) -> str:
    """A window of the text, without its Markdown markup, around the first occurrence of the longest query token."""
    body = plain_text(text).replace("\n", " ")
    hits = [(body.find(t), t) for t in sorted(tokens, key=len, reverse=True) if len(t) > 1 and t in body]
    start = max(0, hits[0][0] - width // 4) if hits else 0
    piece = body[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


class HybridRetriever:
    """`search(query)` returns cited-ready results; documents not in force today are excluded by default."""

    def __init__(
        self,
        index: KnowledgeIndex,
        *,
        candidates: int = 40,
        rrf_k: int = 60,
        vector_weight: float = VECTOR_WEIGHT,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.index = index
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.vector_weight = vector_weight
        self.today = today
        self._flat: FlatVectors | None = None
        self._flat_generation = -1
        self._flat_lock = threading.Lock()

    def search(
        self,
        query: str,
        k: int = 5,
        filters: dict[str, Any] | None = None,
        as_of: date | None = None,
        include_inactive: bool = False,
    ) -> list[SearchResult]:
        if k < 1:
            raise ValueError("k must be at least 1")
        query = query.strip()
        if not query:
            return []
        wanted = normalise_filters(filters)
        on = None if include_inactive else (as_of or self.today())
        build = self.index.lexical.refresh()  # this search's view, whatever another thread reloads meanwhile
        tokens = tokenize(query)
        pool = max(self.candidates, k)
        mask = build.mask(wanted, on)
        lexical = build.search(tokens, pool, mask)
        vector = self._vector_hits(query, pool, wanted, on, mask, build)
        fused: dict[str, float] = {}
        for weight, ranking in ((1.0, lexical), (self.vector_weight, vector)):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + weight / (self.rrf_k + rank + 1)
        top = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        stored = self.index.chunks.get(top)
        bm25, cosine = dict(lexical), dict(vector)
        results = []
        for cid in top:
            if cid not in stored:  # the vector side can briefly hold a chunk the store has replaced
                continue
            chunk = stored[cid]
            meta = {**chunk.metadata, "bm25": bm25.get(cid, 0.0), "similarity": cosine.get(cid, 0.0)}
            results.append(
                SearchResult(
                    chunk_id=cid,
                    source=chunk.source,
                    title=str(chunk.metadata.get("title", "")),
                    heading=chunk.heading,
                    text=chunk.text,
                    snippet=snippet(chunk.text, tokens),
                    score=round(fused[cid], 6),
                    metadata=meta,
                )
            )
        return results

    def agreement(self, score: float) -> float:
        """A result's fused score as a share of the best attainable one (first in both rankings): near 1 when
        keywords and meaning both put it at the top, about 0.67 for first by keywords alone, 0.33 for first by
        meaning alone. Comparable across queries, unlike the raw fused number."""
        best = (1.0 + self.vector_weight) / (self.rrf_k + 1)
        return max(0.0, min(1.0, score / best))

    def _flat_vectors(self, build: LexicalBuild) -> FlatVectors | None:
        """The exact in-memory vectors when the collection is small (see flat_vectors), for this build."""
        if not 0 < len(build.ids) <= FLAT_MAX_CHUNKS:
            return None
        if build.flat is not None:  # saved with this BM25 index
            return build.flat
        with self._flat_lock:  # an index built before vectors were saved with it: fetch them from Chroma
            if self._flat_generation != build.generation:
                self._flat = FlatVectors.load(self.index.vectors, build.ids)
                self._flat_generation = build.generation
            return self._flat

    def _vector_hits(
        self,
        query: str,
        pool: int,
        wanted: dict[str, list[str]],
        on: date | None,
        mask: np.ndarray | None,
        build: LexicalBuild,
    ) -> list[tuple[str, float]]:
        """Nearest chunks passing the filters: exact in memory for a small collection, else from Chroma.

        Chroma's `where` pre-filter costs several ms even on small collections, so fetch enough unfiltered
        neighbours to expect `pool` survivors (sized by the share of chunks that pass) and filter them with the
        in-memory columns. Only when that fetch would be too large, or too few survive, ask Chroma to filter by
        the fields it keeps (category, product, region; see vector_metadata) and apply the date window here.
        """
        flat = self._flat_vectors(build)
        if flat is not None:
            return flat.search(self.index.vectors.embed_query(query), pool, mask)
        if mask is None:
            return self.index.vectors.query(query, pool, None)
        total, passing = len(mask), int(mask.sum())
        if passing == 0:
            return []
        fetch = min(total, math.ceil(pool * 1.3 * total / passing))
        if fetch <= UNFILTERED_FETCH_CAP or not wanted:
            hits = build.passing(self.index.vectors.query(query, fetch, None), mask)
            if len(hits) >= min(pool, passing) or fetch >= total:
                return hits[:pool]
            if not wanted:  # only the date window filters: widen the unfiltered fetch to everything
                return build.passing(self.index.vectors.query(query, total, None), mask)[:pool]
        fields = build.mask(wanted, None)
        in_fields = int(fields.sum()) if fields is not None else total
        where = chroma_where(wanted)
        fetch = min(in_fields, math.ceil(pool * 1.3 * in_fields / passing))
        hits = build.passing(self.index.vectors.query(query, fetch, where), mask)
        if len(hits) < min(pool, passing) and fetch < in_fields:
            hits = build.passing(self.index.vectors.query(query, in_fields, where), mask)
        return hits[:pool]
