"""Uploading a local file as the API does it: requests, plan, state and decisions, no I/O.

Up to the multipart threshold, ``POST /files`` (form fields) answers with a redirect to a
signed storage URL and the new file's id; the bytes are ``PUT`` there, without the API key;
``POST /files/{id}/preprocess`` then answers with the :class:`FileResponse`. Above it,
``/files/multipart/initiate`` hands out one signed URL per part, the parts are ``PUT`` in
parallel, ``/files/multipart/complete`` assembles them and ``abort`` discards them.

None of these steps is in the OpenAPI spec, so the builders are not registered operations
(the spec's own ``POST /files/upload`` is :func:`together_fn.api.files.upload_file_form`).
``upload_flow.py`` strings the steps together; ``executors/upload.py`` performs them.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs

from together_fn.api._build import path_param
from together_fn.calls import Call
from together_fn.codec import decode_json, encode_json
from together_fn.http import FileRangeBody, HttpRequest, JsonBody, Method, RawBody, Timeout
from together_fn.models.files import FILE_PURPOSES, FILE_TYPES, FileResponse

MIB = 1024 * 1024
GIB = 1024 * MIB
#: Files larger than this go through the multipart flow (as the official SDKs do).
MULTIPART_THRESHOLD = 5 * GIB
#: The size aimed at for each part; parts are balanced, and there are at most MAX_PARTS.
PART_SIZE = 250 * MIB
MAX_PARTS = 250
STATE_FORMAT = "together-fn-upload/1"


# --- plan ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PartRange:
    """The bytes of part ``part_number`` (numbered from 1)."""

    part_number: int
    offset: int
    length: int


@attrs.frozen(kw_only=True)
class UploadPlan:
    """One ``PUT`` of the whole file, or balanced parts of at most ``part_size`` bytes."""

    size: int
    multipart: bool
    part_size: int
    parts: tuple[PartRange, ...]


def part_ranges(size: int, part_size: int) -> tuple[PartRange, ...]:
    """``size`` bytes cut into parts of ``part_size`` (the last one shorter)."""
    count = max(1, math.ceil(size / part_size))
    return tuple(
        PartRange(
            part_number=i + 1, offset=i * part_size, length=min(part_size, size - i * part_size)
        )
        for i in range(count)
    )


def plan_upload(
    size: int,
    *,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    part_size: int = PART_SIZE,
    max_parts: int = MAX_PARTS,
) -> UploadPlan:
    """How to upload ``size`` bytes: single above nothing, multipart above the threshold."""
    if size < 0 or multipart_threshold < 0 or part_size <= 0 or max_parts <= 0:
        raise ValueError("sizes must not be negative, part_size and max_parts must be positive")
    if size <= multipart_threshold:
        whole = PartRange(part_number=1, offset=0, length=size)
        return UploadPlan(size=size, multipart=False, part_size=size, parts=(whole,))
    count = min(max_parts, math.ceil(size / part_size))
    each = math.ceil(size / count)  # balanced, so that the cap on parts never leaves a tail
    return UploadPlan(size=size, multipart=True, part_size=each, parts=part_ranges(size, each))


# --- signed URLs ---------------------------------------------------------------------------

_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$")


def check_target(url: str, *, allow_insecure: bool = False) -> str | None:
    """Why the file must not be sent to ``url``, or ``None`` if it may.

    A signed URL comes from the server; a compromised or misconfigured one must not make us
    send a dataset over plain HTTP or to this machine's or its network's own services.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return "is not an absolute http(s) URL"
    if allow_insecure:
        return None
    if parts.scheme != "https":
        return "is not https"
    if host == "localhost" or host.endswith(".localhost"):
        return "points at localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # Forms like ``127.1`` or ``0x7f.1`` are not addresses to ``ipaddress`` but are to
        # the resolver: refuse them rather than guess what they reach.
        return "has an unusual numeric host" if _NUMERIC_HOST.match(host) else None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    ):
        return "points at a loopback, private or reserved address"
    return None


