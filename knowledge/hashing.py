"""The local hashing embedding's vector function (numpy only, so ingest workers need not import Chroma)."""

from __future__ import annotations

import re
import zlib

import numpy as np

_WORD_RE = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?")
_BIGRAM_WEIGHT = 1.5
_WORD_WEIGHT = 1.2
_BIGRAM_TAG = np.uint64(1 << 40)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a stable, well-spread hash of uint64 values (wrapping arithmetic)."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hashing_vector(text: str, dim: int) -> np.ndarray:
    """L2-normalised signed feature-hashing vector of CJK unigrams+bigrams, Latin words and numbers.

    Hashes are computed from code points with fixed arithmetic, so vectors are identical across processes.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    cjk = (points >= 0x4E00) & (points <= 0x9FFF)
    pairs = cjk[:-1] & cjk[1:]
    bigrams = points[:-1][pairs] * np.uint64(0x10001) + points[1:][pairs] + _BIGRAM_TAG
    words = [zlib.crc32(w.lower().encode()) | (1 << 48) for w in _WORD_RE.findall(text)]
    features = np.concatenate([points[cjk], bigrams, np.asarray(words, dtype=np.uint64)])
    weights = np.concatenate(
        [np.ones(int(cjk.sum())), np.full(len(bigrams), _BIGRAM_WEIGHT), np.full(len(words), _WORD_WEIGHT)]
    )
    hashed = _mix(features)
    signs = np.where(hashed >> np.uint64(63), 1.0, -1.0)
    vec = np.bincount((hashed % np.uint64(dim)).astype(np.int64), weights=signs * weights, minlength=dim)
    norm = float(np.linalg.norm(vec))
    return (vec / norm if norm else vec).astype(np.float32)
