"""Transports (one request at a time, no policy) and the drivers that run flows over them.

A transport sends one request, or opens one stream, and raises only
:class:`~together_fn.errors.APIConnectionError` (or its timeout subclass). It never
retries, decodes or raises for status. The four drivers (``run``, ``stream`` and their
async twins) perform a flow's effects and nothing else: all decisions live in ``flows.py``.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from returns.result import Result

from together_fn.calls import Call, Exchange, StreamCall
from together_fn.config import ClientConfig
from together_fn.errors import APIConnectionError, TogetherError
from together_fn.flows import (
    Clock,
    Emit,
    EmitEach,
    Read,
    Send,
    Sleep,
    request_flow,
    stream_flow,
)
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead

if TYPE_CHECKING:
    # Imported where used: ``import together_fn`` stays free of asyncio and returns.future.
    from returns.future import FutureResult
    from returns.io import IOResult

T = TypeVar("T")

SYSTEM_CLOCK = Clock(monotonic=time.monotonic, wall=time.time, random=random.random)


class ResponseStream(Protocol):
    """An open response body, read chunk by chunk."""

    head: HttpResponseHead

    def read(self) -> bytes:
        """The next chunk; ``b""`` at the end. Raises ``APIConnectionError`` if cut."""

    def close(self) -> None:
        """Release the connection."""


class AsyncResponseStream(Protocol):
    """An open response body, read chunk by chunk, asynchronously."""

    head: HttpResponseHead

    async def aread(self) -> bytes:
        """The next chunk; ``b""`` at the end. Raises ``APIConnectionError`` if cut."""

    async def aclose(self) -> None:
        """Release the connection."""


class SyncTransport(Protocol):
    """Sends requests synchronously."""

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read the whole response."""

    def open(self, request: HttpRequest) -> ResponseStream:
        """Send one request and return as soon as the head has arrived."""

    def close(self) -> None:
        """Close pooled connections."""


