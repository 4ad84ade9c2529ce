"""Embedding functions for Chroma: a local hashing embedding (no download) and any OpenAI-compatible endpoint.

Both are registered with Chroma under fixed names, so a reopened collection finds its function and Chroma never
falls back to its default (which downloads an ONNX model and fails offline).
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

_FEATURE_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
_BIGRAM_WEIGHT = 1.5
_WORD_WEIGHT = 1.2


@lru_cache(maxsize=200_000)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """Bucket and sign of a feature, from a hash that is stable across processes (unlike hash())."""
    h = zlib.crc32(feature.encode())
    return h % dim, (1.0 if h & 0x80000000 else -1.0)


def _features(text: str) -> list[tuple[str, float]]:
    feats: list[tuple[str, float]] = []
    for run in _FEATURE_RE.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            feats.extend((ch, 1.0) for ch in run)
            feats.extend((run[i : i + 2], _BIGRAM_WEIGHT) for i in range(len(run) - 1))
        else:
            feats.append((run.lower(), _WORD_WEIGHT))
    return feats


def hashing_vector(text: str, dim: int) -> np.ndarray:
    """L2-normalised signed feature-hashing vector of CJK unigrams+bigrams, Latin words and numbers."""
    vec = np.zeros(dim, dtype=np.float32)
    for feature, weight in _features(text):
        index, sign = _slot(feature, dim)
        vec[index] += sign * weight
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


@register_embedding_function
class HashingEmbedding(EmbeddingFunction[Documents]):
    """Deterministic local embedding; needs no model and no network."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        return [hashing_vector(text, self.dim) for text in input]

    @staticmethod
    def name() -> str:
        return "finassist-hashing"

    def default_space(self) -> Space:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        return HashingEmbedding(dim=int(config.get("dim", 512)))


@register_embedding_function
class OpenAICompatibleEmbedding(EmbeddingFunction[Documents]):
    """Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Qwen, vLLM, Ollama …)."""

    def __init__(
        self, model: str, base_url: str | None = None, api_key: str | None = None, timeout: float = 30.0
    ) -> None:
        from openai import OpenAI

        self.model, self.base_url, self.timeout = model, base_url, timeout
        self._client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=2)

    def __call__(self, input: Documents) -> Embeddings:
        vectors: list[np.ndarray] = []
        for start in range(0, len(input), 256):
            response = self._client.embeddings.create(model=self.model, input=list(input[start : start + 256]))
            ordered = sorted(response.data, key=lambda item: item.index)
            vectors.extend(np.asarray(item.embedding, dtype=np.float32) for item in ordered)
        return vectors

    @staticmethod
    def name() -> str:
        return "finassist-openai-compatible"

    def default_space(self) -> Space:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        # The key is never persisted with the collection; it is supplied again when the index is opened.
        return {"model": self.model, "base_url": self.base_url, "timeout": self.timeout}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbedding:
        return OpenAICompatibleEmbedding(
            model=config["model"], base_url=config.get("base_url"), timeout=config.get("timeout", 30.0)
        )
