"""vcrpy's v1 cassette format as values: read, written, and made from live exchanges.

The format, as vcrpy (and so pytest-recording) reads and writes it::

    interactions:
    - request: {method, uri, body, headers: {name: [value]}}
      response: {status: {code, message}, headers: {name: [values]}, body: {string: ...}}
    version: 1

Bodies are strings when they are UTF-8 and ``!!binary`` otherwise. Lines starting with ``#``
before the document say where a cassette came from; every YAML loader skips them.

Recording turns a live exchange into these values: secret headers dropped, secret values
blotted out wherever else they appear, content codings undone. Matching lives in
``matching.py``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

import attrs

from together_fn.errors import TogetherError
from together_fn.executors._bodies import FileSegment, encode_multipart
from together_fn.http import (
    SECRET_HEADERS,
    Headers,
    HttpRequest,
    HttpResponseHead,
    MultipartBody,
    header,
    redact_json,
)

CASSETTE_VERSION = 1

#: File parts larger than this are recorded as a note, not their bytes (matching ignores them).
RECORDED_FILE_LIMIT = 64 * 1024

REDACTED = "<redacted>"


@attrs.frozen(auto_exc=False, kw_only=True)
class CassetteError(TogetherError):
    """A cassette cannot be read or written, or holds no recording for a request.

    Deliberately not an ``APIConnectionError``: asking the same cassette again gives the
    same answer, so no retry policy should ever retry it.
    """

    cassette: str = ""


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """A request as a cassette stores it (secret headers already removed)."""

    method: str
    uri: str
    body: bytes | None = None
    headers: Headers = ()


@attrs.frozen(kw_only=True)
class RecordedResponse:
    """A response as a cassette stores it."""

    status: int
    message: str = ""
    headers: Headers = ()
    body: bytes = b""


@attrs.frozen(kw_only=True)
class Interaction:
    """One recorded exchange."""

    request: RecordedRequest
    response: RecordedResponse


@attrs.frozen(kw_only=True)
class Cassette:
    """A sequence of interactions; ``comments`` are the leading ``#`` lines (provenance)."""

    interactions: tuple[Interaction, ...] = ()
    comments: tuple[str, ...] = ()
    source: str = "<memory>"


# --- reading and writing ----------------------------------------------------------------


@functools.cache
def _loader() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """A safe loader that also reads the plain Python tags older vcrpy versions wrote."""

    def scalar(loader: Any, node: Any) -> Any:
        return loader.construct_scalar(node)

    def sequence(loader: Any, node: Any) -> Any:
        return tuple(loader.construct_sequence(node))

    Loader.add_constructor("tag:yaml.org,2002:python/str", scalar)
    Loader.add_constructor("tag:yaml.org,2002:python/unicode", scalar)
    Loader.add_constructor("tag:yaml.org,2002:python/tuple", sequence)
    return Loader


