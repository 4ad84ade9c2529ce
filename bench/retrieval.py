"""Retrieval benchmark (run by hand): ingest rate, hybrid search latency, and raw bm25s / Chroma baselines.

    uv run python bench/retrieval.py                 # 1k, 10k and 100k chunks
    uv run python bench/retrieval.py --sizes 1000    # quicker

Each size gets a synthetic Chinese corpus of files with ten ~350-character sections (one chunk each).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import bm25s

from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever
from knowledge.tokenize import tokenize

TERMS = [
    "科技型",
    "中小企业",
    "信用贷款",
    "设备",
    "融资租赁",
    "项目融资",
    "知识产权",
    "质押",
    "商业汇票",
    "贴现",
    "供应链",
    "应收账款",
    "担保",
    "个体工商户",
    "绿色信贷",
    "贴息",
    "补贴",
    "首贷",
    "专精特新",
    "技术改造",
    "纳税",
    "营业收入",
    "征信",
    "还款",
    "逾期",
    "宽限期",
    "年化利率",
    "期限",
    "额度",
    "材料",
    "营业执照",
    "审批",
    "放款",
    "路演",
    "对接会",
    "报名",
    "投资机构",
    "评审",
    "抵押",
    "保证金",
    "手续费",
    "提前还款",
    "等额本息",
    "按月付息",
]
CITIES = ["苏州", "杭州", "南京", "无锡", "宁波", "合肥", "上海", "常州", "嘉兴", "绍兴"]


def _sentence(rng: random.Random) -> str:
    a, b, c = rng.sample(TERMS, 3)
    return (
        f"{rng.choice(CITIES)}{a}{b}业务的{c}要求为{rng.randint(1, 36)}个月，"
        f"年化利率{rng.randint(3, 9)}.{rng.randint(0, 99):02d}%，额度最高{rng.randint(10, 3000)}万元。"
    )


def make_corpus(folder: Path, chunks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(chunks // 10):
        sections = [f"## 第{s}节 {rng.choice(TERMS)}\n" + "".join(_sentence(rng) for _ in range(7)) for s in range(10)]
        (folder / f"doc{n:06d}.md").write_text(f"# 合成文档{n}\n\n" + "\n\n".join(sections), encoding="utf-8")


def _pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def _timed(fn, queries: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    for q in queries[:10]:
        fn(q)
    out = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(size: int, queries: int, workdir: Path) -> dict[str, float]:
    corpus, data = workdir / f"corpus-{size}", workdir / f"data-{size}"
    make_corpus(corpus, size)
    embedding = HashingEmbedding(512)
    index = KnowledgeIndex.open(data, embedding)
    first = ingest(index, [corpus])
    again = ingest(index, [corpus])
    assert first.ok and again.chunks_written == 0
    retriever = HybridRetriever(index)
    rng = random.Random(1)
    qs = [f"{rng.choice(CITIES)}{rng.choice(TERMS)}{rng.choice(TERMS)}的年化利率是多少" for _ in range(queries)]
    hybrid = _timed(lambda q: retriever.search(q, k=5), qs)

    tokens = [t.split(" ") for _, t in index.chunks._db.execute("SELECT id, tokens FROM chunks")]
    raw_bm25 = bm25s.BM25()
    raw_bm25.index(tokens, show_progress=False)
    bm25_ms = _timed(lambda q: raw_bm25.retrieve([tokenize(q)], k=5, show_progress=False), qs)
    vectors = {q: embedding.embed_query([q]) for q in qs}
    chroma_ms = _timed(lambda q: index.vectors.collection.query(query_embeddings=vectors[q], n_results=5), qs)
    disk = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 2**20
    index.close()
    return {
        "chunks": first.chunks_written,
        "ingest_chunks_per_s": first.chunks_written / first.seconds,
        "ingest_s": first.seconds,
        "reingest_s": again.seconds,
        "reingest_pct": 100 * again.seconds / first.seconds,
        "hybrid_p50": _pct(hybrid, 50),
        "hybrid_p95": _pct(hybrid, 95),
        "bm25_p50": _pct(bm25_ms, 50),
        "bm25_p95": _pct(bm25_ms, 95),
        "chroma_p50": _pct(chroma_ms, 50),
        "chroma_p95": _pct(chroma_ms, 95),
        "disk_mb": disk,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="finassist-bench-"))
    try:
        header = (
            f"{'chunks':>7} {'ingest/s':>9} {'reingest%':>9} {'hybrid p50/p95 ms':>18} "
            f"{'bm25s p50/p95':>14} {'chroma p50/p95':>15} {'hybrid/(bm25+chroma)':>21} {'disk MB':>8}"
        )
        print(header)
        for size in (int(s) for s in args.sizes.split(",")):
            r = run(size, args.queries, workdir)
            ratio = r["hybrid_p50"] / (r["bm25_p50"] + r["chroma_p50"])
            print(
                f"{r['chunks']:>7.0f} {r['ingest_chunks_per_s']:>9.0f} {r['reingest_pct']:>8.2f}% "
                f"{r['hybrid_p50']:>8.2f} / {r['hybrid_p95']:<7.2f} {r['bm25_p50']:>6.2f} / {r['bm25_p95']:<5.2f} "
                f"{r['chroma_p50']:>6.2f} / {r['chroma_p95']:<6.2f} {ratio:>21.2f} {r['disk_mb']:>8.1f}",
                flush=True,
            )
            shutil.rmtree(workdir / f"corpus-{size}", ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
