"""The short cut for bodies already in memory sends what the general encoding sends."""

from __future__ import annotations

import pytest

from together_fn.executors._bodies import (
    encode_body,
    in_memory_request,
    send_headers,
)
from together_fn.http import (
    NO_BODY,
    Body,
    FilePart,
    HttpRequest,
    JsonBody,
    Method,
    MultipartBody,
    RawBody,
)

HEADERS = (("accept", "application/json"), ("content-length", "999"), ("x-trace", "t"))


@pytest.mark.parametrize(
    "body",
    [NO_BODY, JsonBody(b'{"a":1}'), JsonBody(b""), RawBody(b"\x00\x01", "image/png"), RawBody(b"")],
    ids=["none", "json", "empty-json", "raw", "empty-raw"],
)
@pytest.mark.parametrize("own_type", [None, "text/plain"], ids=["no-type", "own-type"])
def test_in_memory_bodies_match_the_general_encoding(body: Body, own_type: str | None) -> None:
    headers = HEADERS + ((("content-type", own_type),) if own_type else ())
    request = HttpRequest(
        method=Method.POST, url="http://127.0.0.1:9/x", headers=headers, body=body
    )
    encoded = encode_body(body)
    general = (
        None if encoded.empty else encoded.in_memory(),
        send_headers(request, encoded),
    )
    assert in_memory_request(request) == general


def test_files_take_the_general_path() -> None:
    body = MultipartBody(files=(FilePart(name="f", filename="a.txt", data=b"x"),))
    assert in_memory_request(HttpRequest(method=Method.POST, url="/f", body=body)) is None
