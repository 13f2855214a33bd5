"""The parts of the spec the audio, video, voices, realtime and code interpreter tests read.

:func:`example` composes an answer from the examples on a schema's properties (as static
Prism does): one item per array, the first ``oneOf`` variant unless told otherwise, every
property of an object, the parts of an ``allOf`` merged property by property.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from tests.reference import spec_path

_PLACEHOLDERS = {"string": "string", "integer": 0, "number": 0.5, "boolean": True, "null": None}


@functools.cache
def spec() -> dict[str, Any]:
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    loaded: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return loaded


def schema(name: str) -> dict[str, Any]:
    """A component schema by name."""
    found: dict[str, Any] = spec()["components"]["schemas"][name]
    return found


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its ``$ref`` (if any) followed."""
    while "$ref" in node:
        node = {
            **schema(node["$ref"].rsplit("/", 1)[-1]),
            **{k: v for k, v in node.items() if k != "$ref"},
        }
    return node


def example(node: dict[str, Any], variant: int = 0) -> Any:
    """An example value of ``node``; ``variant`` picks the top-level ``oneOf`` branch."""
    node = resolve(node)
    if "example" in node and node.get("type") not in ("object", "array"):
        return node["example"]
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    if "allOf" in node:
        properties: dict[str, Any] = {}
        for part in node["allOf"]:
            properties.update(resolve(part).get("properties", {}))
        return {name: example(prop) for name, prop in properties.items()}
    if "oneOf" in node:
        return example(node["oneOf"][variant])
    kind = node.get("type", "object" if "properties" in node else "string")
    if kind == "array":
        return [example(node.get("items", {}))]
    if kind == "object":
        return {name: example(prop) for name, prop in node.get("properties", {}).items()}
    return _PLACEHOLDERS.get(kind, "string")


def answer_schema(operation: str) -> dict[str, Any]:
    """The JSON schema of the 200 answer of ``"METHOD /path"``."""
    method, path = operation.split(" ", 1)
    found: dict[str, Any] = spec()["paths"][path][method.lower()]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    return found


def query_parameters(operation: str) -> dict[str, dict[str, Any]]:
    """The query parameters the spec declares for ``"METHOD /path"``, by name."""
    method, path = operation.split(" ", 1)
    declared = spec()["paths"][path][method.lower()].get("parameters", [])
    return {p["name"]: p for p in declared if p["in"] == "query"}
