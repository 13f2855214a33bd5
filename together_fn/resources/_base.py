"""What every namespace of the facade shares: unwrapping, chunk streams, method makers.

A namespace method is the builder it wraps, performed by the client: its signature and
docstring are the builder's, so parameters are written once, in ``together_fn.api``.
Namespaces reach the client only through :class:`Runner` / :class:`AsyncRunner`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from returns.result import Failure, Result, Success

from together_fn.calls import Call, Exchange, StreamCall
from together_fn.errors import TogetherError
from together_fn.executors.base import AsyncResultStream, ResultStream

P = ParamSpec("P")
T = TypeVar("T")


def unwrap_or_raise(result: Result[T, TogetherError]) -> T:
    """The value of a ``Success``; raise the error value itself for a ``Failure``."""
    match result:
        case Success(value):
            return value  # type: ignore[no-any-return]
        case Failure(error):
            raise error
    raise TypeError(f"not a Result: {result!r}")  # pragma: no cover


class ChunkStream(Generic[T]):
    """Chunks of a stream as models; raises the error if the stream fails or is cut short."""

    def __init__(self, results: ResultStream[T]) -> None:
        self._results = results

    def __iter__(self) -> Iterator[T]:
        for result in self._results:
            yield unwrap_or_raise(result)

    @property
    def exchange(self) -> Exchange[None] | None:
        """How the stream went (head, attempts, time), once it has ended."""
        return self._results.exchange

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._results.close()

    def __enter__(self) -> ChunkStream[T]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncChunkStream(Generic[T]):
    """The async twin of :class:`ChunkStream`."""

    def __init__(self, results: AsyncResultStream[T]) -> None:
        self._results = results

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        async for result in self._results:
            yield unwrap_or_raise(result)

    @property
    def exchange(self) -> Exchange[None] | None:
        """How the stream went (head, attempts, time), once it has ended."""
        return self._results.exchange

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._results.aclose()

    async def __aenter__(self) -> AsyncChunkStream[T]:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class Runner(Protocol):
    """What a namespace needs of ``Together``."""

    def run(self, call: Call[T]) -> T: ...
    def stream(self, call: StreamCall[T]) -> ChunkStream[T]: ...


class AsyncRunner(Protocol):
    """What a namespace needs of ``AsyncTogether``."""

    async def run(self, call: Call[T]) -> T: ...
    def stream(self, call: StreamCall[T]) -> AsyncChunkStream[T]: ...


class Namespace:
    """A group of methods of ``Together`` (``client.embeddings``, say)."""

    def __init__(self, client: Runner) -> None:
        self._client = client


class AsyncNamespace:
    """A group of methods of ``AsyncTogether``."""

    def __init__(self, client: AsyncRunner) -> None:
        self._client = client


def _described(method: Callable[..., Any], builder: Callable[..., Any]) -> None:
    # help(), IDEs and inspect show the builder's parameters on the method.
    signature = inspect.signature(builder)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[this, *signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    method.__doc__ = builder.__doc__
    method.__name__ = method.__qualname__ = builder.__name__


def sync_method(builder: Callable[P, Call[T]]) -> Callable[Concatenate[Namespace, P], T]:
    """A method of a sync namespace that performs ``builder``'s call."""

    def method(self: Namespace, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._client.run(builder(*args, **kwargs))

    _described(method, builder)
    return method


def async_method(
    builder: Callable[P, Call[T]],
) -> Callable[Concatenate[AsyncNamespace, P], Coroutine[Any, Any, T]]:
    """A method of an async namespace that performs ``builder``'s call."""

    async def method(self: AsyncNamespace, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._client.run(builder(*args, **kwargs))

    _described(method, builder)
    return method


def sync_stream_method(
    builder: Callable[P, StreamCall[T]],
) -> Callable[Concatenate[Namespace, P], ChunkStream[T]]:
    """A method of a sync namespace that streams ``builder``'s call."""

    def method(self: Namespace, /, *args: P.args, **kwargs: P.kwargs) -> ChunkStream[T]:
        return self._client.stream(builder(*args, **kwargs))

    _described(method, builder)
    return method


def async_stream_method(
    builder: Callable[P, StreamCall[T]],
) -> Callable[Concatenate[AsyncNamespace, P], Coroutine[Any, Any, AsyncChunkStream[T]]]:
    """A method of an async namespace that streams ``builder``'s call (await, then iterate)."""

    async def method(
        self: AsyncNamespace, /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncChunkStream[T]:
        return self._client.stream(builder(*args, **kwargs))

    _described(method, builder)
    return method


N = TypeVar("N")


class area(Generic[N]):  # noqa: N801 - used like a decorator-less property
    """A namespace of the client, imported and made on first use, then kept.

    ``chat: area[Chat] = area("chat", "Chat")`` makes ``client.chat`` import
    ``together_fn.resources.chat`` (and with it that area's builders and models) only when a
    program first touches it: a client that only embeds never pays for the other areas.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name
        self.attribute = ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    @overload
    def __get__(self, client: None, owner: type) -> area[N]: ...
    @overload
    def __get__(self, client: object, owner: type) -> N: ...
    def __get__(self, client: object | None, owner: type) -> area[N] | N:
        if client is None:
            return self
        module = importlib.import_module(f"together_fn.resources.{self.module}")
        namespace: N = getattr(module, self.name)(client)
        # Stored on the instance, which shadows this (non-data) descriptor from then on.
        client.__dict__[self.attribute] = namespace
        return namespace
