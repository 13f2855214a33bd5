"""Builders for ``/files``: list, retrieve, delete, read the content, upload as a form.

Every builder that names one file takes its id first (``retrieve_file("file-1")``), or as
``id=`` (the spec's and current SDK's name) or ``file_id=`` (the older SDK's name).
"""

from __future__ import annotations

import os
from pathlib import PurePath

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    operation,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import FilePart, Method, MultipartBody
from together_fn.models.files import (
    FILE_PURPOSES,
    FILE_TYPES,
    FileDeleteResponse,
    FileList,
    FilePurpose,
    FileResponse,
    FileType,
)

#: What a content download accepts: files are JSONL, CSV or Parquet, sent as they are.
CONTENT_ACCEPT = "application/octet-stream, text/plain;q=0.9, */*;q=0.8"


def _file_id(id: str | None, file_id: str | None) -> str:
    if id is not None and file_id is not None and id != file_id:
        raise TypeError("pass the file id once: as id= or as file_id=, not both")
    chosen = id if id is not None else file_id
    if chosen is None:
        raise TypeError("a file id is required (id= or file_id=)")
    if not isinstance(chosen, str):
        raise TypeError(f"a file id is a string, got {type(chosen).__name__}")
    return path_param(chosen)


@operation("GET", "/files")
def list_files(*, options: RequestOptions = NO_OPTIONS) -> Call[FileList]:
    """The Call that lists the uploaded files.

    >>> list_files().request.url
    '/files'
    """
    return bodiless_call("GET /files", FileList, "/files", options=options)


@operation("GET", "/files/{id}")
def retrieve_file(
    id: str | None = None, *, file_id: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[FileResponse]:
    """The Call that reads one file's metadata.

    >>> retrieve_file("file-1").request.url
    '/files/file-1'
    """
    return bodiless_call(
        "GET /files/{id}", FileResponse, f"/files/{_file_id(id, file_id)}", options=options
    )


@operation("DELETE", "/files/{id}")
def delete_file(
    id: str | None = None, *, file_id: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[FileDeleteResponse]:
    """The Call that deletes a file (deleting twice is harmless, so it may be retried).

    >>> delete_file("file-1").request.method.value
    'DELETE'
    """
    return bodiless_call(
        "DELETE /files/{id}", FileDeleteResponse, f"/files/{_file_id(id, file_id)}", options=options
    )


@operation("GET", "/files/{id}/content")
def retrieve_file_content(
    id: str | None = None, *, file_id: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[bytes]:
    """The Call that reads a file's content, as bytes. To save a large file to disk with
    bounded memory and resumption, hand this Call to ``executors.download.download``.

    >>> retrieve_file_content("file-1").request.url
    '/files/file-1/content'
    """
    return Call(
        operation="GET /files/{id}/content",
        request=request(
            Method.GET,
            f"/files/{_file_id(id, file_id)}/content",
            headers={"accept": CONTENT_ACCEPT},
            options=options,
        ),
        response_type=bytes,
    )


def file_type_of(name: str) -> FileType | None:
    """The ``FileType`` a file name's extension implies, if it is a known one.

    >>> file_type_of("train.JSONL"), file_type_of("notes.txt")
    ('jsonl', None)
    """
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return suffix if suffix in FILE_TYPES else None


@operation("POST", "/files/upload")
def upload_file_form(
    *,
    file: str | os.PathLike[str],
    purpose: FilePurpose = "fine-tune",
    file_name: str | None = None,
    file_type: FileType | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[FileResponse]:
    """The Call that uploads ``file`` (a path, streamed from disk when sent) as a
    ``multipart/form-data`` form. ``file_name`` defaults to the path's last component and
    ``file_type`` to what its extension says. Not retried once sent.

    >>> call = upload_file_form(file="data/train.jsonl")
    >>> call.request.body.fields, call.retryable
    ((('purpose', 'fine-tune'), ('file_name', 'train.jsonl'), ('file_type', 'jsonl')), False)
    """
    path = os.fspath(file)
    if not isinstance(path, str) or not path:
        raise TypeError("file must be a non-empty path (str or os.PathLike[str])")
    if purpose not in FILE_PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(FILE_PURPOSES)}; got {purpose!r}")
    name = file_name if file_name is not None else PurePath(path).name
    if not name or "\x00" in name:
        raise ValueError(f"file_name must be a non-empty name, got {name!r}")
    kind = file_type if file_type is not None else file_type_of(name)
    if kind is not None and kind not in FILE_TYPES:
        raise ValueError(f"file_type must be one of {', '.join(FILE_TYPES)}; got {kind!r}")
    fields = [("purpose", purpose), ("file_name", name)]
    if kind is not None:
        fields.append(("file_type", kind))
    body = MultipartBody(
        fields=tuple(fields),
        files=(FilePart(name="file", filename=name, path=path),),
    )
    return Call(
        operation="POST /files/upload",
        request=request(Method.POST, "/files/upload", body=body, options=options),
        response_type=FileResponse,
        retryable=False,
    )
