"""Paraphrase benchmark (run by hand): FAQ-style retrieval on a public paraphrase set (LCQMC or ATEC test file).

    uv run python bench/paraphrase.py /tmp/lcqmc_test.txt               # 500 queries, every system
    uv run python bench/paraphrase.py /tmp/atec_test.csv --format atec --queries 200 --json

The first N positive pairs give the queries (text_a) and their right answers (text_b). Every distinct sentence
of the file except the query sentences becomes one FAQ entry. A query hits at k when its text_b is among the
top k entries. Systems: the project's search (HybridRetriever over an ingested index, E5 vectors), plain
jieba + BM25 (bm25s over `tokenize`), e5 alone (exact cosine over the entry matrix), and the last two fused by
reciprocal rank with the project's pool, constant and vector weight (the project's fusion over exact parts).

The data is read from the given path and never copied into the repository. Vectors are cached under
--cache-dir, so only the first run embeds the entries (~30 ms each); queries are always embedded afresh, so
latencies include the query embedding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
from _e5 import DEFAULT_CACHE, cache_file, cached_e5, embed_queries_afresh, ingested_index  # bench/_e5.py

from knowledge import retriever as retriever_module
from knowledge.retriever import HybridRetriever
from knowledge.tokenize import configure_jieba, tokenize

ENTRY_TITLE = "常见问题"  # one title for every FAQ entry, as a real FAQ collection would have
SYSTEMS = ("project", "bm25", "e5", "fused")
Search = Callable[[str, int], list[int]]  # query, k -> entry numbers, best first


@dataclass
class Dataset:
    queries: list[str]
    answers: list[int]  # entry number of each query's text_b
    entries: list[str]


@dataclass
class SystemResult:
    name: str
    build_s: float
    hits1: int = 0
    hits_k: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def row(self, n: int, k: int) -> dict[str, float | str]:
        lat = sorted(self.latencies_ms)
        return {
            "system": self.name,
            "hit@1": round(self.hits1 / n, 4),
            f"hit@{k}": round(self.hits_k / n, 4),
            "build_s": round(self.build_s, 2),
            "p50_ms": round(statistics.median(lat), 2),
            "p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2),
        }


def read_pairs(path: Path, fmt: str) -> list[tuple[str, str, str]]:
    """(text_a, text_b, label) rows; `fmt` is lcqmc (no header), atec (header) or auto."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    rows = [line.split("\t") for line in lines if line.strip()]
    has_header = fmt == "atec" or (fmt == "auto" and rows and rows[0][-1].strip() not in ("0", "1"))
    if has_header:
        rows = rows[1:]
    bad = [r for r in rows if len(r) < 3]
    if bad:
        raise SystemExit(f"{path}: {len(bad)} rows lack three tab-separated fields")
    return [(r[0].strip(), r[1].strip(), r[2].strip()) for r in rows]


def build_dataset(pairs: list[tuple[str, str, str]], n: int) -> Dataset:
    """First n positive pairs whose answer is not another query (it must stay in the index) and vice versa."""
    chosen: list[tuple[str, str]] = []
    queries: set[str] = set()
    answers: set[str] = set()
    for a, b, label in pairs:
        if len(chosen) == n:
            break
        if label != "1" or a == b or a in queries or a in answers or b in queries:
            continue
        chosen.append((a, b))
        queries.add(a)
        answers.add(b)
    seen = dict.fromkeys(s for a, b, _ in pairs for s in (a, b) if s and s not in queries)
    entries = list(seen)
    number = {text: i for i, text in enumerate(entries)}
    return Dataset([a for a, _ in chosen], [number[b] for _, b in chosen], entries)


def _top(scores: np.ndarray, k: int) -> list[int]:
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]


def project_search(data: Dataset, workdir: Path, cache: Path, closing: ExitStack) -> Search:
    """Each entry as a Markdown file, ingested into a fresh index; searched with HybridRetriever."""
    folder = workdir / "faq"
    folder.mkdir(parents=True)
    for i, text in enumerate(data.entries):
        (folder / f"{i:06d}.md").write_text(f"---\ntitle: {ENTRY_TITLE}\n---\n\n{text}\n", encoding="utf-8")
    index, _ = ingested_index(folder, workdir / "data", cache, closing)
    retriever = HybridRetriever(index)

    def search(query: str, k: int) -> list[int]:
        return [int(Path(r.source).stem) for r in retriever.search(query, k=k)]

    return search


def bm25_search(data: Dataset) -> Search:
    """bm25s over the project's jieba tokens (stopwords dropped), nothing else."""
    model = bm25s.BM25()
    model.index([tokenize(e) or [""] for e in data.entries], show_progress=False)

    def search(query: str, k: int) -> list[int]:
        ids = model.get_tokens_ids(tokenize(query))
        if not ids:
            return []
        scores = model.get_scores_from_ids(ids)
        return [i for i in _top(scores, k) if scores[i] > 0]

    return search


