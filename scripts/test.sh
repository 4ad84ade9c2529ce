#!/usr/bin/env bash
# Install everything (locked) and run the whole test suite. This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet uv
uv sync --frozen --all-extras
uv run pytest "$@"
