"""``client.chat``: chat completions, whole or streamed."""

from __future__ import annotations

from typing import Any, Literal, overload

from together_fn import api
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.resources._base import (
    AsyncChunkStream,
    AsyncNamespace,
    AsyncRunner,
    ChunkStream,
    Namespace,
    Runner,
)


class ChatCompletions(Namespace):
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


class AsyncChatCompletions(AsyncNamespace):
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


class Chat(Namespace):
    """``client.chat``."""

    def __init__(self, client: Runner) -> None:
        super().__init__(client)
        self.completions = ChatCompletions(client)


class AsyncChat(AsyncNamespace):
    """``client.chat``, awaited."""

    def __init__(self, client: AsyncRunner) -> None:
        super().__init__(client)
        self.completions = AsyncChatCompletions(client)