def e5_search(data: Dataset, cache: Path) -> Search:
    """Exact cosine between the query vector and every entry's (raw sentence) passage vector."""
    embedding, vectors = cached_e5(cache)
    matrix = np.stack([np.asarray(v, dtype=np.float32) for v in embedding(data.entries)])
    embed_queries_afresh(embedding)
    vectors.close()

    def search(query: str, k: int) -> list[int]:
        vector = np.asarray(embedding.embed_query([query])[0], dtype=np.float32)
        return _top(matrix @ vector, k)

    return search


def fused_search(data: Dataset, cache: Path, weight: float, pool: int = 40, rrf_k: int = 60) -> Search:
    """The two above fused by weighted reciprocal rank over their top `pool` (the project's defaults), all exact."""
    lexical, vector = bm25_search(data), e5_search(data, cache)

    def search(query: str, k: int) -> list[int]:
        fused: dict[int, float] = {}
        for w, ranking in ((1.0, lexical(query, pool)), (weight, vector(query, pool))):
            for rank, entry in enumerate(ranking):
                fused[entry] = fused.get(entry, 0.0) + w / (rrf_k + rank + 1)
        return sorted(fused, key=lambda e: fused[e], reverse=True)[:k]

    return search


def evaluate(result: SystemResult, search: Search, data: Dataset, k: int) -> SystemResult:
    for query in data.queries[:3]:  # warm-up: first-call costs are not query latency
        search(query, k)
    for query, answer in zip(data.queries, data.answers, strict=True):
        start = time.perf_counter()
        top = search(query, k)
        result.latencies_ms.append((time.perf_counter() - start) * 1000)
        result.hits1 += bool(top) and top[0] == answer
        result.hits_k += answer in top[:k]
    return result


def run(args: argparse.Namespace) -> tuple[Dataset, list[dict[str, float | str]]]:
    data = build_dataset(read_pairs(args.path, args.format), args.queries)
    cache = cache_file(args.cache_dir)
    workdir = Path(tempfile.mkdtemp(prefix="finassist-paraphrase-"))
    rows: list[dict[str, float | str]] = []
    w = args.vector_weight
    with ExitStack() as closing:
        closing.callback(shutil.rmtree, workdir, ignore_errors=True)
        configure_jieba(workdir / "jieba")  # before any timing: the dictionary load is nobody's build cost
        builds: dict[str, tuple[str, Callable[[], Search]]] = {
            "project": ("project (HybridRetriever, e5)", lambda: project_search(data, workdir, cache, closing)),
            "bm25": ("jieba + bm25s", lambda: bm25_search(data)),
            "e5": ("e5 alone (exact cosine)", lambda: e5_search(data, cache)),
            "fused": (f"bm25s + e5, RRF w={w:g} (exact)", lambda: fused_search(data, cache, w)),
        }
        for key, (name, build) in builds.items():
            if key not in args.systems:
                continue
            start = time.perf_counter()
            search = build()
            built = time.perf_counter() - start
            print(f"  built: {name} in {built:.1f} s", file=sys.stderr, flush=True)
            rows.append(evaluate(SystemResult(name, built), search, data, args.k).row(len(data.queries), args.k))
    return data, rows


def print_table(rows: list[dict[str, float | str]], k: int) -> None:
    print(f"{'system':<30} {'hit@1':>6} {f'hit@{k}':>6} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(
            f"{r['system']!s:<30} {r['hit@1']:>6.3f} {r[f'hit@{k}']:>6.3f} {r['build_s']:>8.1f} "
            f"{r['p50_ms']:>7.2f} {r['p95_ms']:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="LCQMC test.txt or ATEC test.csv (tab-separated)")
    parser.add_argument("--format", choices=["auto", "lcqmc", "atec"], default="auto")
    parser.add_argument("--queries", type=int, default=500, help="positive pairs used as queries")
    parser.add_argument("-k", type=int, default=5, help="depth of the hit@k column")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ",".join(SYSTEMS))
    parser.add_argument(
        "--vector-weight",
        type=float,
        default=getattr(retriever_module, "VECTOR_WEIGHT", 1.0),
        help="vector ranking's weight in the exact fusion row (BM25's is 1); default: the project's",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    args.systems = {s.strip() for s in args.systems.split(",")}
    if not args.path.is_file():
        parser.error(f"no such file: {args.path}")
    data, rows = run(args)
    if args.json:
        meta = {"file": args.path.name, "queries": len(data.queries), "entries": len(data.entries), "k": args.k}
        print(json.dumps({**meta, "results": rows}, ensure_ascii=False, indent=2))
        return
    print(f"{args.path.name}: {len(data.queries)} queries, {len(data.entries)} entries")
    print_table(rows, args.k)


if __name__ == "__main__":
    main()
