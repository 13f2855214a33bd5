"""Where the tests find the reference material that lives beside the project, not in it."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reference_dir() -> Path:
    """The folder with the OpenAPI spec and the recorded real responses."""
    override = os.environ.get("TOGETHER_REFERENCE_DIR")
    return Path(override) if override else ROOT.parent / "shared" / "reference"


def spec_path() -> Path:
    """Together's OpenAPI spec."""
    override = os.environ.get("TOGETHER_OPENAPI_SPEC")
    return Path(override) if override else reference_dir() / "together-openapi.yaml"
