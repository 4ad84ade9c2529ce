"""docs/deploy.md lists every route the app serves (a newcomer found the analytics, escalation and draft routes
missing): each OpenAPI path, with its parameters written `{id}`, appears in it."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from api.app import create_app
from tests.api.conftest import make_settings

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def test_deploy_doc_names_every_route(tmp_path: Path) -> None:
    services = SimpleNamespace(settings=make_settings(tmp_path / "data"))
    paths = create_app(services).openapi()["paths"]  # type: ignore[arg-type]  # the schema needs no services
    text = DEPLOY.read_text(encoding="utf-8")
    missing = sorted({re.sub(r"\{[^}]+\}", "{id}", path) for path in paths} - set(re.findall(r"/[\w./{}-]*", text)))
    assert paths and not missing, f"routes not in docs/deploy.md: {missing}"
