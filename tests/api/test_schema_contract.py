"""What the OpenAPI schema states is what the app does: the `Allow` of a 405 lists exactly the methods the
schema declares for the path (before: `/v1/drafts`, `/v1/leads`, `/v1/keys` and the lead/draft item paths
named only one of theirs), and the limits of request fields and parameters are in the schema."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from knowledge.text.clean import CLEAN_PATTERN
from tests.api.conftest import make_settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    services = SimpleNamespace(settings=make_settings(tmp_path_factory.mktemp("schema") / "data"))
    app = create_app(services)  # type: ignore[arg-type]  # routing and the schema need no services
    yield TestClient(app), app.openapi()  # no lifespan: routing only


def test_every_path_answers_an_undeclared_method_with_its_declared_methods(schema_client: Any) -> None:
    client, schema = schema_client
    wrong = []
    for template, operations in schema["paths"].items():
        path = template.replace("{", "").replace("}", "")  # any value: routing only
        path = "/".join("0" * 32 if part.endswith("_id") else part for part in path.split("/"))
        declared = {m.upper() for m in operations if m in METHODS}
        response = client.request("OPTIONS", path)
        advertised = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()} - {"HEAD"}
        if response.status_code != 405 or advertised != declared:
            wrong.append((template, response.status_code, sorted(advertised), sorted(declared)))
    assert not wrong


def _parameters(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                out.append((f"{method.upper()} {template} {parameter['name']}", parameter["schema"]))
    return out


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]


def test_every_integer_parameter_and_field_has_bounds(schema_client: Any) -> None:
    _, schema = schema_client
    unbounded = [
        name
        for name, s in _parameters(schema)
        for b in _branches(s)
        if b.get("type") == "integer" and "maximum" not in b
    ]
    for model, definition in schema["components"]["schemas"].items():
        if not _is_request_model(schema, model):
            continue
        for field, s in definition.get("properties", {}).items():
            unbounded += [f"{model}.{field}" for b in _branches(s) if b.get("type") == "integer" and "maximum" not in b]
    assert not unbounded


def test_every_text_parameter_and_field_states_its_character_rule_and_length(schema_client: Any) -> None:
    _, schema = schema_client
    loose = [
        name
        for name, s in _parameters(schema)
        for b in _branches(s)
        if b.get("type") == "string"
        and not {"enum", "format"} & b.keys()
        and ((b.get("pattern", CLEAN_PATTERN) == CLEAN_PATTERN and "maxLength" not in b) or "pattern" not in b)
    ]
    for model, definition in schema["components"]["schemas"].items():
        if not _is_request_model(schema, model):
            continue
        for field, s in definition.get("properties", {}).items():
            loose += [
                f"{model}.{field}"
                for b in _branches(s)
                if b.get("type") == "string" and not {"enum", "const", "format"} & b.keys() and "pattern" not in b
            ]
    assert not loose


def _is_request_model(schema: dict[str, Any], model: str) -> bool:
    ref = f"#/components/schemas/{model}"
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if any(_refers(c.get("schema", {}), ref, schema) for c in content.values()):
                return True
    return False


def _refers(node: Any, ref: str, schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, dict):
        target = node.get("$ref")
        if target == ref:
            return True
        if target and target not in seen:
            name = target.rsplit("/", 1)[-1]
            return _refers(schema["components"]["schemas"][name], ref, schema, seen | {target})
        return any(_refers(v, ref, schema, seen) for v in node.values())
    if isinstance(node, list):
        return any(_refers(v, ref, schema, seen) for v in node)
    return False
