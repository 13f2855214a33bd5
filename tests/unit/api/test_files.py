"""Golden tests of the ``/files`` builders and models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from returns.result import Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.files import (
    CONTENT_ACCEPT,
    delete_file,
    file_type_of,
    list_files,
    retrieve_file,
    retrieve_file_content,
    upload_file_form,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json
from together_fn.http import FilePart, HttpRequest, HttpResponse, Method, MultipartBody
from together_fn.models.files import FileDeleteResponse, FileList, FileResponse

FILE = {
    "id": "file-6f50f9d1-5b95-416c-9040-0799b2b4b894",
    "object": "file",
    "created_at": 1715021438,
    "filename": "my_file.jsonl",
    "bytes": 2664,
    "purpose": "fine-tune",
    "Processed": True,
    "FileType": "jsonl",
}


def test_list_files_is_the_exact_request():
    assert list_files() == Call(
        operation="GET /files",
        request=HttpRequest(method=Method.GET, url="/files"),
        response_type=FileList,
        retryable=True,
    )


def test_retrieve_file_is_the_exact_request():
    assert retrieve_file("file-1") == Call(
        operation="GET /files/{id}",
        request=HttpRequest(method=Method.GET, url="/files/file-1"),
        response_type=FileResponse,
    )


def test_delete_file_is_the_exact_request():
    assert delete_file("file-1") == Call(
        operation="DELETE /files/{id}",
        request=HttpRequest(method=Method.DELETE, url="/files/file-1"),
        response_type=FileDeleteResponse,
    )


def test_retrieve_file_content_asks_for_bytes():
    assert retrieve_file_content("file-1") == Call(
        operation="GET /files/{id}/content",
        request=HttpRequest(
            method=Method.GET, url="/files/file-1/content", headers=(("accept", CONTENT_ACCEPT),)
        ),
        response_type=bytes,
    )


def test_content_is_returned_as_the_bytes_sent():
    body = b'{"text": "a"}\n{"text": "\xc3\xa9"}\n'
    result = interpret(retrieve_file_content("file-1"), HttpResponse(status=200, body=body))
    assert result == Success(body)


@pytest.mark.parametrize("builder", [retrieve_file, delete_file, retrieve_file_content])
def test_the_id_can_be_given_as_id_or_file_id(builder):
    assert builder("file-1") == builder(id="file-1") == builder(file_id="file-1")


@pytest.mark.parametrize("builder", [retrieve_file, delete_file, retrieve_file_content])
def test_the_id_is_required_once(builder):
    with pytest.raises(TypeError, match="required"):
        builder()
    with pytest.raises(TypeError, match="not both"):
        builder("file-1", file_id="file-2")
    with pytest.raises(ValueError, match="empty"):
        builder("")


def test_ids_cannot_escape_their_path_segment():
    assert retrieve_file("../models?x=1").request.url == "/files/..%2Fmodels%3Fx%3D1"
    assert retrieve_file_content("a/b").request.url == "/files/a%2Fb/content"


def test_options_reach_the_request():
    call = list_files(options=RequestOptions(extra_query={"limit": 5}, timeout=3.0))
    assert call.request.query == (("limit", "5"),)
    assert call.request.timeout is not None
    assert call.request.timeout.read == 3.0


def test_upload_file_form_is_the_exact_request_and_never_retried(tmp_path: Path):
    path = tmp_path / "train.jsonl"
    assert upload_file_form(file=path, purpose="fine-tune") == Call(
        operation="POST /files/upload",
        request=HttpRequest(
            method=Method.POST,
            url="/files/upload",
            body=MultipartBody(
                fields=(
                    ("purpose", "fine-tune"),
                    ("file_name", "train.jsonl"),
                    ("file_type", "jsonl"),
                ),
                files=(FilePart(name="file", filename="train.jsonl", path=str(path)),),
            ),
        ),
        response_type=FileResponse,
        retryable=False,
    )


def test_upload_file_form_does_not_touch_the_disk(tmp_path: Path):
    # Building is pure: a missing file only fails when the request is sent.
    call = upload_file_form(file=tmp_path / "missing.csv", purpose="eval")
    assert isinstance(call.request.body, MultipartBody)
    assert call.request.body.fields == (
        ("purpose", "eval"),
        ("file_name", "missing.csv"),
        ("file_type", "csv"),
    )


def test_upload_file_form_explicit_name_and_type_win():
    call = upload_file_form(
        file="/data/x.bin", purpose="batch-api", file_name="batch.jsonl", file_type="jsonl"
    )
    body = call.request.body
    assert isinstance(body, MultipartBody)
    assert body.fields == (
        ("purpose", "batch-api"),
        ("file_name", "batch.jsonl"),
        ("file_type", "jsonl"),
    )
    assert body.files[0].filename == "batch.jsonl"
    assert body.files[0].path == "/data/x.bin"


def test_upload_file_form_leaves_out_an_unknown_type():
    body = upload_file_form(file="notes.txt").request.body
    assert isinstance(body, MultipartBody)
    assert [name for name, _ in body.fields] == ["purpose", "file_name"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"file": "a.jsonl", "purpose": "training"}, ValueError),
        ({"file": "a.jsonl", "file_type": "xlsx"}, ValueError),
        ({"file": "a.jsonl", "file_name": ""}, ValueError),
        ({"file": "a.jsonl", "file_name": "a\x00b"}, ValueError),
        ({"file": ""}, TypeError),
        ({"file": b"a.jsonl"}, TypeError),
    ],
)
def test_upload_file_form_rejects_invalid_parameters(kwargs, error):
    with pytest.raises(error):
        upload_file_form(**kwargs)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jsonl", "jsonl"),
        ("A.CSV", "csv"),
        ("x.parquet", "parquet"),
        ("x.json", None),
        ("x", None),
    ],
)
def test_file_type_of(name, kind):
    assert file_type_of(name) == kind


def test_every_builder_is_registered():
    for key, name in [
        ("GET /files", "list_files"),
        ("GET /files/{id}", "retrieve_file"),
        ("DELETE /files/{id}", "delete_file"),
        ("GET /files/{id}/content", "retrieve_file_content"),
        ("POST /files/upload", "upload_file_form"),
    ]:
        assert f"together_fn.api.files.{name}" in REGISTRY[key]


def test_file_response_reads_the_camel_case_keys():
    decoded = decode_json(json.dumps(FILE).encode(), FileResponse).unwrap()
    assert decoded == FileResponse(
        id="file-6f50f9d1-5b95-416c-9040-0799b2b4b894",
        created_at=1715021438,
        filename="my_file.jsonl",
        bytes=2664,
        purpose="fine-tune",
        processed=True,
        file_type="jsonl",
    )


def test_file_models_are_tolerant():
    # Seen from the real API: extra fields, nulls, a fresh upload with no size yet.
    payload = {
        "object": "list",
        "data": [
            {**FILE, "line_count": 12, "type": None, "project_id": "p-1", "new_field": [1]},
            {"id": "file-2", "bytes": 0, "Processed": False, "FileType": None, "purpose": "eval-x"},
        ],
    }
    listed = decode_json(json.dumps(payload).encode(), FileList).unwrap()
    assert [f.id for f in listed.data] == [FILE["id"], "file-2"]
    assert listed.data[0].line_count == 12
    assert listed.data[0].project_id == "p-1"
    assert listed.data[1].purpose == "eval-x"  # an open string
    assert listed.data[1].file_type is None
    assert listed.data[1].processed is False


def test_delete_response_decodes():
    decoded = decode_json(b'{"id": "file-1", "deleted": true}', FileDeleteResponse)
    assert decoded == Success(FileDeleteResponse(id="file-1", deleted=True))
    assert decode_json(b"{}", FileDeleteResponse) == Success(FileDeleteResponse())
