"""`finassist check FILE|-`: the compliance report for a text (exit 0 clean, 1 errors found, 2 bad input)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.validation import clean_text
from cli.output import CliError, emit

if TYPE_CHECKING:
    from assistant.config import Settings

MAX_CHARS = 200_000


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("check", parents=[common], help="compliance check of a text file, or - for stdin")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--context", choices=["post", "reply"], default="post", help="published post or member reply")
    p.set_defaults(handler=run_check, settings=False)  # the rules are packaged: no configuration is read


def _read(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"{name}: no such file")
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(f"{name}: not UTF-8 text") from None
    if not text.strip():
        raise CliError(f"{name}: the text is empty")
    clean_text(text, name)
    if len(text) > MAX_CHARS:
        raise CliError(f"{name}: longer than {MAX_CHARS} characters; split it")
    return text


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def run_check(args: argparse.Namespace, settings: Settings | None) -> int:
    from assistant.compliance import check

    text = _read(args.file)
    report = check(text, context=args.context)
    lines = [
        f"{_position(text, f.span[0])} {f.severity} [{f.rule}] 「{f.matched}」 {f.message}\n"
        f"    修改建议：{f.fix}\n    依据：{f.source}"
        for f in report.findings
    ]
    verdict = "passed" if report.passed else f"{len(report.errors)} error(s)"
    lines.append(f"{verdict}, {len(report.warnings)} warning(s)")
    emit(report.to_dict(), args.json, "\n".join(lines))
    return 0 if report.passed else 1
