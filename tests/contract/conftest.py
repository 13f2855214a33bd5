"""The contract tier: requests go to Prism serving Together's OpenAPI spec.

Skipped, saying why, when the spec or Prism is missing; on CI (``CI=true``) a missing
Prism is an error instead, so the tier can never silently vanish.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.contract.prism import prism_binary, running_prism
from tests.reference import spec_path


def _require_tools() -> None:
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    if prism_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("prism is not installed: scripts/test installs it with npm")
        pytest.skip("prism is not installed (run `npm install` in the project root)")


@pytest.fixture(scope="session")
def prism_static() -> Iterator[str]:
    """Base URL of Prism answering with the spec's examples."""
    _require_tools()
    with running_prism(spec_path(), dynamic=False) as url:
        yield url


@pytest.fixture(scope="session")
def prism_dynamic() -> Iterator[str]:
    """Base URL of Prism answering with random data valid under the spec (``-d``)."""
    _require_tools()
    with running_prism(spec_path(), dynamic=True) as url:
        yield url
