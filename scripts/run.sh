#!/usr/bin/env bash
# Install (locked), ingest the sample knowledge base and serve API + editor UI on the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet uv
uv sync --frozen --compile-bytecode --inexact  # --inexact: keeps the dev tools scripts/test.sh installed
uv run finassist demo "$@"
