"""Calls: what a builder returns. A request plus what to make of the answer, as data.

A :class:`Call` compares with ``==``, prints, and can be stored; it holds no key and does
no I/O. An executor performs it and :func:`interpret` reads the response.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs
from returns.result import Failure, Result, Success

from together_fn._fast_structure import fast_constructor
from together_fn.codec import decode_json, decode_value, loads
from together_fn.errors import (
    APIResponseValidationError,
    RateLimitError,
    StreamError,
    TogetherError,
    classify,
    error_fields,
    request_id_of,
)
from together_fn.http import Headers, HttpRequest, HttpResponse, HttpResponseHead
from together_fn.sse import SseEvent

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One request/response exchange whose 2xx body decodes into ``response_type``.

    ``retryable`` is false for calls that create something (a fine-tune, a batch, an
    upload): those are not re-sent once the request may have reached the server.
    ``operation`` names the OpenAPI operation, as ``"METHOD /path/{template}"``.
    """

    operation: str
    request: HttpRequest
    response_type: Any
    retryable: bool = True


@attrs.frozen(kw_only=True)
class StreamCall(Generic[T]):
    """A request answered by server-sent events, each decoding into ``chunk_type``.

    ``done`` is the data that ends the stream (``[DONE]`` for chat and completions); a
    stream that closes before it is an error. With ``done=None`` a clean end is success.
    """

    operation: str
    request: HttpRequest
    chunk_type: Any
    retryable: bool = True
    done: str | None = "[DONE]"


@attrs.frozen(kw_only=True)
class RateLimit:
    """The rate-limit headers of a response (the API may report ``remaining > limit``)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except (ValueError, OverflowError):  # not a number, or "inf"
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


_RATE_LIMIT_HEADERS = frozenset(
    {
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
    }
)
_NO_RATE_LIMIT = RateLimit()


def rate_limit_of(headers: Headers) -> RateLimit:
    """Read ``x-ratelimit-*`` headers."""
    # One pass over the headers; the last of repeated values wins, as with ``header``.
    found = {k: v for k, v in headers if k in _RATE_LIMIT_HEADERS}
    if not found:
        return _NO_RATE_LIMIT
    return _new_rate_limit(
        limit=_int(found.get("x-ratelimit-limit")),
        remaining=_int(found.get("x-ratelimit-remaining")),
        reset=_float(found.get("x-ratelimit-reset")),
        limit_tokens=_int(found.get("x-ratelimit-limit-tokens")),
        remaining_tokens=_int(found.get("x-ratelimit-remaining-tokens")),
    )


_new_rate_limit = fast_constructor(RateLimit)


@attrs.frozen(kw_only=True)
class Exchange(Generic[T]):
    """A call's result with what it took: the final response head, attempts and time."""

    result: Result[T, TogetherError]
    response: HttpResponseHead | None = None
    attempts: int = 1
    elapsed: float = 0.0

    @property
    def status(self) -> int | None:
        """The final HTTP status, or ``None`` if no response arrived."""
        return self.response.status if self.response else None

    @property
    def headers(self) -> Headers:
        """The final response's headers (names lowercase)."""
        return self.response.headers if self.response else ()

    @property
    def request_id(self) -> str | None:
        """``x-request-id`` (or ``cf-ray``) of the final response."""
        return request_id_of(self.headers)

    @property
    def rate_limit(self) -> RateLimit:
        """The final response's rate-limit headers."""
        return rate_limit_of(self.headers)


# Made on every call: see ``together_fn.http.new_request``.
new_call: type[Call[Any]] = fast_constructor(Call)
new_exchange: type[Exchange[Any]] = fast_constructor(Exchange)


def interpret(
    call: Call[T],
    response: HttpResponse,
    *,
    attempts: int = 1,
    elapsed: float = 0.0,
    retry_after: float | None = None,
) -> Result[T, TogetherError]:
    """A 2xx decodes into the call's type; anything else is classified into an error."""
    if 200 <= response.status < 300:
        decoded: Result[T, APIResponseValidationError] = decode_json(
            response.body, call.response_type
        )
        if isinstance(decoded, Success):
            return decoded
        return decoded.alt(
            lambda e: attrs.evolve(
                e,
                status=response.status,
                request_id=request_id_of(response.headers),
                attempts=attempts,
                elapsed=elapsed,
            )
        )
    error = classify(response, attempts=attempts, elapsed=elapsed)
    if isinstance(error, RateLimitError) and retry_after is not None:
        error = attrs.evolve(error, retry_after=retry_after)
    return Failure(error)


def interpret_event(
    call: StreamCall[T], event: SseEvent, *, received: int, request_id: str | None = None
) -> Result[T, TogetherError]:
    """Decode one event, or turn an error event (``event: error`` or ``{"error": ...}``)
    into a :class:`StreamError`."""
    try:
        payload = loads(event.data)
    except ValueError:
        if event.event == "error":
            return Failure(_stream_error(event.data, None, received, request_id))
        return Failure(
            APIResponseValidationError(
                message="stream event is not JSON",
                type_name=getattr(call.chunk_type, "__name__", "chunk"),
                problems=(f"event data: {event.data[:200]!r}",),
                body=event.data.encode(),
                request_id=request_id,
            )
        )
    if event.event == "error" or (isinstance(payload, dict) and "error" in payload):
        return Failure(_stream_error(event.data, payload, received, request_id))
    decoded = decode_value(payload, call.chunk_type)
    if isinstance(decoded, Success):
        return decoded
    return decoded.alt(lambda e: attrs.evolve(e, body=event.data.encode(), request_id=request_id))


def _stream_error(raw: str, payload: object, received: int, request_id: str | None) -> StreamError:
    fields = error_fields(payload)
    return StreamError(
        message=fields.message if fields else raw[:500],
        type=fields.type if fields else None,
        code=fields.code if fields else None,
        events_received=received,
        request_id=request_id,
    )
