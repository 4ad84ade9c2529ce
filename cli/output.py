"""How CLI commands print: human text by default, one JSON document with --json; errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


class CliError(Exception):
    """Bad input or usage: printed as one line, exit code 2."""

    exit_code = 2


def emit(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(text)


def fail(message: str) -> None:
    print(f"finassist: error: {message}", file=sys.stderr)
