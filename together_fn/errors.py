"""Error values that are also exceptions.

Every error is a frozen attrs class with value equality (``auto_exc=False``), so
``Failure(e1) == Failure(e2)`` holds in tests, and each can still be raised. The blame is
in the type: :class:`APIStatusError` (the server said no), :class:`APIConnectionError`
(the network failed), :class:`APIResponseValidationError` (a 2xx we could not decode),
:class:`StreamError` (an error event, or a stream cut short).

The hierarchy follows the current official SDK; the old SDK's names are kept as aliases
or intermediate classes so that code written for either catches what it expects.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from together_fn.http import Headers, HttpResponse, header

#: ``str()`` of an error never shows more than this much of a response body.
BODY_EXCERPT_LIMIT = 500
#: ... and no more than this of a type, code, param or request id.
SHORT_LIMIT = 100


def excerpt(text: str, limit: int = BODY_EXCERPT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


@attrs.frozen(auto_exc=False, kw_only=True)
class TogetherError(Exception):
    """Base of every error this library returns or raises."""

    message: str = ""

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle (and copy) through their positional args, which attrs leaves
        # empty: rebuild from the fields, so an error survives multiprocessing intact.
        return (_rebuild, (type(self), attrs.asdict(self, recurse=False)))


def _rebuild(cls: type[TogetherError], fields: dict[str, Any]) -> TogetherError:
    return cls(**fields)


TogetherException = TogetherError


@attrs.frozen(auto_exc=False, kw_only=True)
class APIError(TogetherError):
    """An error that happened while talking to the API."""

    attempts: int = 1
    elapsed: float = 0.0


@attrs.frozen(auto_exc=False, kw_only=True)
class APIStatusError(APIError):
    """The server answered with a non-success status.

    Carries what the server said, parsed from the spec's ``ErrorData``
    (``{"error": {"message", "type", "param", "code"}}``) or from any other shape seen in
    the wild, and the raw body, which ``str()`` never shows in full.
    """

    status: int | None = None
    headers: Headers = attrs.field(default=(), repr=False)
    request_id: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    body: bytes = attrs.field(default=b"", repr=False)

    def __str__(self) -> str:
        parts = [f"{self.status}" if self.status is not None else "error"]
        if self.type:
            parts.append(f"[{excerpt(self.type, SHORT_LIMIT)}]")
        if self.code:
            parts.append(f"({excerpt(self.code, SHORT_LIMIT)})")
        text = " ".join(parts) + f": {excerpt(self.message)}"
        if self.param:
            text += f" (param: {excerpt(self.param, SHORT_LIMIT)})"
        if self.request_id:
            text += f" (request id: {excerpt(self.request_id, SHORT_LIMIT)})"
        return text

    @property
    def http_status(self) -> int | None:
        """The old SDK's name for :attr:`status`."""
        return self.status

    @property
    def retry_after_header(self) -> str | None:
        """The raw ``Retry-After`` header, if any."""
        return header(self.headers, "retry-after")


class InvalidRequestError(APIStatusError):
    """The old SDK's base of the 4xx errors that blame the request."""

    __slots__ = ()


class BadRequestError(InvalidRequestError):
    """HTTP 400."""

    __slots__ = ()


class AuthenticationError(APIStatusError):
    """HTTP 401, or no API key at all (then ``status`` is ``None``)."""

    __slots__ = ()


class PaymentRequiredError(APIStatusError):
    """HTTP 402: the account's credit limit is exhausted."""

    __slots__ = ()


class PermissionDeniedError(InvalidRequestError):
    """HTTP 403."""

    __slots__ = ()


class NotFoundError(InvalidRequestError):
    """HTTP 404."""

    __slots__ = ()


class ConflictError(APIStatusError):
    """HTTP 409."""

    __slots__ = ()


class UnsupportedMediaTypeError(InvalidRequestError):
    """HTTP 415."""

    __slots__ = ()


class UnprocessableEntityError(InvalidRequestError):
    """HTTP 422."""

    __slots__ = ()


@attrs.frozen(auto_exc=False, kw_only=True)
class RateLimitError(APIStatusError):
    """HTTP 429. ``retry_after`` is the server's requested wait in seconds, when it gave one."""

    retry_after: float | None = None


class InternalServerError(APIStatusError):
    """HTTP 500 and above."""

    __slots__ = ()


class ServiceUnavailableError(InternalServerError):
    """HTTP 503."""

    __slots__ = ()


ResponseError = APIStatusError


@attrs.frozen(auto_exc=False, kw_only=True)
class APIConnectionError(APIError):
    """The request could not be completed: refused, reset, closed mid-body, DNS failure.

    ``request_sent`` is false only when the request certainly never left (no connection was
    made), which makes even a non-idempotent call safe to retry.
    """

    request_sent: bool = True

    def __str__(self) -> str:
        return f"connection error: {self.message}"


@attrs.frozen(auto_exc=False, kw_only=True)
class APITimeoutError(APIConnectionError):
    """No connection, or no bytes, within the configured timeout or deadline."""

    def __str__(self) -> str:
        return f"timed out: {self.message}"


Timeout = APITimeoutError


@attrs.frozen(auto_exc=False, kw_only=True)
class ResponseTooLargeError(APIConnectionError):
    """A response body longer than the transport's ``max_response_bytes``: never retried."""

    limit: int = 0

    def __str__(self) -> str:
        return f"response too large: {self.message}"


