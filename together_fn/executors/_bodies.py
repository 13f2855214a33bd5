"""What the ``requests`` and ``aiohttp`` transports share: body encoding and safe error text.

A multipart body is encoded here once, as a sequence of segments (bytes, or a file to read
later), with its boundary and exact length. Each transport feeds the same segments to its
library, sync or async, so a large upload is read from disk in bounded chunks and never held
in memory.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import IO, TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

import attrs

from together_fn.errors import APIConnectionError, APITimeoutError, ResponseTooLargeError
from together_fn.executors._threads import to_thread_owned
from together_fn.http import (
    SECRET_HEADERS,
    Body,
    FilePart,
    FileRangeBody,
    HttpRequest,
    JsonBody,
    MultipartBody,
    NoBody,
    RawBody,
)

#: The most bytes read from disk, or handed to a socket, at once.
CHUNK_SIZE = 64 * 1024

#: Request headers the transport computes from the body; a caller's values would lie.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


@attrs.frozen(kw_only=True)
class FileSegment:
    """``size`` bytes of the file at ``path`` from ``offset``, read when the body is sent."""

    path: str
    size: int
    offset: int = 0


Segment: TypeAlias = bytes | FileSegment


@attrs.frozen(kw_only=True)
class EncodedBody:
    """A body ready to send: its segments, exact length and content type."""

    segments: tuple[Segment, ...] = ()
    length: int = 0
    content_type: str | None = None
    #: Whether ``content_type`` must replace the request's own (a multipart boundary must).
    replaces_content_type: bool = False

    @property
    def empty(self) -> bool:
        """Whether there is no body at all."""
        return not self.segments

    def in_memory(self) -> bytes | None:
        """The whole body when no segment is a file, else ``None`` (stream it instead)."""
        if any(isinstance(s, FileSegment) for s in self.segments):
            return None
        return b"".join(s for s in self.segments if isinstance(s, bytes))

    def chunks(self) -> Iterator[bytes]:
        """The body in chunks of at most :data:`CHUNK_SIZE` bytes, files read lazily."""
        for segment in self.segments:
            if isinstance(segment, bytes):
                yield from _slices(segment)
                continue
            with open(segment.path, "rb") as handle:
                handle.seek(segment.offset)
                yield from _file_chunks(handle, segment)

    async def achunks(self) -> AsyncIterator[bytes]:
        """:meth:`chunks` for an event loop: disk reads run in a worker thread."""
        for segment in self.segments:
            if isinstance(segment, bytes):
                for piece in _slices(segment):
                    yield piece
                continue
            handle = await to_thread_owned(_close, _open, segment.path)
            try:
                await asyncio.to_thread(handle.seek, segment.offset)
                left = segment.size
                while left > 0:
                    data = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, left))
                    left -= _checked(data, segment)
                    yield data
            finally:
                # Not awaited: a cancelled send (the server answered early) must still close.
                handle.close()


def _open(path: str) -> IO[bytes]:
    return open(path, "rb")  # closed by achunks, or by to_thread_owned if cancelled


def _close(handle: IO[bytes]) -> None:
    handle.close()


def _slices(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK_SIZE):
        yield data[start : start + CHUNK_SIZE]


def _file_chunks(handle: IO[bytes], segment: FileSegment) -> Iterator[bytes]:
    left = segment.size
    while left > 0:
        data = handle.read(min(CHUNK_SIZE, left))
        left -= _checked(data, segment)
        yield data


def _checked(data: bytes, segment: FileSegment) -> int:
    # The Content-Length was announced from the size on disk; a file that shrinks since
    # must fail the upload rather than leave the server waiting for bytes that never come.
    if not data:
        raise OSError(f"{segment.path!r} became shorter than {segment.size} bytes during upload")
    return len(data)


def encode_body(body: Body) -> EncodedBody:
    """Encode ``body`` for sending. Raises ``OSError`` if a file to upload cannot be read."""
    if isinstance(body, NoBody):
        return EncodedBody()
    if isinstance(body, JsonBody):
        return EncodedBody(
            segments=(body.data,), length=len(body.data), content_type="application/json"
        )
    if isinstance(body, RawBody):
        return EncodedBody(
            segments=(body.data,), length=len(body.data), content_type=body.content_type
        )
    if isinstance(body, FileRangeBody):
        return _file_range(body)
    return encode_multipart(body, boundary=f"together-fn-{secrets.token_hex(16)}")


def _file_range(body: FileRangeBody) -> EncodedBody:
    # Checked now, so that a range past the end fails before anything is sent.
    size = os.stat(body.path).st_size
    if body.offset + body.length > size:
        raise OSError(
            f"{body.path!r} has {size} bytes, fewer than {body.offset} + {body.length} to send"
        )
    segment = FileSegment(path=body.path, size=body.length, offset=body.offset)
    return EncodedBody(segments=(segment,), length=body.length, content_type=body.content_type)


def encode_multipart(body: MultipartBody, *, boundary: str) -> EncodedBody:
    """``multipart/form-data`` (RFC 7578) as segments: fields first, then files."""
    segments: list[Segment] = []
    for name, value in body.fields:
        disposition = f'form-data; name="{_quote(name)}"'
        segments.append(_part_head(boundary, disposition, None) + value.encode() + b"\r\n")
    for part in body.files:
        segments.extend(_file_part(boundary, part))
    segments.append(f"--{boundary}--\r\n".encode())
    merged = _merge_bytes(segments)
    length = sum(s.size if isinstance(s, FileSegment) else len(s) for s in merged)
    return EncodedBody(
        segments=merged,
        length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
        replaces_content_type=True,
    )


def _file_part(boundary: str, part: FilePart) -> list[Segment]:
    disposition = f'form-data; name="{_quote(part.name)}"; filename="{_quote(part.filename)}"'
    head = _part_head(boundary, disposition, part.content_type)
    if part.data is not None:
        return [head, part.data, b"\r\n"]
    assert part.path is not None  # FilePart guarantees exactly one of path and data
    return [head, FileSegment(path=part.path, size=os.stat(part.path).st_size), b"\r\n"]


def _part_head(boundary: str, disposition: str, content_type: str | None) -> bytes:
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _quote(name: str) -> str:
    # WHATWG's multipart/form-data encoding: these three would end the quoted string or line.
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _merge_bytes(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] = merged[-1] + segment
        else:
            merged.append(segment)
    return tuple(merged)


S = TypeVar("S")


def body_to_send(
    request: HttpRequest, streamed: Callable[[EncodedBody], S]
) -> tuple[bytes | S | None, dict[str, str]]:
    """The body to hand a library (``None``, bytes, or ``streamed(encoded)`` when files are
    read as it is sent) and the headers that go with it.

    A file that cannot be read is an ``APIConnectionError`` reported as possibly sent: not
    a network failure, and retrying cannot help, so a retry policy gives up on
    non-retryable calls at once.
    """
    simple = in_memory_request(request)  # most calls: no encoding step
    if simple is not None:
        return simple
    try:
        encoded = encode_body(request.body)
    except OSError as exc:
        raise connection_error(
            request, "could not read the file to upload", exc, request_sent=True
        ) from None
    headers = send_headers(request, encoded)
    if encoded.empty:
        return None, headers
    whole = encoded.in_memory()
    return (whole if whole is not None else streamed(encoded)), headers


def in_memory_request(request: HttpRequest) -> tuple[bytes | None, dict[str, str]] | None:
    """The body and headers to send for a body already in memory (none, JSON or raw bytes):
    what :func:`encode_body` and :func:`send_headers` give, without the intermediate value.
    ``None`` for the other bodies."""
    body = request.body
    headers = _own_headers(request)
    if isinstance(body, NoBody):
        return None, headers
    if isinstance(body, JsonBody):
        content_type = "application/json"
    elif isinstance(body, RawBody):
        content_type = body.content_type
    else:
        return None
    if "content-type" not in headers:
        headers["content-type"] = content_type
    headers["content-length"] = str(len(body.data))
    return body.data, headers


def _own_headers(request: HttpRequest) -> dict[str, str]:
    # Framing (length, chunking) is the body's to say, whatever the request carried.
    return {k: v for k, v in request.headers if k not in FRAMING_HEADERS}


def send_headers(request: HttpRequest, body: EncodedBody) -> dict[str, str]:
    """The headers to send: the request's own, with framing computed from ``body``."""
    headers = _own_headers(request)
    if body.content_type is not None and (
        body.replaces_content_type or "content-type" not in headers
    ):
        headers["content-type"] = body.content_type
    if not body.empty:
        headers["content-length"] = str(body.length)
    return headers


