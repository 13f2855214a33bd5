"""The operation registry against the spec: every builder names a real operation."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import yaml

from tests.reference import spec_path
from together_fn import api

METHODS = ("get", "post", "put", "patch", "delete")


def spec_operations() -> set[str]:
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    }


def test_every_registered_operation_is_in_the_spec() -> None:
    unknown = set(api.REGISTRY) - spec_operations()
    assert not unknown, f"builders name operations the spec does not have: {sorted(unknown)}"


def test_the_spec_has_99_operations() -> None:
    assert len(spec_operations()) == 99


def test_every_builder_module_registers_its_builders() -> None:
    for module_info in pkgutil.iter_modules(api.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"together_fn.api.{module_info.name}")
        builders = [
            name
            for name, value in vars(module).items()
            if callable(value)
            and getattr(value, "__module__", None) == module.__name__
            and getattr(value, "__together_operation__", None)
        ]
        assert builders, f"api.{module_info.name} registers no builder"
        for name in builders:
            key = getattr(module, name).__together_operation__
            assert f"{module.__name__}.{name}" in api.REGISTRY[key]


def test_inference_operations_are_covered() -> None:
    for key in (
        "POST /chat/completions",
        "POST /completions",
        "POST /embeddings",
        "POST /rerank",
        "POST /images/generations",
        "GET /models",
        "POST /models",
        "GET /jobs",
        "GET /jobs/{jobId}",
    ):
        assert api.REGISTRY.get(key), key


def test_every_builder_module_is_typed_as_an_attribute_of_the_package() -> None:
    # mypy sees ``api.<area>`` through the TYPE_CHECKING imports: they must name every area.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(api))
    typed = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "together_fn.api"
        for alias in node.names
    }
    assert typed - {"_build"} == set(api.AREAS)
    assert len(api.AREAS) >= 20


def test_builder_modules_are_imported_on_first_use() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from together_fn import api\n"
        "print('together_fn.api.fine_tunes' in sys.modules)\n"
        "api.fine_tunes.list_fine_tunes()\n"
        "print('together_fn.api.fine_tunes' in sys.modules)\n"
        "print(len(api.REGISTRY))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True", "99"]
