"""Files models (OpenAPI: ``FileResponse``, ``FileList``, ``FileDeleteResponse``,
``FilePurpose``, ``FileType``).

Purposes and types are open strings in responses: the API adds values before the spec lists
them. Requests (``upload_file_form``) are checked against the known values.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from together_fn.schema import wire_name

#: A file's purpose. Known values: :data:`FILE_PURPOSES`.
FilePurpose: TypeAlias = str

#: A file's format. Known values: :data:`FILE_TYPES`.
FileType: TypeAlias = str

FILE_PURPOSES: tuple[str, ...] = (
    "fine-tune",
    "eval",
    "eval-sample",
    "eval-output",
    "eval-summary",
    "batch-generated",
    "batch-api",
)

FILE_TYPES: tuple[str, ...] = ("csv", "jsonl", "parquet")


@attrs.frozen(kw_only=True)
class FileResponse:
    """An uploaded file's metadata.

    The wire spells two keys in CamelCase (``Processed``, ``FileType``); they are
    ``processed`` and ``file_type`` here. A fresh upload may report ``bytes=0``.
    """

    id: str
    object: str = "file"
    created_at: int | None = None
    filename: str | None = None
    bytes: int | None = None
    purpose: FilePurpose | None = None
    processed: bool | None = attrs.field(default=None, metadata=wire_name("Processed"))
    file_type: FileType | None = attrs.field(default=None, metadata=wire_name("FileType"))
    line_count: int | None = None
    project_id: str | None = None
    organization_id: str | None = None


@attrs.frozen(kw_only=True)
class FileList:
    """Answer to ``GET /files``."""

    data: tuple[FileResponse, ...] = ()
    object: str | None = None


@attrs.frozen(kw_only=True)
class FileDeleteResponse:
    """Answer to ``DELETE /files/{id}``."""

    id: str | None = None
    deleted: bool | None = None