# --- error text ---------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """``url`` without its query and credentials: a signed URL's query is a secret."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def too_large(request: HttpRequest, what: str, limit: int) -> ResponseTooLargeError:
    """The error for a body over a transport's ``max_response_bytes``."""
    text = connection_error(
        request, f"{what}, over the {limit}-byte limit", None, request_sent=True
    )
    return ResponseTooLargeError(message=text.message, limit=limit)


def scrub(text: str, request: HttpRequest) -> str:
    """``text`` with every secret of ``request`` (header values, query) blotted out."""
    secrets_seen: list[str] = []
    for name, value in request.headers:
        if name in SECRET_HEADERS and value:
            secrets_seen.append(value)
            secrets_seen.extend(w for w in value.split() if len(w) >= 8)
    secrets_seen.extend(v for _, v in request.query if len(v) >= 8)
    query = urlsplit(request.url).query
    if query:
        secrets_seen.append(query)
    for secret in sorted(set(secrets_seen), key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return _URL_QUERY.sub(r"\1?<redacted>", text)


_URL_QUERY = re.compile(r"(\bhttps?://[^\s?'\"]+)\?[^\s'\"]+")


def connection_error(
    request: HttpRequest,
    what: str,
    cause: BaseException | None,
    *,
    request_sent: bool,
    timeout: bool = False,
) -> APIConnectionError:
    """The error value for a failed exchange, its message free of secrets."""
    detail = f": {describe(cause)}" if cause is not None else ""
    message = scrub(f"{request.method.value} {safe_url(request.url)}: {what}{detail}", request)
    if timeout:
        return APITimeoutError(message=message, request_sent=request_sent)
    return APIConnectionError(message=message, request_sent=request_sent)


def describe(cause: BaseException) -> str:
    """A short account of a library exception: its type and text, bounded."""
    text = str(cause).strip()
    name = type(cause).__name__
    shown = f"{name}({text})" if text else name
    return shown if len(shown) <= 300 else shown[:300] + "..."
