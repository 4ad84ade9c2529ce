"""The `finassist` command: parses arguments, builds Settings, and hands off to one command module.

Each command imports what it needs when it runs (see docs/measurements.md, start-up): the modules here only
declare arguments. A command that reads no configuration (`check`) sets `settings=False` in its parser's
defaults and gets None, without importing pydantic-settings."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from cli import (
    agent_commands,
    compliance_commands,
    demo_commands,
    draft_commands,
    eval_commands,
    keys_commands,
    knowledge_commands,
    serve_commands,
)
from cli.output import CliError, fail
from knowledge.lock import WriterBusy

COMMAND_MODULES = [
    knowledge_commands,
    compliance_commands,
    agent_commands,
    draft_commands,
    serve_commands,
    keys_commands,
    eval_commands,
    demo_commands,
]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="data directory (default: FINASSIST_DATA_DIR or ./data)")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    parser = argparse.ArgumentParser(prog="finassist", description="finassist: grounded financing assistant")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parsers(sub, common)
    return parser


def check_arguments(args: argparse.Namespace) -> None:
    """Every text argument passes the one text validation (assistant.validation); InvalidText otherwise."""
    from assistant.validation import clean_text

    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                clean_text(item, name.replace("_", "-"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a usage line on bad arguments
    try:
        check_arguments(args)
        settings = None
        if getattr(args, "settings", True):
            from assistant.config import Settings

            overrides = {"data_dir": args.data_dir} if args.data_dir else {}
            settings = Settings(**overrides)
        return int(args.handler(args, settings))
    except ValidationError as exc:
        fail("invalid configuration: " + "; ".join(e["msg"] for e in exc.errors()))
    except (CliError, WriterBusy, ValueError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (`finassist search … | head`): stop quietly, as cat does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not raise again
        return 128 + signal.SIGPIPE
    return 2


if __name__ == "__main__":
    sys.exit(main())