# --- resumable state -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LocalFile:
    """The file to upload, as it was on disk when the upload started."""

    path: str
    file_name: str
    file_type: str
    size: int
    mtime_ns: int
    sha256: str | None = None


@attrs.frozen(kw_only=True)
class UploadPart:
    """A part's signed URL (a credential: never shown) and the headers to send with it."""

    part_number: int
    url: str = attrs.field(repr=False)
    headers: dict[str, str] | None = None


@attrs.frozen(kw_only=True)
class MultipartUpload:
    """The answer to ``POST /files/multipart/initiate``."""

    upload_id: str
    file_id: str
    parts: tuple[UploadPart, ...] = ()


@attrs.frozen(kw_only=True)
class CompletedPart:
    """A part the storage accepted, with the ``ETag`` it answered."""

    part_number: int
    etag: str


@attrs.frozen(kw_only=True)
class UploadState:
    """What an interrupted multipart upload needs to continue (contains signed URLs)."""

    file: LocalFile
    purpose: str
    part_size: int
    upload: MultipartUpload
    done: tuple[CompletedPart, ...] = ()
    format: str = STATE_FORMAT


def state_to_json(state: UploadState) -> bytes:
    """The state as JSON, to be written to the state file."""
    return encode_json(state)


def state_from_json(data: bytes) -> UploadState | None:
    """The state read back, or ``None`` if ``data`` is not a state this version can use."""
    state: UploadState | None = decode_json(data, UploadState).value_or(None)
    return state if state is not None and state.format == STATE_FORMAT else None


@attrs.frozen
class Resume:
    """Continue ``state``: only its missing parts are sent."""

    state: UploadState


@attrs.frozen
class StartOver:
    """Start a new upload; ``stale`` is a saved one to abort first (the file changed)."""

    stale: UploadState | None = None


def resume_or_start(
    saved: UploadState | None, local: LocalFile, *, purpose: str, multipart: bool
) -> Resume | StartOver:
    """Whether a saved state still describes this file, unchanged, for this purpose."""
    if saved is None:
        return StartOver()
    if saved.part_size <= 0:
        return StartOver(stale=saved)
    old = saved.file
    same_file = (old.path, old.size, old.mtime_ns) == (local.path, local.size, local.mtime_ns)
    same_hash = old.sha256 is None or local.sha256 is None or old.sha256 == local.sha256
    layout = [r.part_number for r in part_ranges(saved.file.size, saved.part_size)]
    numbers = sorted(p.part_number for p in saved.upload.parts)
    if multipart and same_file and same_hash and saved.purpose == purpose and layout == numbers:
        return Resume(saved)
    return StartOver(stale=saved)


def missing_parts(state: UploadState) -> tuple[UploadPart, ...]:
    """The parts not yet accepted by the storage."""
    done = {p.part_number for p in state.done}
    return tuple(p for p in state.upload.parts if p.part_number not in done)


def record_part(state: UploadState, part: CompletedPart) -> UploadState:
    """``state`` with ``part`` done (kept in part order)."""
    others = tuple(p for p in state.done if p.part_number != part.part_number)
    done = tuple(sorted((*others, part), key=lambda p: p.part_number))
    return attrs.evolve(state, done=done)


@attrs.frozen(kw_only=True)
class UploadProgress:
    """A progress event: ``stage`` is one of ``started``, ``resumed``, ``part``,
    ``uploaded``, ``done``."""

    stage: str
    bytes_sent: int
    total_bytes: int
    part_number: int | None = None


def progress_of(state: UploadState, stage: str, part_number: int | None = None) -> UploadProgress:
    """How far a multipart upload is."""
    ranges = {r.part_number: r.length for r in part_ranges(state.file.size, state.part_size)}
    sent = sum(ranges.get(p.part_number, 0) for p in state.done)
    return UploadProgress(
        stage=stage, bytes_sent=sent, total_bytes=state.file.size, part_number=part_number
    )


