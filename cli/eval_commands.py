"""`finassist eval [SUITE...]` and `finassist eval export-cases`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cli.output import CliError, emit

if TYPE_CHECKING:
    from assistant.config import Settings


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("eval", parents=[common], help="run eval suites and gate on the committed baseline")
    p.add_argument("suites", nargs="*", metavar="SUITE", help="suites to run (default: all), or export-cases")
    p.add_argument("--report", type=Path, help="write a Markdown report with charts to this path")
    p.add_argument("--update-baseline", action="store_true", help="store this run's metrics as the baseline")
    p.add_argument("--out", type=Path, help="with export-cases: the JSONL file to merge cases into")
    p.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="an extra dataset file to score beside a suite's own (answers*.jsonl, safety*.jsonl, "
        "compliance*.jsonl), reported under its file stem and never gated; repeatable; also FINASSIST_EVAL_EXTRA "
        "(comma-separated)",
    )
    p.set_defaults(handler=run_eval)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.suites == ["export-cases"]:
        return _export(args, settings)
    if "export-cases" in args.suites:
        raise CliError("export-cases is a command of its own: finassist eval export-cases")
    from evals.runner import run_evals
    from evals.suites import SUITES

    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        raise CliError(f"unknown suite {unknown[0]!r}; known: {', '.join(SUITES)}")
    from evals.context import EvalContext, parse_extra

    extra = (*parse_extra(settings.eval_extra), *args.extra)
    missing = [str(p) for p in extra if not p.is_file()]
    if missing:
        raise CliError(f"no such eval dataset: {missing[0]}")
    # The suites index the sample corpus afresh each run; its vectors come from the data directory's cache.
    context = EvalContext(vector_cache=settings.vector_cache or settings.data_dir / "embeddings.db", extra=extra)
    try:
        run = run_evals(args.suites or None, ctx=context, report=args.report, update_baseline=args.update_baseline)
    finally:
        context.close()
    emit(run.to_dict(), args.json, run.to_text() + (f"\nreport: {args.report}" if args.report else ""))
    return 0 if run.passed else 1


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.store import build_store
    from evals.export_cases import REGRESSIONS, export_cases

    store = build_store(settings.resolved_database_url)
    try:
        added, total = export_cases(store, args.out or REGRESSIONS)
    finally:
        store.close()
    emit({"added": added, "total": total}, args.json, f"added {added} case(s); {total} in all")
    return 0
