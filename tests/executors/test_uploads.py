"""Multipart uploads over both transports: streamed from disk, received byte for byte."""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs
import pytest
from returns.result import Failure, Success

from tests.executors.conftest import KEY, Driver, config_for
from tests.executors.loopback import Loopback, Received, json_reply
from together_fn.calls import Call
from together_fn.errors import APIConnectionError
from together_fn.executors._bodies import CHUNK_SIZE, encode_body, encode_multipart
from together_fn.http import FilePart, HttpRequest, Method, MultipartBody


@attrs.frozen(kw_only=True)
class FormPart:
    """One part of a ``multipart/form-data`` body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


_DISPOSITION = re.compile(r'(\w+)="([^"]*)"')


def parse_multipart(received: Received) -> tuple[FormPart, ...]:
    """The parts of a multipart request, strictly: a malformed body raises ``ValueError``."""
    content_type = received.header("content-type") or ""
    match = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise ValueError(f"not a multipart/form-data request: {content_type!r}")
    delimiter = b"\r\n--" + match.group(1).encode()
    sections = (b"\r\n" + received.body).split(delimiter)
    if sections[0] != b"" or sections[-1] != b"--\r\n":
        raise ValueError("multipart body does not start and end at its boundary")
    parts = []
    for section in sections[1:-1]:
        if not section.startswith(b"\r\n"):
            raise ValueError("a boundary is not followed by a line break")
        head, separator, data = section[2:].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a part has no blank line after its headers")
        fields: dict[str, str] = {}
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        disposition = dict(_DISPOSITION.findall(fields.get("content-disposition", "")))
        parts.append(
            FormPart(
                name=disposition["name"],
                filename=disposition.get("filename"),
                content_type=fields.get("content-type"),
                data=data,
            )
        )
    return tuple(parts)


def upload_call(body: MultipartBody) -> Call[dict[str, object]]:
    request = HttpRequest(method=Method.POST, url="/files/upload", body=body)
    return Call(
        operation="POST /files/upload", request=request, response_type=dict, retryable=False
    )


@pytest.mark.asyncio
async def test_multipart_upload_streams_the_file_byte_exactly(
    server: Loopback, driver: Driver, tmp_path: Path
) -> None:
    # Larger than one chunk, and full of what a careless encoder would trip on.
    content = os.urandom(3 * CHUNK_SIZE + 17) + b"\r\n--not-a-boundary\r\n" + "é✓".encode()
    path = tmp_path / "train.jsonl"
    path.write_bytes(content)
    body = MultipartBody(
        fields=(("purpose", "fine-tune"), ("file_name", 'say "hi".jsonl')),
        files=(FilePart(name="file", filename='say "hi".jsonl', path=str(path)),),
    )
    server.route("/v1/files/upload", json_reply({"id": "file-1"}))
    exchange = await driver.execute(upload_call(body), config_for(server))

    assert exchange.result == Success({"id": "file-1"})
    [sent] = server.requests_to("/v1/files/upload")
    assert not sent.chunked
    assert sent.header("content-length") == str(len(sent.body))
    assert sent.header("authorization") == f"Bearer {KEY}"
    purpose, name, upload = parse_multipart(sent)
    assert (purpose.name, purpose.data) == ("purpose", b"fine-tune")
    assert (name.name, name.data) == ("file_name", b'say "hi".jsonl')
    assert upload.name == "file"
    assert upload.filename == "say %22hi%22.jsonl"
    assert upload.content_type == "application/octet-stream"
    assert upload.data == content


@pytest.mark.asyncio
async def test_multipart_upload_from_memory(server: Loopback, driver: Driver) -> None:
    body = MultipartBody(
        files=(FilePart(name="file", filename="a.txt", data=b"abc", content_type="text/plain"),)
    )
    server.route("/v1/files/upload", json_reply({"id": "file-2"}))
    exchange = await driver.execute(upload_call(body), config_for(server))

    assert exchange.result == Success({"id": "file-2"})
    [sent] = server.requests_to("/v1/files/upload")
    [part] = parse_multipart(sent)
    assert (part.filename, part.content_type, part.data) == ("a.txt", "text/plain", b"abc")


@pytest.mark.asyncio
async def test_missing_upload_file_fails_before_connecting(
    server: Loopback, driver: Driver, tmp_path: Path
) -> None:
    body = MultipartBody(files=(FilePart(name="file", filename="x", path=str(tmp_path / "x")),))
    exchange = await driver.execute(upload_call(body), config_for(server))

    assert isinstance(exchange.result, Failure)
    error = exchange.result.failure()
    assert isinstance(error, APIConnectionError)
    assert "could not read the file" in error.message
    assert exchange.attempts == 1
    assert server.hits("/v1/files/upload") == 0


def test_multipart_encoding_is_bounded_and_exact(tmp_path: Path) -> None:
    content = os.urandom(2 * CHUNK_SIZE + 5)
    path = tmp_path / "blob"
    path.write_bytes(content)
    body = MultipartBody(
        fields=(("a", "1"),),
        files=(FilePart(name="f", filename="blob", path=str(path)),),
    )
    encoded = encode_multipart(body, boundary="XyZ")
    chunks = list(encoded.chunks())

    assert max(len(c) for c in chunks) <= CHUNK_SIZE
    whole = b"".join(chunks)
    assert len(whole) == encoded.length
    assert encoded.in_memory() is None
    assert encoded.content_type == "multipart/form-data; boundary=XyZ"
    expected = (
        b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="blob"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--XyZ--\r\n"
    )
    assert whole == expected


@pytest.mark.asyncio
async def test_async_chunks_match_sync_chunks(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(os.urandom(CHUNK_SIZE + 1))
    body = MultipartBody(files=(FilePart(name="f", filename="blob", path=str(path)),))
    encoded = encode_body(body)

    gathered = [chunk async for chunk in encoded.achunks()]
    assert gathered == list(encoded.chunks())


def test_a_file_that_shrinks_fails_the_upload(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 100)
    encoded = encode_body(MultipartBody(files=(FilePart(name="f", filename="b", path=str(path)),)))
    path.write_bytes(b"x" * 10)
    with pytest.raises(OSError, match="became shorter"):
        b"".join(encoded.chunks())
