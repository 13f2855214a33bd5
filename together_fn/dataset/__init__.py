"""Local dataset checks, before any upload: pure checkers fed lines, rows or columns.

``JsonlChecker``, ``CsvChecker`` and ``PretokenizedChecker`` do no I/O; ``check_file`` (which
reads a file from disk, streaming) lives with the executors and is loaded on first access, so
importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from together_fn.dataset.jsonl import JsonlChecker, detect_format
from together_fn.dataset.limits import (
    IMAGE_MIME_TYPES,
    MAX_FILE_SIZE_BYTES,
    MAX_IMAGE_BYTES,
    MAX_IMAGES_PER_EXAMPLE,
    MAX_PROBLEMS,
    MIN_SAMPLES,
)
from together_fn.dataset.report import CheckReport, Problem, describe
from together_fn.dataset.rules import check_purpose
from together_fn.dataset.tabular import CsvChecker, PretokenizedChecker

if TYPE_CHECKING:
    from together_fn.executors.dataset_files import check_file

__all__ = [
    "IMAGE_MIME_TYPES",
    "MAX_FILE_SIZE_BYTES",
    "MAX_IMAGES_PER_EXAMPLE",
    "MAX_IMAGE_BYTES",
    "MAX_PROBLEMS",
    "MIN_SAMPLES",
    "CheckReport",
    "CsvChecker",
    "JsonlChecker",
    "PretokenizedChecker",
    "Problem",
    "check_file",
    "check_purpose",
    "describe",
    "detect_format",
]


def __getattr__(name: str) -> Any:
    if name == "check_file":
        from together_fn.executors.dataset_files import check_file

        return check_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
