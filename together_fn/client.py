"""``Together`` and ``AsyncTogether``: a thin, stateful convenience over builders and executors.

Every method is one line: build the Call with a builder from ``together_fn.api``, perform it
with the client's executor, return the model or raise the error value itself. No logic lives
only here; anything the facade does, the functional API does too.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, overload

from returns.result import Failure, Result, Success

from together_fn import api
from together_fn.calls import Call, Exchange, StreamCall
from together_fn.config import ClientConfig, config_from_env
from together_fn.errors import TogetherError
from together_fn.executors.base import (
    AsyncExecutor,
    AsyncResultStream,
    AsyncTransport,
    Executor,
    ResultStream,
    SyncTransport,
)
from together_fn.http import Timeout
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.models.completions import CompletionChunk, CompletionResponse
from together_fn.retry import RetryPolicy

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


def _resolve(env: Mapping[str, str] | None, **explicit: Any) -> ClientConfig:
    resolved = config_from_env(os.environ if env is None else env, **explicit)
    return unwrap_or_raise(resolved)


class Together:
    """The synchronous client. ``Together()`` reads ``TOGETHER_API_KEY`` when no key is given.

    Pass ``transport=`` to use another transport (a ``ReplayTransport`` in tests, say);
    the default one, over ``requests``, is created and owned by the client.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: SyncTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = _resolve(
            env,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
        )
        if transport is None:
            from together_fn.executors.requests_transport import RequestsTransport

            transport = RequestsTransport()
        self.executor = Executor(transport, self.config)
        self.chat = Chat(self)
        self.completions = Completions(self)
        self.embeddings = Embeddings(self)
        self.rerank = Rerank(self)
        self.images = Images(self)
        self.models = Models(self)
        self.jobs = Jobs(self)

    def run(self, call: Call[T]) -> T:
        """Perform any Call; return its value or raise its error."""
        return unwrap_or_raise(self.executor.run(call))

    def execute(self, call: Call[T]) -> Exchange[T]:
        """Perform any Call; the result with status, headers, request id, attempts and time."""
        return self.executor.execute(call)

    def stream(self, call: StreamCall[T]) -> ChunkStream[T]:
        """Perform any StreamCall; iterate the chunks."""
        return ChunkStream(self.executor.stream(call))

    def close(self) -> None:
        """Close the connections the client holds."""
        self.executor.close()

    def __enter__(self) -> Together:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncTogether:
    """The asynchronous client; the same namespaces as :class:`Together`, awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: AsyncTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = _resolve(
            env,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
        )
        if transport is None:
            from together_fn.executors.aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport()
        self.executor = AsyncExecutor(transport, self.config)
        self.chat = AsyncChat(self)
        self.completions = AsyncCompletions(self)
        self.embeddings = AsyncEmbeddings(self)
        self.rerank = AsyncRerank(self)
        self.images = AsyncImages(self)
        self.models = AsyncModels(self)
        self.jobs = AsyncJobs(self)

    async def run(self, call: Call[T]) -> T:
        """Perform any Call; return its value or raise its error."""
        return unwrap_or_raise(await self.executor.arun(call))

    async def execute(self, call: Call[T]) -> Exchange[T]:
        """Perform any Call; the result with status, headers, request id, attempts and time."""
        return await self.executor.aexecute(call)

    def stream(self, call: StreamCall[T]) -> AsyncChunkStream[T]:
        """Perform any StreamCall; iterate the chunks with ``async for``."""
        return AsyncChunkStream(self.executor.astream(call))

    async def close(self) -> None:
        """Close the connections the client holds."""
        await self.executor.aclose()

    async def __aenter__(self) -> AsyncTogether:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


# Namespaces. A method is the builder it wraps, performed by the client: its signature and
# docstring are the builder's, so the parameters are written once, in ``together_fn.api``.


class _Namespace:
    def __init__(self, client: Together) -> None:
        self._client = client


class _AsyncNamespace:
    def __init__(self, client: AsyncTogether) -> None:
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


def _sync(builder: Callable[P, Call[T]]) -> Callable[Concatenate[_Namespace, P], T]:
    def method(self: _Namespace, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._client.run(builder(*args, **kwargs))

    _described(method, builder)
    return method


def _async(
    builder: Callable[P, Call[T]],
) -> Callable[Concatenate[_AsyncNamespace, P], Coroutine[Any, Any, T]]:
    async def method(self: _AsyncNamespace, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._client.run(builder(*args, **kwargs))

    _described(method, builder)
    return method


class ChatCompletions(_Namespace):
    """``client.chat.completions``."""

    @overload
    def create(
        self, *, stream: Literal[False] = False, **params: Any
    ) -> ChatCompletionResponse: ...
    @overload
    def create(
        self, *, stream: Literal[True], **params: Any
    ) -> ChunkStream[ChatCompletionChunk]: ...
    def create(
        self, *, stream: bool = False, **params: Any
    ) -> ChatCompletionResponse | ChunkStream[ChatCompletionChunk]:
        """Create a chat completion (``stream=True``: iterate its chunks).

        Parameters are those of :func:`together_fn.api.chat.create_chat_completion`.
        """
        if stream:
            return self._client.stream(api.chat.stream_chat_completion(**params))
        return self._client.run(api.chat.create_chat_completion(**params))


class AsyncChatCompletions(_AsyncNamespace):
    """``client.chat.completions``, awaited."""

    @overload
    async def create(
        self, *, stream: Literal[False] = False, **params: Any
    ) -> ChatCompletionResponse: ...
    @overload
    async def create(
        self, *, stream: Literal[True], **params: Any
    ) -> AsyncChunkStream[ChatCompletionChunk]: ...
    async def create(
        self, *, stream: bool = False, **params: Any
    ) -> ChatCompletionResponse | AsyncChunkStream[ChatCompletionChunk]:
        """Create a chat completion (``stream=True``: iterate its chunks with ``async for``).

        Parameters are those of :func:`together_fn.api.chat.create_chat_completion`.
        """
        if stream:
            return self._client.stream(api.chat.stream_chat_completion(**params))
        return await self._client.run(api.chat.create_chat_completion(**params))


class Chat(_Namespace):
    """``client.chat``."""

    def __init__(self, client: Together) -> None:
        super().__init__(client)
        self.completions = ChatCompletions(client)


class AsyncChat(_AsyncNamespace):
    """``client.chat``, awaited."""

    def __init__(self, client: AsyncTogether) -> None:
        super().__init__(client)
        self.completions = AsyncChatCompletions(client)


class Completions(_Namespace):
    """``client.completions``."""

    @overload
    def create(self, *, stream: Literal[False] = False, **params: Any) -> CompletionResponse: ...
    @overload
    def create(self, *, stream: Literal[True], **params: Any) -> ChunkStream[CompletionChunk]: ...
    def create(
        self, *, stream: bool = False, **params: Any
    ) -> CompletionResponse | ChunkStream[CompletionChunk]:
        """Create a completion (``stream=True``: iterate its chunks).

        Parameters are those of :func:`together_fn.api.completions.create_completion`.
        """
        if stream:
            return self._client.stream(api.completions.stream_completion(**params))
        return self._client.run(api.completions.create_completion(**params))


class AsyncCompletions(_AsyncNamespace):
    """``client.completions``, awaited."""

    @overload
    async def create(
        self, *, stream: Literal[False] = False, **params: Any
    ) -> CompletionResponse: ...
    @overload
    async def create(
        self, *, stream: Literal[True], **params: Any
    ) -> AsyncChunkStream[CompletionChunk]: ...
    async def create(
        self, *, stream: bool = False, **params: Any
    ) -> CompletionResponse | AsyncChunkStream[CompletionChunk]:
        """Create a completion (``stream=True``: iterate its chunks with ``async for``).

        Parameters are those of :func:`together_fn.api.completions.create_completion`.
        """
        if stream:
            return self._client.stream(api.completions.stream_completion(**params))
        return await self._client.run(api.completions.create_completion(**params))


class Embeddings(_Namespace):
    """``client.embeddings``."""

    create = _sync(api.embeddings.create_embeddings)


class AsyncEmbeddings(_AsyncNamespace):
    """``client.embeddings``, awaited."""

    create = _async(api.embeddings.create_embeddings)


class Rerank(_Namespace):
    """``client.rerank``."""

    create = _sync(api.rerank.create_rerank)


class AsyncRerank(_AsyncNamespace):
    """``client.rerank``, awaited."""

    create = _async(api.rerank.create_rerank)


class Images(_Namespace):
    """``client.images``."""

    generate = _sync(api.images.generate_image)


class AsyncImages(_AsyncNamespace):
    """``client.images``, awaited."""

    generate = _async(api.images.generate_image)


class Models(_Namespace):
    """``client.models``."""

    list = _sync(api.models.list_models)
    upload = _sync(api.models.upload_model)


class AsyncModels(_AsyncNamespace):
    """``client.models``, awaited."""

    list = _async(api.models.list_models)
    upload = _async(api.models.upload_model)


class Jobs(_Namespace):
    """``client.jobs``: model upload jobs."""

    retrieve = _sync(api.models.retrieve_job)
    list = _sync(api.models.list_jobs)


class AsyncJobs(_AsyncNamespace):
    """``client.jobs``, awaited."""

    retrieve = _async(api.models.retrieve_job)
    list = _async(api.models.list_jobs)
