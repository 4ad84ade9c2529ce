"""`finassist ingest` and `finassist search`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.output import CliError, emit, progress_bar

if TYPE_CHECKING:
    from assistant.config import Settings
    from knowledge.ingest import IngestReport


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ingest", parents=[common], help="ingest files or folders into the knowledge index")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--sync", action="store_true", help="remove chunks of files gone from the given folders")
    p.add_argument(
        "--rebuild", action="store_true", help="drop the index first (needed after changing EMBEDDING_BACKEND)"
    )
    p.set_defaults(handler=run_ingest)
    p = sub.add_parser("search", parents=[common], help="hybrid search of the knowledge index")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of results (1-50)")
    p.add_argument("--category")
    p.add_argument("--product")
    p.add_argument("--region")
    p.add_argument("--all-dates", action="store_true", help="include documents not in force today")
    p.set_defaults(handler=run_search)


def _summary(report: IngestReport) -> str:
    lines = [
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, failed {len(report.failed)}; "
        f"{report.chunks_written} chunks written in {report.seconds:.2f} s"
    ]
    lines += [f"  failed: {path}: {reason}" for path, reason in report.failed]
    lines += [
        f"  warning: {doc.source}: flagged ({', '.join(doc.rules)}); kept out of member answers until fixed"
        for doc in report.flagged
    ]
    return "\n".join(lines)


def ingest_into(
    settings: Settings, paths: list[Path], *, sync: bool, show_progress: bool, rebuild: bool = False
) -> IngestReport:
    """Ingest into the configured index, with the progress bar on stderr when asked (ingest and demo)."""
    from assistant.services import open_knowledge
    from knowledge.ingest import ingest

    index = open_knowledge(settings, rebuild=rebuild)
    try:
        with progress_bar(enabled=show_progress) as progress:
            return ingest(
                index,
                paths,
                sync=sync,
                chunk_size=settings.chunk_size,
                overlap=settings.chunk_overlap,
                progress=progress,
            )
    finally:
        index.close()


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    show = not args.json and sys.stderr.isatty()
    report = ingest_into(settings, args.paths, sync=args.sync, show_progress=show, rebuild=args.rebuild)
    emit(report.to_dict(), args.json, _summary(report))
    if report.failed:
        print(f"finassist: {len(report.failed)} file(s) failed; the others were ingested", file=sys.stderr)
        return 1
    return 0


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.k <= 50:
        raise CliError("-k must be between 1 and 50")
    if not args.query.strip():
        raise CliError("the query is empty")
    from assistant.services import open_knowledge
    from knowledge.retriever import HybridRetriever

    filters = {name: getattr(args, name) for name in ("category", "product", "region") if getattr(args, name)}
    index = open_knowledge(settings)
    try:
        results = HybridRetriever(index).search(args.query, k=args.k, filters=filters, include_inactive=args.all_dates)
    finally:
        index.close()
    data = {
        "results": [
            {
                "source": r.source,
                "title": r.title,
                "heading": r.heading,
                "snippet": r.snippet,
                "score": r.score,
            }
            for r in results
        ]
    }
    text = "\n".join(f"{i}. [{r.score:.4f}] {r.source} — {r.heading}\n   {r.snippet}" for i, r in enumerate(results, 1))
    emit(data, args.json, text or "no results")
    return 0
