"""`finassist demo`: ingest the bundled sample knowledge base, then serve API + UI on the embedded defaults."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import knowledge  # the package itself is empty; the sample corpus ships in it as package data
from cli import serve_commands
from cli.knowledge_commands import ingest_into

if TYPE_CHECKING:
    from assistant.config import Settings

SAMPLE_CORPUS = Path(knowledge.__file__).resolve().parent / "corpus"


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="ingest the sample knowledge base and serve API + UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="only ingest the sample knowledge base")
    p.set_defaults(handler=run_demo, workers=1, forwarded_allow_ips=None)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    report = ingest_into(settings, [SAMPLE_CORPUS], sync=True, show_progress=sys.stderr.isatty())
    print(
        f"sample knowledge base: {len(report.added) + len(report.updated)} file(s) ingested, "
        f"{len(report.unchanged)} unchanged, data in {settings.data_dir.resolve()}",
        flush=True,
    )
    if report.failed:
        return 1
    if args.no_serve:
        return 0
    print(f"serving http://{args.host}:{args.port}  (API docs /docs, editor UI /ui; Ctrl-C stops)", flush=True)
    return serve_commands.run_serve(args, settings)
