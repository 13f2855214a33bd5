"""The spec's answers for ``/deployments``, ``/compute`` and ``/rl``, composed the way a mock
server composes them.

Those operations carry no whole-response examples: their examples sit on schema properties.
:func:`answer` builds a response from them (or from a property's ``default``, which static
Prism prefers), one item per array, the first variant of a ``oneOf``, the parts of an
``allOf`` merged, every property of an object, so that decoding it exercises every field.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import pytest
import yaml

from tests.reference import spec_path

Prefer = Literal["example", "default"]


@functools.cache
def _load() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return loaded


def spec() -> dict[str, Any]:
    """The parsed spec (skips the test when it is not there)."""
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    return _load()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


_PLACEHOLDERS = {"string": "string", "integer": 0, "number": 0.5, "boolean": True}


def answer(schema: dict[str, Any], prefer: Prefer = "example") -> Any:
    """A value made of the spec's own examples (or defaults) for ``schema``."""
    schema = _resolve(schema)
    order = ("example", "default") if prefer == "example" else ("default", "example")
    for key in order:
        if key in schema and schema.get("type") not in ("object", "array"):
            return schema[key]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part))
        return answer({**merged, **{k: v for k, v in schema.items() if k != "allOf"}}, prefer)
    if "oneOf" in schema:
        return answer(schema["oneOf"][0], prefer)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "array":
        return [answer(schema.get("items", {}), prefer)]
    if kind == "object":
        extra = schema.get("additionalProperties")
        if "properties" not in schema and isinstance(extra, dict):
            return {"1": answer(extra, prefer)}
        return {name: answer(prop, prefer) for name, prop in schema.get("properties", {}).items()}
    return _PLACEHOLDERS.get(kind, "string")


def documented_answer(operation: str) -> tuple[int, dict[str, Any]]:
    """The first documented answer (2xx or 3xx) of ``"METHOD /path"`` and its JSON schema."""
    method, path = operation.split(" ", 1)
    responses = spec()["paths"][path][method.lower()]["responses"]
    code = min((str(c) for c in responses if str(c)[0] in "23"), key=int)
    status = int(code)
    found = responses[status] if status in responses else responses[code]
    return status, found["content"]["application/json"]["schema"]
