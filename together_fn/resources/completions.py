"""``client.completions``: text completions, whole or streamed."""

from __future__ import annotations

from typing import Any, Literal, overload

from together_fn import api
from together_fn.models.completions import CompletionChunk, CompletionResponse
from together_fn.resources._base import AsyncChunkStream, AsyncNamespace, ChunkStream, Namespace


class Completions(Namespace):
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


class AsyncCompletions(AsyncNamespace):
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
