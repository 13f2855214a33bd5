"""The short cut for bodies already in memory sends what the general encoding sends."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import IO

import pytest

from together_fn.executors import _bodies
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


@pytest.mark.asyncio
async def test_a_file_opened_after_its_sender_was_cancelled_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upload interrupted while a worker thread opens the next file must not leave that
    # file open for the garbage collector.
    path = tmp_path / "part.bin"
    path.write_bytes(b"x")
    release = threading.Event()
    opened: list[IO[bytes]] = []

    def slow_open(name: str) -> IO[bytes]:
        release.wait(5)
        handle = open(name, "rb")  # noqa: SIM115 - the code under test closes it
        opened.append(handle)
        return handle

    monkeypatch.setattr(_bodies, "_open", slow_open)
    task = asyncio.ensure_future(_bodies._open_in_thread(str(path)))
    await asyncio.sleep(0.05)  # the worker thread is now inside slow_open
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    for _ in range(100):
        if opened and opened[0].closed:
            break
        await asyncio.sleep(0.01)
    (handle,) = opened
    assert handle.closed