@attrs.frozen(auto_exc=False, kw_only=True)
class APIResponseValidationError(APIError):
    """A success status whose body does not decode into the expected model."""

    status: int | None = None
    request_id: str | None = None
    type_name: str = ""
    problems: tuple[str, ...] = ()
    body: bytes = attrs.field(default=b"", repr=False)

    def __str__(self) -> str:
        shown = "; ".join(self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        body = excerpt(self.body.decode("utf-8", "replace"), 200)
        return f"could not decode {self.type_name}: {excerpt(shown)}{more}; body: {body!r}"


JSONError = APIResponseValidationError


@attrs.frozen(auto_exc=False, kw_only=True)
class StreamError(APIError):
    """An error event inside a stream, or a stream that ended before its terminator."""

    type: str | None = None
    code: str | None = None
    request_id: str | None = None
    events_received: int = 0

    def __str__(self) -> str:
        kind = f"[{excerpt(self.type, SHORT_LIMIT)}] " if self.type else ""
        return f"stream error after {self.events_received} events: {kind}{excerpt(self.message)}"


class ConfigurationError(TogetherError):
    """The client was configured with a value it cannot use."""

    __slots__ = ()


class DownloadError(TogetherError):
    """A download failed; nothing was left under the final name."""

    __slots__ = ()


class FileTypeError(TogetherError):
    """A local file has the wrong type or format for the requested purpose."""

    __slots__ = ()


InvalidFileFormatError = FileTypeError


@attrs.frozen(auto_exc=False, kw_only=True)
class WaitTimeoutError(TogetherError):
    """A job was still unfinished when the wait policy's timeout passed.

    ``last_status`` is the status (or state) of the last value polled.
    """

    last_status: str | None = None
    polls: int = 0
    elapsed: float = 0.0


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_class(status: int) -> type[APIStatusError]:
    """The error class for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return InternalServerError
    if 400 <= status < 500:
        return InvalidRequestError
    return APIStatusError


def request_id_of(headers: Headers) -> str | None:
    """The request id the server (or its CDN) attached to a response."""
    return header(headers, "x-request-id") or header(headers, "cf-ray")


@attrs.frozen(kw_only=True)
class ErrorFields:
    """What the server said about an error, whatever shape it said it in."""

    message: str
    type: str | None = None
    code: str | None = None
    param: str | None = None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def error_fields(payload: object) -> ErrorFields | None:
    """Read the error out of any JSON shape seen from Together or the spec.

    Shapes: ``{"error": {...}}`` (``ErrorData``, optionally beside a top-level ``id``),
    ``{"error": "text"}``, ``{"message", "type", "code", "param"}`` unwrapped,
    ``{"detail": "text" | [...]}`` (validation errors), ``{"code", "message"}``.
    """
    if not isinstance(payload, dict):
        return None
    inner: Any = payload.get("error")
    if isinstance(inner, dict):
        return _fields_of(inner) or ErrorFields(message=_text(inner) or "")
    if isinstance(inner, str):
        return ErrorFields(
            message=inner, type=_text(payload.get("type")), code=_text(payload.get("code"))
        )
    if "detail" in payload:
        return ErrorFields(message=_text(payload["detail"]) or "")
    return _fields_of(payload)


def _fields_of(obj: dict[str, Any]) -> ErrorFields | None:
    message = obj.get("message", obj.get("msg"))
    if message is None:
        return None
    return ErrorFields(
        message=_text(message) or "",
        type=_text(obj.get("type", obj.get("type_"))),
        code=_text(obj.get("code")),
        param=_text(obj.get("param")),
    )


def _fallback_message(response: HttpResponse) -> str:
    text = response.body.decode("utf-8", "replace").strip()
    if not text:
        return f"HTTP {response.status} with an empty body"
    content_type = (response.header("content-type") or "").lower()
    if "html" in content_type or text[:1] == "<":
        return f"HTTP {response.status} with an HTML body (likely a proxy or gateway page)"
    # Leave room for excerpt's suffix, so that str() does not cut the excerpt a second time.
    return excerpt(text, BODY_EXCERPT_LIMIT - 40)


def parse_retry_after_seconds(value: str | None) -> float | None:
    """A numeric ``Retry-After`` in seconds (dates are handled by ``retry.py``)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def classify(
    response: HttpResponse,
    *,
    attempts: int = 1,
    elapsed: float = 0.0,
    retry_after: float | None = None,
) -> APIStatusError:
    """Turn a non-success response into the matching error value. Never raises."""
    fields: ErrorFields | None = None
    try:
        fields = error_fields(json.loads(response.body)) if response.body else None
    except (ValueError, RecursionError):
        fields = None
    if fields is None:
        fields = ErrorFields(message=_fallback_message(response))
    cls = error_class(response.status)
    common: dict[str, Any] = {
        "message": fields.message or f"HTTP {response.status}",
        "status": response.status,
        "headers": response.headers,
        "request_id": request_id_of(response.headers),
        "type": fields.type,
        "code": fields.code,
        "param": fields.param,
        "body": response.body,
        "attempts": attempts,
        "elapsed": elapsed,
    }
    if cls is RateLimitError:
        return RateLimitError(retry_after=retry_after, **common)
    return cls(**common)
