"""How CLI commands print: human text by default, one JSON document with --json; errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@contextmanager
def progress_bar(*, enabled: bool) -> Iterator[Callable[[float, int, str], None] | None]:
    """An ingest progress callback drawing a bar on stderr (files/s and the time left), or None."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False)

    def update(done: float, total: int, label: str) -> None:
        bar.total = total
        bar.n = round(done, 2)
        bar.set_postfix_str(label[-40:], refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
