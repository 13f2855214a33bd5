"""Contract cases of ``/files``: metadata, content, deletion and the multipart upload form.

The upload case sends a small JSONL file written to a temporary directory that lives as long
as the test session.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from together_fn import api
from together_fn.calls import Call

FILE_ID = "file-6f50f9d1-5b95-416c-9040-0799b2b4b894"

_SCRATCH: tempfile.TemporaryDirectory[str] | None = None


def _dataset(name: str) -> Path:
    """A small training file, created on first use and removed when the session ends."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = tempfile.TemporaryDirectory(prefix="together-contract-")
    path = Path(_SCRATCH.name) / name
    if not path.exists():
        path.write_text('{"text": "hello"}\n{"text": "world"}\n', encoding="utf-8")
    return path


CASES: dict[str, Callable[[], Call[Any]]] = {
    "files: list": lambda: api.files.list_files(),
    "files: retrieve": lambda: api.files.retrieve_file(FILE_ID),
    "files: delete": lambda: api.files.delete_file(FILE_ID),
    "files: content": lambda: api.files.retrieve_file_content(FILE_ID),
    "files: upload form": lambda: api.files.upload_file_form(
        file=_dataset("train.jsonl"), purpose="fine-tune"
    ),
    "files: upload form, explicit name and type": lambda: api.files.upload_file_form(
        file=_dataset("data.bin"), purpose="eval", file_name="eval.csv", file_type="csv"
    ),
}