# --- builders ------------------------------------------------------------------------------


def _checked(purpose: str, file_type: str) -> None:
    if purpose not in FILE_PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(FILE_PURPOSES)}; got {purpose!r}")
    if file_type not in FILE_TYPES:
        raise ValueError(f"file_type must be jsonl, parquet or csv, got {file_type!r}")


def start_file_upload(
    *,
    file_name: str,
    file_type: str,
    purpose: str = "fine-tune",
    sha256: str | None = None,
    file_size: int | None = None,
) -> HttpRequest:
    """``POST /files`` with the file's description as form fields; answered by a redirect."""
    _checked(purpose, file_type)
    if not file_name:
        raise ValueError("file_name must not be empty")
    fields = {"purpose": purpose, "file_name": file_name, "file_type": file_type}
    if sha256 is not None:
        fields["sha256"] = sha256
    if file_size is not None:
        fields["file_size"] = str(file_size)
    body = RawBody(urlencode(fields).encode(), "application/x-www-form-urlencoded")
    return HttpRequest(method=Method.POST, url="/files", body=body)


def put_file_part(
    url: str,
    *,
    path: str,
    offset: int = 0,
    length: int,
    headers: dict[str, str] | None = None,
    timeout: Timeout | None = None,
) -> HttpRequest:
    """The ``PUT`` of a file's bytes (or a range of them) to a signed storage URL."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("a signed upload URL must be absolute")
    extra = tuple((k.lower(), v) for k, v in (headers or {}).items())
    return HttpRequest(
        method=Method.PUT,
        url=url,
        headers=(("content-type", "application/octet-stream"), *extra),
        body=FileRangeBody(path=path, offset=offset, length=length),
        timeout=timeout,
    )


def preprocess_file(file_id: str) -> Call[FileResponse]:
    """``POST /files/{id}/preprocess``: the last step of a single upload."""
    request = HttpRequest(method=Method.POST, url=f"/files/{path_param(file_id)}/preprocess")
    return Call(
        operation="POST /files/{id}/preprocess",
        request=request,
        response_type=FileResponse,
        retryable=False,
    )


def _json_call(path: str, payload: dict[str, Any], response_type: Any) -> Call[Any]:
    request = HttpRequest(method=Method.POST, url=path, body=JsonBody(encode_json(payload)))
    return Call(
        operation=f"POST {path}", request=request, response_type=response_type, retryable=False
    )


def initiate_multipart_upload(
    *, file_name: str, file_size: int, num_parts: int, purpose: str, file_type: str
) -> Call[MultipartUpload]:
    """``POST /files/multipart/initiate``: one signed URL per part."""
    _checked(purpose, file_type)
    if file_size <= 0 or num_parts <= 0:
        raise ValueError("file_size and num_parts must be positive")
    payload = {
        "file_name": file_name,
        "file_size": file_size,
        "num_parts": num_parts,
        "purpose": purpose,
        "file_type": file_type,
    }
    return _json_call("/files/multipart/initiate", payload, MultipartUpload)


def complete_multipart_upload(
    *, upload_id: str, file_id: str, parts: tuple[CompletedPart, ...]
) -> Call[FileResponse]:
    """``POST /files/multipart/complete`` with every part's ``ETag``."""
    listed = [{"part_number": p.part_number, "etag": p.etag} for p in parts]
    payload = {"upload_id": upload_id, "file_id": file_id, "parts": listed}
    return _json_call("/files/multipart/complete", payload, FileResponse)


def abort_multipart_upload(*, upload_id: str, file_id: str) -> Call[Any]:
    """``POST /files/multipart/abort``: discard the parts sent so far."""
    return _json_call("/files/multipart/abort", {"upload_id": upload_id, "file_id": file_id}, Any)
