"""HTTP values: what is sent and what comes back, as plain immutable data.

Nothing here performs I/O. Transports in ``executors/`` turn an :class:`HttpRequest`
into bytes on a socket and bytes back into an :class:`HttpResponse`.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Mapping
from typing import TypeAlias
from urllib.parse import urlencode, urlsplit

import attrs

from together_fn._fast_structure import fast_constructor

Headers: TypeAlias = tuple[tuple[str, str], ...]
Query: TypeAlias = tuple[tuple[str, str], ...]

#: Header names whose values are never shown in a repr, log line or cassette.
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "proxy-authorization", "cookie"})

#: JSON body fields that carry third-party credentials (Hugging Face, W&B tokens).
SECRET_FIELDS = frozenset(
    {"hf_token", "hf_api_token", "wandb_api_key", "api_key", "token", "password", "secret"}
    # A deployment secret's value (``/deployments/secrets``).
    | {"value"}
    # An external judge's or evaluated model's key (``/evaluation``).
    | {"external_api_token"}
)


def redact_json(value: object) -> object:
    """``value`` with the values of :data:`SECRET_FIELDS` replaced, at any depth."""
    if isinstance(value, dict):
        return {
            k: "<redacted>" if k in SECRET_FIELDS and v is not None else redact_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


class Method(enum.StrEnum):
    """HTTP methods the Together API uses."""

    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"


def to_headers(items: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Headers:
    """Normalize headers to a tuple of ``(lowercase-name, value)`` pairs."""
    if items is None:
        return ()
    pairs = items.items() if isinstance(items, Mapping) else items
    return tuple((str(k).lower(), str(v)) for k, v in pairs)


def to_query(items: Mapping[str, object] | Iterable[tuple[str, object]] | None) -> Query:
    """Normalize query parameters; ``None`` values are dropped, booleans are ``true``/``false``."""
    if items is None:
        return ()
    pairs = items.items() if isinstance(items, Mapping) else items
    return tuple((str(k), _query_value(v)) for k, v in pairs if v is not None)


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def header(headers: Headers, name: str) -> str | None:
    """The last value of header ``name`` (case-insensitive), or ``None``."""
    wanted = name.lower()
    found = None
    for key, value in headers:
        if key == wanted:
            found = value
    return found


def redact_headers(headers: Headers) -> Headers:
    """Headers with secret values replaced, for display and cassettes."""
    return tuple((k, "<redacted>" if k in SECRET_HEADERS else v) for k, v in headers)


@attrs.frozen
class NoBody:
    """A request without a body."""


@attrs.frozen(repr=False)
class JsonBody:
    """A JSON request body, already encoded (so that building is the only encoding step).

    Its repr hides credential fields such as ``hf_token``.
    """

    data: bytes

    def __repr__(self) -> str:
        try:
            shown = json.dumps(redact_json(json.loads(self.data)), ensure_ascii=False)
        except (ValueError, RecursionError):  # a repr must never raise
            return f"JsonBody(<{len(self.data)} bytes, not JSON>)"
        return f"JsonBody({shown})"

    def json(self) -> object:
        """The body parsed back into Python values, for inspection."""
        return json.loads(self.data)


@attrs.frozen
class RawBody:
    """Opaque bytes with their content type (e.g. a ``PUT`` of a file part)."""

    data: bytes
    content_type: str = "application/octet-stream"


@attrs.frozen(kw_only=True)
class FilePart:
    """A file to stream in a multipart body: from ``path`` on disk, or from ``data`` in memory."""

    name: str
    filename: str
    path: str | None = None
    data: bytes | None = None
    content_type: str = "application/octet-stream"

    def __attrs_post_init__(self) -> None:
        if (self.path is None) == (self.data is None):
            raise ValueError("FilePart needs exactly one of path= or data=")


@attrs.frozen(kw_only=True)
class MultipartBody:
    """A ``multipart/form-data`` body: plain fields, then files streamed by the transport."""

    fields: tuple[tuple[str, str], ...] = ()
    files: tuple[FilePart, ...] = ()


@attrs.frozen(kw_only=True)
class FileRangeBody:
    """``length`` bytes of the file at ``path`` from ``offset``, streamed (a part of an upload)."""

    path: str
    offset: int = 0
    length: int
    content_type: str = "application/octet-stream"

    def __attrs_post_init__(self) -> None:
        if self.offset < 0 or self.length < 0:
            raise ValueError(f"offset and length must not be negative, got {self!r}")


Body: TypeAlias = NoBody | JsonBody | RawBody | MultipartBody | FileRangeBody

NO_BODY = NoBody()


@attrs.frozen(kw_only=True)
class Timeout:
    """Seconds to wait for a connection and between bytes of the response."""

    connect: float = 5.0
    read: float = 600.0

    def __attrs_post_init__(self) -> None:
        # Written so that NaN fails too: it would only fail later, inside the transport.
        if not (0 < self.connect < math.inf and 0 < self.read < math.inf):
            raise ValueError(f"timeouts must be positive numbers of seconds, got {self!r}")


@attrs.frozen(kw_only=True, repr=False)
class HttpRequest:
    """One HTTP request. ``url`` is a path relative to the base URL until :func:`prepare`.

    ``server`` names another API server a relative ``url`` belongs to (``"v2"`` for the
    operations the spec serves from ``https://api.together.ai/v2``); ``None`` is the base URL.
    """

    method: Method
    url: str
    query: Query = ()
    headers: Headers = ()
    body: Body = NO_BODY
    timeout: Timeout | None = None
    server: str | None = None

    def __repr__(self) -> str:
        server = f", server={self.server!r}" if self.server is not None else ""
        return (
            f"HttpRequest(method={self.method.value!r}, url={self.url!r}, query={self.query!r}, "
            f"headers={redact_headers(self.headers)!r}, body={self.body!r}, "
            f"timeout={self.timeout!r}{server})"
        )

    @property
    def full_url(self) -> str:
        """The URL with its query string."""
        return f"{self.url}?{urlencode(self.query)}" if self.query else self.url

    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive)."""
        return header(self.headers, name)

    def with_headers(self, extra: Headers) -> HttpRequest:
        """A copy with ``extra`` headers replacing those of the same name."""
        names = {k for k, _ in extra}
        kept = tuple((k, v) for k, v in self.headers if k not in names)
        return attrs.evolve(self, headers=kept + extra)

    def without_headers(self, names: frozenset[str]) -> HttpRequest:
        """A copy with the named headers removed."""
        return attrs.evolve(self, headers=tuple((k, v) for k, v in self.headers if k not in names))


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of an absolute URL (default ports made explicit)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), parts.port or default)


@attrs.frozen(kw_only=True)
class HttpResponseHead:
    """Status line and headers (header names lowercase), without the body: a stream's start."""

    status: int
    headers: Headers = ()
    url: str = ""

    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive)."""
        return header(self.headers, name)


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A complete response (header names lowercase)."""

    status: int
    headers: Headers = ()
    body: bytes = b""
    url: str = ""

    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive)."""
        return header(self.headers, name)

    @property
    def head(self) -> HttpResponseHead:
        """The response without its body."""
        return new_head(status=self.status, headers=self.headers, url=self.url)


# Every call makes these values: the same values as the classes make, made by setting their
# slots rather than through attrs' ``__init__`` (which costs twice as much).
new_request = fast_constructor(HttpRequest)
new_response = fast_constructor(HttpResponse)
new_head = fast_constructor(HttpResponseHead)