def parse_cassette(text: str, *, source: str = "<memory>") -> Cassette:
    """Read a cassette from YAML text. Raises :class:`CassetteError` if it is not one."""
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CassetteError(message=f"{source} is not valid YAML: {exc}", cassette=source) from None
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[1:].strip())
    try:
        interactions = tuple(_interaction(item) for item in data["interactions"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CassetteError(
            message=f"{source} is not a vcrpy v1 cassette ({type(exc).__name__}: {exc})",
            cassette=source,
        ) from None
    return Cassette(interactions=interactions, comments=tuple(comments), source=source)


def _interaction(item: Mapping[str, Any]) -> Interaction:
    req, resp = item["request"], item["response"]
    status = resp["status"] if isinstance(resp["status"], dict) else {"code": resp["status"]}
    body = resp.get("body")
    data = body.get("string") if isinstance(body, dict) else body
    return Interaction(
        request=RecordedRequest(
            method=str(req["method"]).upper(),
            uri=str(req["uri"]),
            body=_as_bytes(req.get("body")),
            headers=_headers_in(req.get("headers")),
        ),
        response=RecordedResponse(
            status=int(status["code"]),
            message=str(status.get("message") or ""),
            headers=_headers_in(resp.get("headers")),
            body=_as_bytes(data) or b"",
        ),
    )


def _as_bytes(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise ValueError(f"a body must be a string or !!binary, got {type(value).__name__}")


def _headers_in(value: object) -> Headers:
    if not value:
        return ()
    if not isinstance(value, dict):
        raise ValueError(f"headers must be a mapping, got {type(value).__name__}")
    pairs: list[tuple[str, str]] = []
    for name, values in value.items():
        for one in values if isinstance(values, list | tuple) else [values]:
            pairs.append((str(name).lower(), str(one)))
    return tuple(pairs)


def cassette_data(cassette: Cassette) -> dict[str, Any]:
    """The plain data vcrpy serializes: bodies as text when UTF-8, as bytes otherwise."""
    interactions = [
        {
            "request": {
                "method": i.request.method,
                "uri": i.request.uri,
                "body": _readable(i.request.body),
                "headers": _headers_out(i.request.headers),
            },
            "response": {
                "status": {"code": i.response.status, "message": i.response.message},
                "headers": _headers_out(i.response.headers),
                "body": {"string": _readable(i.response.body)},
            },
        }
        for i in cassette.interactions
    ]
    return {"interactions": interactions, "version": CASSETTE_VERSION}


def render_cassette(cassette: Cassette) -> str:
    """The YAML text of a cassette, as vcrpy writes it, after its comment lines."""
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    head = "".join(f"# {line}\n" for line in cassette.comments)
    return head + yaml.dump(cassette_data(cassette), Dumper=dumper)


def _readable(data: bytes | None) -> str | bytes | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _headers_out(headers: Headers) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value)
    return out


def status_message(status: int) -> str:
    """The standard reason phrase, which vcrpy needs to rebuild a response."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# --- content coding -----------------------------------------------------------------------


def decode_content(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    """Undo a ``gzip`` or ``deflate`` content coding, dropping the header that announced it.

    A body recorded after the client decoded it may still carry the header: then the header
    goes and the body stays. ``content-length`` follows the body.
    """
    coding = (header(headers, "content-encoding") or "").strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate"):
        return headers, body
    try:
        decoded = _decompress(coding, body)
    except (OSError, EOFError, zlib.error):
        return headers, body  # announced and not readable: leave it as the server sent it
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if name == "content-encoding":
            continue
        kept.append((name, str(len(decoded)) if name == "content-length" else value))
    return tuple(kept), decoded


def _decompress(coding: str, body: bytes) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    # Only zlib-wrapped deflate: its header check tells it from a body already decoded.
    wrapped = len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] * 256 + body[1]) % 31 == 0
    return zlib.decompress(body) if wrapped else body


def load_cassette(path: str | os.PathLike[str]) -> Cassette:
    """Read the cassette at ``path``. Raises :class:`CassetteError` if missing or malformed."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise CassetteError(
            message=f"cannot read cassette {source}: {exc.strerror or exc}", cassette=source
        ) from None
    return parse_cassette(text, source=source)


def save_cassette(cassette: Cassette, path: str | os.PathLike[str]) -> None:
    """Write ``cassette`` to ``path`` atomically: a reader sees the old file or the new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = render_cassette(cassette)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)  # mkstemp's 0600 would make a shipped cassette unreadable to others
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- from a live exchange ----------------------------------------------------------------


def request_bytes(request: HttpRequest) -> bytes:
    """The body of a non-multipart request (empty without one)."""
    return getattr(request.body, "data", b"")


def scrub_json_secrets(body: bytes) -> bytes:
    """A JSON body with the values of secret fields (``hf_token``, ``wandb_api_key``, a
    deployment secret's ``value``...) redacted; any other body, or one without secrets,
    byte for byte as it was."""
    if not body.lstrip().startswith((b"{", b"[")):
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return body
    redacted = redact_json(parsed)
    if redacted == parsed:
        return body
    return json.dumps(redacted, separators=(",", ":"), ensure_ascii=False).encode()


def recorded_request(request: HttpRequest) -> RecordedRequest:
    """A sent request as a cassette stores it: no secret headers, bodies as bytes."""
    headers: Headers = tuple(
        (k.lower(), v) for k, v in request.headers if k.lower() not in SECRET_HEADERS
    )
    body: bytes | None = scrub_json_secrets(request_bytes(request)) or None
    if isinstance(request.body, MultipartBody):
        content_type, body = _multipart_record(request.body)
        headers = (
            *((k, v) for k, v in headers if k != "content-type"),
            ("content-type", content_type),
        )
    return RecordedRequest(
        method=request.method.value, uri=request.full_url, body=body, headers=headers
    )


def _multipart_record(body: MultipartBody) -> tuple[str, bytes]:
    # A boundary derived from the form, so that re-recording the same upload gives the same file.
    names = repr((body.fields, [(f.name, f.filename, f.content_type) for f in body.files]))
    boundary = f"together-fn-{hashlib.sha256(names.encode()).hexdigest()[:32]}"
    encoded = encode_multipart(body, boundary=boundary)
    data = b"".join(_segment_bytes(s) for s in encoded.segments)
    return encoded.content_type or f"multipart/form-data; boundary={boundary}", data


def _segment_bytes(segment: bytes | FileSegment) -> bytes:
    if isinstance(segment, bytes):
        return segment
    if segment.size > RECORDED_FILE_LIMIT:
        return f"<{segment.size} bytes of {Path(segment.path).name} not recorded>".encode()
    return Path(segment.path).read_bytes()


def recorded_response(head: HttpResponseHead, body: bytes) -> RecordedResponse:
    """A received response as a cassette stores it: decoded, with its reason phrase."""
    headers, decoded = decode_content(tuple((k.lower(), v) for k, v in head.headers), body)
    return RecordedResponse(
        status=head.status, message=status_message(head.status), headers=headers, body=decoded
    )


def secrets_of(request: HttpRequest) -> set[str]:
    """The values of a request's secret headers (and their long words, like a bearer token)."""
    found: set[str] = set()
    for name, value in request.headers:
        if name.lower() in SECRET_HEADERS:
            found.update(part for part in (value, *value.split()) if len(part) >= 8)
    return found


def scrubbed(interaction: Interaction, secrets: set[str]) -> Interaction:
    """``interaction`` with every occurrence of ``secrets`` replaced by :data:`REDACTED`."""
    if not secrets:
        return interaction
    ordered = sorted(secrets, key=len, reverse=True)

    def text(value: str) -> str:
        for secret in ordered:
            value = value.replace(secret, REDACTED)
        return value

    def data(value: bytes) -> bytes:
        for secret in ordered:
            value = value.replace(secret.encode(), REDACTED.encode())
        return value

    req, resp = interaction.request, interaction.response
    return Interaction(
        request=attrs.evolve(
            req,
            uri=text(req.uri),
            body=None if req.body is None else data(req.body),
            headers=tuple((k, text(v)) for k, v in req.headers),
        ),
        response=attrs.evolve(
            resp, headers=tuple((k, text(v)) for k, v in resp.headers), body=data(resp.body)
        ),
    )
