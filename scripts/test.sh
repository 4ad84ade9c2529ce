#!/usr/bin/env bash
# Install everything (locked) and run the whole test suite. This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet uv
uv sync --frozen --all-extras --compile-bytecode
if [ $# -eq 0 ]; then  # the whole suite: static checks first (pytest arguments skip them)
  uv run ruff check .
  uv run ruff format --check .
  uv run mypy knowledge assistant api cli ui
fi
uv run pytest "$@"
