"""Embedding functions for Chroma: a local hashing embedding (no download) and any OpenAI-compatible endpoint.

Both are registered with Chroma under fixed names, so a reopened collection finds its function and Chroma never
falls back to its default (which downloads an ONNX model and fails offline).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.hashing import hashing_vector


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