class AsyncTransport(Protocol):
    """Sends requests asynchronously."""

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read the whole response."""

    async def aopen(self, request: HttpRequest) -> AsyncResponseStream:
        """Send one request and return as soon as the head has arrived."""

    async def aclose(self) -> None:
        """Close pooled connections."""


class ResultStream(Iterator[Result[T, TogetherError]]):
    """The events of a stream as ``Result`` values; ends after the first ``Failure``.

    Once exhausted, :attr:`exchange` tells how it went (head, attempts, time). Closing it
    early (or leaving a ``with`` block) releases the connection.
    """

    def __init__(self, items: Generator[Result[T, TogetherError], None, Exchange[None]]):
        self._items = items
        self._events = self._recorded()
        self.exchange: Exchange[None] | None = None

    def _recorded(self) -> Generator[Result[T, TogetherError], None, None]:
        self.exchange = yield from self._items

    def __iter__(self) -> Iterator[Result[T, TogetherError]]:
        # The generator itself: a ``for`` loop then costs no method call per event.
        return self._events

    def __next__(self) -> Result[T, TogetherError]:
        return next(self._events)

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._events.close()  # closes the driver too, if it has started
        self._items.close()

    def __enter__(self) -> ResultStream[T]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncResultStream(AsyncIterator[Result[T, TogetherError]]):
    """The async twin of :class:`ResultStream`."""

    def __init__(self, items: AsyncIterator[Result[T, TogetherError] | Exchange[None]]):
        self._items = items
        self.exchange: Exchange[None] | None = None

    def __aiter__(self) -> AsyncResultStream[T]:
        return self

    async def __anext__(self) -> Result[T, TogetherError]:
        if self.exchange is not None:
            raise StopAsyncIteration
        item = await anext(self._items)
        if isinstance(item, Exchange):
            self.exchange = item
            await self.aclose()
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        closer = getattr(self._items, "aclose", None)
        if closer is not None:
            await closer()

    async def __aenter__(self) -> AsyncResultStream[T]:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class Executor:
    """Performs calls synchronously over a transport, applying the config's retry policy."""

    def __init__(
        self,
        transport: SyncTransport,
        config: ClientConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.config = config
        self._clock = clock
        self._sleep = sleep

    def execute(self, call: Call[T]) -> Exchange[T]:
        """Perform ``call``; the result with its response head, attempts and time."""
        flow = request_flow(call, self.config, self._clock)
        outcome: Any = None
        try:
            while True:
                effect = flow.send(outcome)
                if isinstance(effect, Send):
                    outcome = send_or_failure(self.transport, effect.request)
                elif isinstance(effect, Sleep):
                    self._sleep(effect.seconds)
                    outcome = None
                else:  # pragma: no cover - request flows only send and sleep
                    raise TypeError(f"unexpected effect {effect!r}")
        except StopIteration as done:
            result: Exchange[T] = done.value
            return result

    def run(self, call: Call[T]) -> Result[T, TogetherError]:
        """Perform ``call``; its decoded value or its error."""
        return self.execute(call).result

    def run_io(self, call: Call[T]) -> IOResult[T, TogetherError]:
        """:meth:`run`, marked as I/O for ``returns`` pipelines."""
        from returns.io import IOResult

        return IOResult.from_result(self.run(call))

    def stream(self, call: StreamCall[T]) -> ResultStream[T]:
        """Open a stream; iterate it for one ``Result`` per event."""
        return ResultStream(self._stream(call))

    def _stream(
        self, call: StreamCall[T]
    ) -> Generator[Result[T, TogetherError], None, Exchange[None]]:
        flow = stream_flow(call, self.config, self._clock)
        body: ResponseStream | None = None
        outcome: Any = None
        try:
            while True:
                effect = flow.send(outcome)
                outcome = None
                # Tested in order of frequency: one Read and one EmitEach per chunk.
                if isinstance(effect, EmitEach):
                    yield from effect.items
                elif isinstance(effect, Read):
                    outcome = _read(body)
                elif isinstance(effect, Send):
                    if body is not None:
                        body.close()
                    body, outcome = _open(self.transport, effect.request)
                elif isinstance(effect, Sleep):
                    self._sleep(effect.seconds)
                elif isinstance(effect, Emit):
                    yield effect.item
        except StopIteration as done:
            exchange: Exchange[None] = done.value
            return exchange
        finally:
            flow.close()
            if body is not None:
                body.close()

    def close(self) -> None:
        """Close the transport's connections."""
        self.transport.close()


def send_or_failure(
    transport: SyncTransport, request: HttpRequest
) -> HttpResponse | APIConnectionError:
    """The answer to ``request``, or the connection failure, as a flow takes an outcome."""
    try:
        return transport.send(request)
    except APIConnectionError as failure:
        return failure


def _open(
    transport: SyncTransport, request: HttpRequest
) -> tuple[ResponseStream | None, HttpResponseHead | APIConnectionError]:
    try:
        body = transport.open(request)
    except APIConnectionError as failure:
        return None, failure
    return body, body.head


def _read(body: ResponseStream | None) -> bytes | APIConnectionError:
    if body is None:
        return b""
    try:
        return body.read()
    except APIConnectionError as failure:
        return failure


async def _async_sleep(seconds: float) -> None:
    # asyncio.sleep, imported when first needed (an event loop has imported asyncio by then).
    import asyncio

    await asyncio.sleep(seconds)


class AsyncExecutor:
    """Performs calls over an async transport; the twin of :class:`Executor`."""

    def __init__(
        self,
        transport: AsyncTransport,
        config: ClientConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        sleep: Callable[[float], Any] = _async_sleep,
    ) -> None:
        self.transport = transport
        self.config = config
        self._clock = clock
        self._sleep = sleep

    async def aexecute(self, call: Call[T]) -> Exchange[T]:
        """Perform ``call``; the result with its response head, attempts and time."""
        flow = request_flow(call, self.config, self._clock)
        outcome: Any = None
        try:
            while True:
                effect = flow.send(outcome)
                if isinstance(effect, Send):
                    try:  # inline, not a helper coroutine: this runs for every call
                        outcome = await self.transport.asend(effect.request)
                    except APIConnectionError as failure:
                        outcome = failure
                elif isinstance(effect, Sleep):
                    await self._sleep(effect.seconds)
                    outcome = None
                else:  # pragma: no cover - request flows only send and sleep
                    raise TypeError(f"unexpected effect {effect!r}")
        except StopIteration as done:
            result: Exchange[T] = done.value
            return result

    async def arun(self, call: Call[T]) -> Result[T, TogetherError]:
        """Perform ``call``; its decoded value or its error."""
        return (await self.aexecute(call)).result

    def future(self, call: Call[T]) -> FutureResult[T, TogetherError]:
        """A lazy ``FutureResult``: nothing is sent until it is awaited."""
        from returns.future import FutureResult

        return FutureResult(self.arun(call))

    def astream(self, call: StreamCall[T]) -> AsyncResultStream[T]:
        """Open a stream; iterate it with ``async for`` for one ``Result`` per event."""
        return AsyncResultStream(self._astream(call))

    async def _astream(
        self, call: StreamCall[T]
    ) -> AsyncIterator[Result[T, TogetherError] | Exchange[None]]:
        flow = stream_flow(call, self.config, self._clock)
        body: AsyncResponseStream | None = None
        outcome: Any = None
        try:
            while True:
                effect = flow.send(outcome)
                outcome = None
                # Tested in order of frequency: one Read and one EmitEach per chunk.
                if isinstance(effect, EmitEach):
                    for item in effect.items:
                        yield item
                elif isinstance(effect, Read):
                    outcome = await _aread(body)
                elif isinstance(effect, Send):
                    if body is not None:
                        await body.aclose()
                    body, outcome = await _aopen(self.transport, effect.request)
                elif isinstance(effect, Sleep):
                    await self._sleep(effect.seconds)
                elif isinstance(effect, Emit):
                    yield effect.item
        except StopIteration as done:
            yield done.value
        finally:
            flow.close()
            if body is not None:
                await body.aclose()

    async def aclose(self) -> None:
        """Close the transport's connections."""
        await self.transport.aclose()


async def asend_or_failure(
    transport: AsyncTransport, request: HttpRequest
) -> HttpResponse | APIConnectionError:
    """:func:`send_or_failure` over an async transport."""
    try:
        return await transport.asend(request)
    except APIConnectionError as failure:
        return failure


async def _aopen(
    transport: AsyncTransport, request: HttpRequest
) -> tuple[AsyncResponseStream | None, HttpResponseHead | APIConnectionError]:
    try:
        body = await transport.aopen(request)
    except APIConnectionError as failure:
        return None, failure
    return body, body.head


async def _aread(body: AsyncResponseStream | None) -> bytes | APIConnectionError:
    if body is None:
        return b""
    try:
        return await body.aread()
    except APIConnectionError as failure:
        return failure
