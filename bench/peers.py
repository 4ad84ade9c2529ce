"""Peer benchmark (run by hand): the project's search against the LangChain hybrid a Python developer would build.

    uv run --extra bench python bench/peers.py    # the extra: langchain-classic, -community, -chroma, rank-bm25
    uv run --extra bench python bench/peers.py --json

Both systems index the sample corpus (knowledge/corpus/) with the same e5 embedding and answer the eval
retrieval questions (evals/datasets/retrieval.jsonl, answers_heldout.jsonl, answers_blind*.jsonl: the cases
with an `expected_source`). A case hits at k when its expected source, or one in `also_ok`, is the source of
one of the top k chunks.

- project: KnowledgeIndex + ingest + HybridRetriever, on the evals' fixed date (documents not in force then are
  filtered out, as in the eval suites);
- langchain: EnsembleRetriever (weighted RRF, equal weights) over BM25Retriever with jieba tokens and a Chroma
  store, Markdown files read with their front matter stripped and split by RecursiveCharacterTextSplitter.
  Its sub-retrievers fetch k each (the usual set-up) and, in a second row, 40 each (the project's pool).

Passage vectors are cached under --cache-dir; query vectors are computed every time, so latencies include them.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
from _e5 import DEFAULT_CACHE, cache_file, cached_e5, embed_queries_afresh, ingested_index  # bench/_e5.py
from chromadb.config import Settings
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from evals.context import EVAL_DATE
from knowledge.embedding import E5Embedding
from knowledge.retriever import HybridRetriever
from knowledge.tokenize import configure_jieba

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "knowledge" / "corpus"
DATASETS = ROOT / "evals" / "datasets"
DATASET_GLOBS = ("retrieval.jsonl", "answers_heldout.jsonl", "answers_blind*.jsonl")
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", " ", ""]
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
Search = Callable[[str, int], list[str]]  # query, k -> sources of the top k chunks


@dataclass(frozen=True)
class Case:
    dataset: str
    question: str
    wanted: frozenset[str]


@dataclass
class Outcome:
    name: str
    build_s: float
    chunks: int
    hits: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)  # dataset -> (hit@1, hit@k)
    latencies_ms: list[float] = field(default_factory=list)


class LangChainE5(Embeddings):
    """The project's e5 embedding behind LangChain's interface: documents as passages, queries as queries."""

    def __init__(self, embedding: E5Embedding) -> None:
        self.embedding = embedding

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in v] for v in self.embedding(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedding.embed_query([text])[0]]


def load_cases(folder: Path) -> list[Case]:
    cases: list[Case] = []
    for pattern in DATASET_GLOBS:
        for path in sorted(folder.glob(pattern)):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                if row.get("expected_source"):
                    wanted = frozenset([row["expected_source"], *row.get("also_ok", [])])
                    cases.append(Case(path.stem, row["question"], wanted))
    return cases


def build_project(corpus: Path, workdir: Path, cache: Path, closing: ExitStack) -> tuple[Search, int]:
    index, report = ingested_index(corpus, workdir / "project", cache, closing)
    retriever = HybridRetriever(index, today=lambda: EVAL_DATE)

    def search(query: str, k: int) -> list[str]:
        return [r.source for r in retriever.search(query, k=k)]

    return search, report.chunks_written


def jieba_words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


def build_langchain(corpus: Path, workdir: Path, embedding: E5Embedding, k: int) -> tuple[Any, int]:
    """EnsembleRetriever(BM25Retriever, Chroma retriever) as the LangChain docs show it; returns it and its size."""
    try:
        from langchain_chroma import Chroma
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError as exc:
        raise SystemExit(f"{exc}: run with the bench extra (uv run --extra bench python bench/peers.py)") from exc

    docs = [
        Document(FRONT_MATTER.sub("", p.read_text(encoding="utf-8")).strip(), metadata={"source": source})
        for p in sorted(corpus.rglob("*.md"))
        if not (source := p.relative_to(corpus).as_posix()).startswith(".")
    ]
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=450, chunk_overlap=80, separators=SEPARATORS, keep_separator="end"
    )
    chunks = splitter.split_documents(docs)
    bm25 = BM25Retriever.from_documents(chunks, preprocess_func=jieba_words, k=k)
    store = Chroma.from_documents(
        chunks,
        embedding=LangChainE5(embedding),
        collection_name="peers",
        persist_directory=str(workdir / "langchain"),
        client_settings=Settings(anonymized_telemetry=False, is_persistent=True),
    )
    vector = store.as_retriever(search_kwargs={"k": k})
    return EnsembleRetriever(retrievers=[bm25, vector], weights=[0.5, 0.5]), len(chunks)


def set_pool(ensemble: Any, pool: int) -> None:
    """How many chunks each of the ensemble's retrievers fetches before fusion."""
    bm25, vector = ensemble.retrievers
    bm25.k = pool
    vector.search_kwargs = {"k": pool}


