"""Multi-step behaviour written once: generators that yield effects and receive outcomes.

A flow never touches the network, the clock or ``sleep``; it yields :class:`Send`,
:class:`Read`, :class:`Sleep` and :class:`Emit` and is sent back what happened. The sync and
async drivers in ``executors/`` are the only code that performs those effects, so retrying,
redirects and streaming behave identically under both, and a test can drive a flow by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeAlias, TypeVar, cast
from urllib.parse import urljoin

import attrs
from returns.result import Failure, Result, Success

from together_fn.calls import (
    Call,
    Exchange,
    StreamCall,
    interpret,
    interpret_event,
    new_exchange,
)
from together_fn.config import ClientConfig, prepare
from together_fn.errors import (
    APIConnectionError,
    APITimeoutError,
    StreamError,
    TogetherError,
    classify,
    request_id_of,
)
from together_fn.http import (
    NO_BODY,
    SECRET_HEADERS,
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    Method,
    Timeout,
    origin,
)
from together_fn.retry import GiveUp, Retry, decide
from together_fn.sse import INITIAL, feed

T = TypeVar("T")
E = TypeVar("E", bound=TogetherError)

MAX_REDIRECTS = 10
#: The most bytes one stream event may hold while it is read (far beyond any real event).
MAX_EVENT_BYTES = 64 * 1024 * 1024


@attrs.frozen
class Send:
    """Send ``request``; with ``stream``, answer with the head and keep the body open."""

    request: HttpRequest
    stream: bool = False


@attrs.frozen
class Read:
    """Read the next chunk of the open stream (``b""`` at its end)."""


@attrs.frozen
class Sleep:
    """Wait ``seconds``."""

    seconds: float


@attrs.frozen
class Emit:
    """Hand ``item`` to the consumer of a stream."""

    item: Any


@attrs.frozen
class EmitEach:
    """Hand each of ``items`` to the consumer of a stream, in order.

    A stream emits the events of each chunk it reads at once: one effect per chunk, not one
    per event, keeps the drivers' work per event to a ``yield``.
    """

    items: tuple[Any, ...]


Effect: TypeAlias = Send | Read | Sleep | Emit | EmitEach


@attrs.frozen(kw_only=True)
class Clock:
    """The ambient inputs a flow needs, injected: monotonic and wall time, a random draw."""

    monotonic: Callable[[], float]
    wall: Callable[[], float]
    random: Callable[[], float]


RequestFlow: TypeAlias = Generator[Effect, Any, Exchange[T]]
StreamFlow: TypeAlias = Generator[Effect, Any, Exchange[None]]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def redirect(request: HttpRequest, head: HttpResponseHead) -> HttpRequest | None:
    """The request to send after a redirect, or ``None`` if ``head`` is not one.

    307/308 keep the method and body; 301/302/303 become a ``GET`` without a body (as
    browsers and requests do). Credentials never follow a redirect to another origin.
    """
    location = head.header("location")
    if head.status not in _REDIRECTS or not location:
        return None
    target = urljoin(request.url, location)
    following = attrs.evolve(request, url=target, query=())
    if head.status in (301, 302, 303) and request.method is not Method.HEAD:
        following = attrs.evolve(following, method=Method.GET, body=NO_BODY).without_headers(
            frozenset({"content-type", "content-length"})
        )
    if origin(target) != origin(request.url):
        following = following.without_headers(SECRET_HEADERS)
    return following


def _bounded(request: HttpRequest, remaining: float | None) -> HttpRequest:
    if remaining is None or request.timeout is None:
        return request
    timeout = request.timeout
    return attrs.evolve(
        request,
        timeout=Timeout(connect=min(timeout.connect, remaining), read=min(timeout.read, remaining)),
    )


class _Attempts:
    """Book-keeping shared by the request and stream flows (never leaves a flow)."""

    __slots__ = ("call", "clock", "policy", "redirects", "retries", "secret", "start")

    def __init__(self, call: Call[Any] | StreamCall[Any], config: ClientConfig, clock: Clock):
        self.call = call
        self.policy = config.retry
        self.secret = config.api_key
        self.clock = clock
        self.start = clock.monotonic()
        self.retries = 0
        self.redirects = 0

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.start

    def remaining(self) -> float | None:
        if self.policy.deadline is None:
            return None
        return self.policy.deadline - self.elapsed()

    def out_of_time(self) -> APITimeoutError:
        # Checked before an attempt: the one about to start never happened.
        return APITimeoutError(
            message=f"the {self.policy.deadline:g}s deadline passed",
            attempts=self.retries,
            elapsed=self.elapsed(),
        )

    def decide(self, outcome: HttpResponseHead | APIConnectionError) -> Retry | GiveUp:
        return decide(
            self.policy,
            retries_done=self.retries,
            outcome=outcome,
            retryable=self.call.retryable,
            now=self.clock.wall(),
            elapsed=self.elapsed(),
            rand=self.clock.random(),
        )

    def scrubbed(self, error: E) -> E:
        return without_secret(error, self.secret)

    def failed_connection(self, failure: APIConnectionError) -> APIConnectionError:
        return attrs.evolve(failure, attempts=self.attempts, elapsed=self.elapsed())


def request_flow(call: Call[T], config: ClientConfig, clock: Clock) -> RequestFlow[T]:
    """Send ``call`` with retries and redirects; return its :class:`Exchange`."""
    book = _Attempts(call, config, clock)
    request = prepare(call.request, config)
    while True:
        if config.retry.deadline is None:  # no deadline: nothing to bound
            outcome = yield Send(request)
        else:
            remaining = book.remaining()
            if remaining is not None and remaining <= 0:
                late = book.out_of_time()
                return Exchange(result=Failure(late), attempts=book.retries, elapsed=book.elapsed())
            outcome = yield Send(_bounded(request, remaining))
        if isinstance(outcome, HttpResponse):
            # Only a redirect status can redirect: skip building a head for every answer.
            following = redirect(request, outcome.head) if outcome.status in _REDIRECTS else None
            if following is not None and book.redirects < MAX_REDIRECTS:
                book.redirects += 1
                request = following
                continue
            if 200 <= outcome.status < 300:
                return _exchange(call, outcome, book, None)
            decision = book.decide(outcome.head)
        else:
            decision = book.decide(outcome)
        if isinstance(decision, Retry):
            yield Sleep(decision.delay)
            book.retries += 1
            continue
        if isinstance(outcome, HttpResponse):
            return _exchange(call, outcome, book, decision.retry_after)
        return Exchange(
            result=Failure(book.failed_connection(outcome)),
            attempts=book.attempts,
            elapsed=book.elapsed(),
        )


def _exchange(
    call: Call[T], response: HttpResponse, book: _Attempts, retry_after: float | None
) -> Exchange[T]:
    elapsed = book.elapsed()
    attempts = book.attempts
    result = interpret(call, response, attempts=attempts, elapsed=elapsed, retry_after=retry_after)
    # (Asked of Success: an isinstance that misses an ABC such as Failure costs five times more.)
    if not isinstance(result, Success):
        result = result.alt(book.scrubbed)
    return new_exchange(result=result, response=response.head, attempts=attempts, elapsed=elapsed)


def stream_flow(call: StreamCall[T], config: ClientConfig, clock: Clock) -> StreamFlow:
    """Open the stream (retrying only before the first event), then emit one
    ``Result`` per event; end on the terminator, or emit one ``Failure`` and end."""
    book = _Attempts(call, config, clock)
    request = prepare(call.request, config)
    while True:
        remaining = book.remaining()
        if remaining is not None and remaining <= 0:
            late = book.out_of_time()
            yield Emit(Failure(late))
            return Exchange(result=Failure(late), attempts=book.retries, elapsed=book.elapsed())
        outcome = yield Send(_bounded(request, remaining), stream=True)
        error: TogetherError
        if isinstance(outcome, HttpResponseHead):
            if 200 <= outcome.status < 300:
                return (yield from _events(call, outcome, book))
            following = redirect(request, outcome)
            if following is not None and book.redirects < MAX_REDIRECTS:
                book.redirects += 1
                request = following
                continue
            body = yield from _read_all()
            decision = book.decide(outcome)
            error = book.scrubbed(
                classify(
                    HttpResponse(status=outcome.status, headers=outcome.headers, body=body),
                    attempts=book.attempts,
                    elapsed=book.elapsed(),
                    retry_after=decision.retry_after if isinstance(decision, GiveUp) else None,
                )
            )
        else:
            decision = book.decide(outcome)
            error = book.failed_connection(outcome)
        if isinstance(decision, Retry):
            yield Sleep(decision.delay)
            book.retries += 1
            continue
        yield Emit(Failure(error))
        head = outcome if isinstance(outcome, HttpResponseHead) else None
        return Exchange(
            result=Failure(error), response=head, attempts=book.attempts, elapsed=book.elapsed()
        )


def _read_all() -> Generator[Effect, Any, bytes]:
    # The body of a refused stream: an error message, read whole up to the event bound (what
    # lies past it is left unread, and the connection is closed with the stream).
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = yield Read()
        if isinstance(chunk, APIConnectionError) or not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            return b"".join(parts)[:MAX_EVENT_BYTES]


def _events(call: StreamCall[T], head: HttpResponseHead, book: _Attempts) -> StreamFlow:
    state = INITIAL
    received = 0
    request_id = request_id_of(head.headers)

    def end(result: Result[None, TogetherError]) -> Exchange[None]:
        return Exchange(
            result=result, response=head, attempts=book.attempts, elapsed=book.elapsed()
        )

    while True:
        chunk = yield Read()
        if isinstance(chunk, APIConnectionError):
            error = _broken(
                f"the connection broke mid-stream: {chunk.message}", received, request_id, book
            )
            yield Emit(Failure(error))
            return end(Failure(error))
        if not chunk:
            if call.done is None and not state.buffer and not state.has_data:
                return end(_ok())
            error = _broken(
                f"the stream ended before {call.done or 'the end of an event'}",
                received,
                request_id,
                book,
            )
            yield Emit(Failure(error))
            return end(Failure(error))
        state, events = feed(state, chunk)
        items: list[Result[Any, TogetherError]] = []
        for event in events:
            if call.done is not None and event.data == call.done:
                if items:
                    yield EmitEach(tuple(items))
                return end(_ok())
            item = interpret_event(call, event, received=received, request_id=request_id)
            if not isinstance(item, Success):  # (Success: see _exchange)
                failed: Result[Any, TogetherError] = item.alt(
                    lambda e: book.scrubbed(
                        # An event's errors are all APIErrors, which count attempts and time.
                        attrs.evolve(cast(Any, e), attempts=book.attempts, elapsed=book.elapsed())
                    )
                )
                items.append(failed)
                yield EmitEach(tuple(items))
                return end(failed)
            items.append(item)
            received += 1
        if len(state.buffer) + sum(map(len, state.data)) > MAX_EVENT_BYTES:
            # A stream that never ends its event would otherwise grow without bound.
            error = _broken(
                f"an event grew past {MAX_EVENT_BYTES} bytes without ending",
                received,
                request_id,
                book,
            )
            yield EmitEach((*items, Failure(error)))
            return end(Failure(error))
        if items:
            yield EmitEach(tuple(items))


def _broken(message: str, received: int, request_id: str | None, book: _Attempts) -> StreamError:
    return StreamError(
        message=message,
        events_received=received,
        request_id=request_id,
        attempts=book.attempts,
        elapsed=book.elapsed(),
    )


_REDACTED = "<redacted>"


def without_secret(error: E, secret: str) -> E:
    """``error`` with ``secret`` blotted out of its texts, headers and body.

    A server may echo the key it was sent ("Invalid API key provided: ..."): the error that
    carries its answer must not carry the key into logs and tracebacks.
    """
    if len(secret) < 8:  # too short to tell from ordinary text
        return error
    changes = {
        field.name: _blotted(getattr(error, field.name), secret)
        for field in attrs.fields(type(error))
    }
    changes = {k: v for k, v in changes.items() if v is not getattr(error, k)}
    return attrs.evolve(error, **changes) if changes else error


def _blotted(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, _REDACTED) if secret in value else value
    if isinstance(value, bytes):
        raw = secret.encode()
        return value.replace(raw, _REDACTED.encode()) if raw in value else value
    if isinstance(value, tuple):
        blotted = tuple(_blotted(item, secret) for item in value)
        return value if all(a is b for a, b in zip(blotted, value, strict=True)) else blotted
    return value


def _ok() -> Result[None, TogetherError]:
    return Success(None)
