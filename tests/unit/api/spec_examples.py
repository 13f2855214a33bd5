"""Example payloads made from the spec's schemas: each property's own example, or a value of
its type. Read from the reference spec beside the project; tests skip when it is missing."""

from __future__ import annotations

import datetime
import functools
from typing import Any

import pytest
import yaml

from tests.reference import spec_path


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return spec


def spec() -> dict[str, Any]:
    """The parsed spec (skips the test when it is not there)."""
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    return _spec()


def schema(name: str) -> dict[str, Any]:
    """A component schema by name."""
    found: dict[str, Any] = spec()["components"]["schemas"][name]
    return found


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema(node["$ref"].rsplit("/", 1)[-1])
    return node


_BY_TYPE: dict[str, Any] = {"string": "text", "integer": 3, "number": 2.5, "boolean": True}


def _as_json(value: Any) -> Any:
    # YAML reads unquoted timestamps as datetimes; on the wire they are ISO-8601 strings.
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def example(node: dict[str, Any]) -> Any:
    """An example value for a schema node."""
    node = _resolve(node)
    if "example" in node:
        return _as_json(node["example"])
    if node.get("examples"):
        return _as_json(node["examples"][0])
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    if "oneOf" in node:
        return example(node["oneOf"][0])
    kind = node.get("type")
    if kind == "array":
        return [example(node["items"])]
    if kind == "object" or "properties" in node:
        return {key: example(value) for key, value in node.get("properties", {}).items()}
    return _BY_TYPE.get(str(kind), "text")


def schema_example(name: str) -> Any:
    """An example of the component schema ``name``."""
    return example(schema(name))


def response_schema(method: str, path: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of an operation's response."""
    operation = spec()["paths"][path][method.lower()]
    found: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    return found