def evaluate(outcome: Outcome, search: Search, cases: list[Case], k: int) -> Outcome:
    for case in cases[:3]:  # warm-up
        search(case.question, k)
    for case in cases:
        start = time.perf_counter()
        sources = search(case.question, k)[:k]
        outcome.latencies_ms.append((time.perf_counter() - start) * 1000)
        hit1 = bool(sources) and sources[0] in case.wanted
        outcome.hits.setdefault(case.dataset, []).append((hit1, any(s in case.wanted for s in sources)))
    return outcome


def summary(outcome: Outcome, k: int) -> dict[str, Any]:
    every = [h for rows in outcome.hits.values() for h in rows]
    lat = sorted(outcome.latencies_ms)

    def rate(rows: list[tuple[bool, bool]], i: int) -> float:
        return round(sum(r[i] for r in rows) / len(rows), 4)

    return {
        "system": outcome.name,
        "cases": len(every),
        "hit@1": rate(every, 0),
        f"hit@{k}": rate(every, 1),
        "p50_ms": round(statistics.median(lat), 2),
        "p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2),
        "build_s": round(outcome.build_s, 2),
        "chunks": outcome.chunks,
        "datasets": {
            name: {"cases": len(r), "hit@1": rate(r, 0), f"hit@{k}": rate(r, 1)} for name, r in outcome.hits.items()
        },
    }


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    cases = load_cases(args.datasets)
    if not cases:
        raise SystemExit(f"no cases with an expected_source under {args.datasets}")
    cache = cache_file(args.cache_dir)
    workdir = Path(tempfile.mkdtemp(prefix="finassist-peers-"))
    results: list[dict[str, Any]] = []
    with ExitStack() as closing:
        closing.callback(shutil.rmtree, workdir, ignore_errors=True)
        configure_jieba(workdir / "jieba")  # before any timing: the dictionary load is nobody's build cost
        start = time.perf_counter()
        project, chunks = build_project(args.corpus, workdir, cache, closing)
        project_s = time.perf_counter() - start
        embedding, vectors = cached_e5(cache)
        closing.callback(vectors.close)
        start = time.perf_counter()
        ensemble, lc_chunks = build_langchain(args.corpus, workdir, embedding, args.k)
        langchain_s = time.perf_counter() - start
        embed_queries_afresh(embedding)
        print(f"  built: project {project_s:.1f} s, langchain {langchain_s:.1f} s", file=sys.stderr, flush=True)

        def lc_search(query: str, k: int) -> list[str]:
            return [str(d.metadata["source"]) for d in ensemble.invoke(query)]

        runs: list[tuple[str, float, int, Search, int | None]] = [
            ("project (HybridRetriever)", project_s, chunks, project, None),
            (f"langchain ensemble ({args.k} each)", langchain_s, lc_chunks, lc_search, args.k),
            (f"langchain ensemble ({args.pool} each)", langchain_s, lc_chunks, lc_search, args.pool),
        ]
        for name, built, size, search, pool in runs:
            if pool is not None:
                set_pool(ensemble, pool)
            results.append(summary(evaluate(Outcome(name, built, size), search, cases, args.k), args.k))
    return results


def print_tables(results: list[dict[str, Any]], k: int) -> None:
    head = f"{'cases':>5} {'hit@1':>6} {f'hit@{k}':>6} {'p50 ms':>7} {'p95 ms':>7} {'build s':>8} {'chunks':>6}"
    print(f"{'system':<30} {head}")
    for r in results:
        print(
            f"{r['system']:<30} {r['cases']:>5} {r['hit@1']:>6.3f} {r[f'hit@{k}']:>6.3f} {r['p50_ms']:>7.2f} "
            f"{r['p95_ms']:>7.2f} {r['build_s']:>8.1f} {r['chunks']:>6}"
        )
    print()
    names = list(results[0]["datasets"])
    print(
        f"{'hit@1 / hit@' + str(k):<30} "
        + " ".join(f"{n + ' (' + str(results[0]['datasets'][n]['cases']) + ')':>26}" for n in names)
    )
    for r in results:
        cells = [f"{r['datasets'][n]['hit@1']:.3f} / {r['datasets'][n][f'hit@{k}']:.3f}" for n in names]
        print(f"{r['system']:<30} " + " ".join(f"{c:>26}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=5, help="results per query (hit@k depth)")
    parser.add_argument("--pool", type=int, default=40, help="per-retriever fetch of the second langchain row")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = run(args)
    if args.json:
        print(json.dumps({"k": args.k, "results": results}, ensure_ascii=False, indent=2))
    else:
        print_tables(results, args.k)


if __name__ == "__main__":
    main()
