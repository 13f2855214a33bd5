"""Four ways to perform the same call, so every fault scenario runs through each of them.

``requests`` and ``aiohttp`` drive the functional executors; ``facade-sync`` and
``facade-async`` go through ``Together`` / ``AsyncTogether`` and their namespaces, catching
what they raise. Every runner records the waits the retry policy asked for instead of
sleeping, so a ``Retry-After: 1`` costs no time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import attrs
from returns.result import Failure, Success

from together_fn import api
from together_fn.calls import Call, StreamCall
from together_fn.client import AsyncTogether, Together
from together_fn.config import ClientConfig
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.flows import Clock
from together_fn.http import Timeout
from together_fn.retry import RetryPolicy

#: The key of every fault scenario: it must never reach another origin or an error's text.
KEY = "tk-faults-0b1d2c3e4f5a6b7c8d9e0f1a"

#: Real time, no jitter: waits are exact and deadlines are real.
CLOCK = Clock(monotonic=time.monotonic, wall=time.time, random=lambda: 0.0)

#: Retries with delays too small to matter (the runners do not sleep anyway).
FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.004, jitter=0.0)

RUNNERS = ("requests", "aiohttp", "facade-sync", "facade-async")

CHAT: dict[str, Any] = {"model": "fault/model", "messages": [{"role": "user", "content": "hi"}]}


def chat_call() -> Call[Any]:
    """The retryable call most scenarios use: a chat completion."""
    return api.chat.create_chat_completion(**CHAT)


def chat_stream() -> StreamCall[Any]:
    """A streamed chat completion, ended by ``[DONE]``."""
    return api.chat.stream_chat_completion(**CHAT)


def job_call() -> Call[Any]:
    """A call that creates a job: not retried once it may have reached the server."""
    return api.batches.create_batch("file-1", endpoint="/v1/chat/completions")


@attrs.frozen(kw_only=True)
class Outcome:
    """What a runner saw: the value or the error, and the waits it was asked for."""

    value: Any = None
    error: BaseException | None = None
    items: tuple[Any, ...] = ()
    sleeps: tuple[float, ...] = ()
    elapsed: float = 0.0


def config(base_url: str, policy: RetryPolicy, read: float) -> ClientConfig:
    """A config for a loopback server: the fault key, short timeouts."""
    return ClientConfig(
        api_key=KEY,
        base_url=base_url,
        timeout=Timeout(connect=2.0, read=read),
        retry=policy,
    )


@attrs.frozen(kw_only=True)
class Runner:
    """Performs a call (or a stream) under ``policy`` against ``base_url``."""

    name: str
    base_url: str
    policy: RetryPolicy = FAST
    read: float = 2.0
    max_response_bytes: int | None = None

    async def call(self, call: Call[Any], *, chat: bool = False) -> Outcome:
        """Perform ``call``; with ``chat``, the facade uses ``chat.completions.create``."""
        sleeps: list[float] = []
        start = time.monotonic()
        if self.name == "requests":
            outcome = await asyncio.to_thread(self._sync_call, call, sleeps)
        elif self.name == "aiohttp":
            outcome = await self._async_call(call, sleeps)
        elif self.name == "facade-sync":
            outcome = await asyncio.to_thread(self._facade_call, call, chat, sleeps)
        else:
            outcome = await self._afacade_call(call, chat, sleeps)
        return attrs.evolve(outcome, sleeps=tuple(sleeps), elapsed=time.monotonic() - start)

    async def stream(self, call: StreamCall[Any]) -> Outcome:
        """Consume a chat stream to its end (or its first error)."""
        sleeps: list[float] = []
        start = time.monotonic()
        if self.name == "requests":
            outcome = await asyncio.to_thread(self._sync_stream, call, sleeps)
        elif self.name == "aiohttp":
            outcome = await self._async_stream(call, sleeps)
        elif self.name == "facade-sync":
            outcome = await asyncio.to_thread(self._facade_stream, sleeps)
        else:
            outcome = await self._afacade_stream(sleeps)
        return attrs.evolve(outcome, sleeps=tuple(sleeps), elapsed=time.monotonic() - start)

    # --- the functional executors -----------------------------------------------------

    def _config(self) -> ClientConfig:
        return config(self.base_url, self.policy, self.read)

    def _executor(self, sleeps: list[float]) -> Executor:
        transport = RequestsTransport(trust_env=False, max_response_bytes=self.max_response_bytes)
        return Executor(transport, self._config(), clock=CLOCK, sleep=sleeps.append)

    def _aexecutor(self, sleeps: list[float]) -> AsyncExecutor:
        async def record(seconds: float) -> None:
            sleeps.append(seconds)

        transport = AiohttpTransport(trust_env=False, max_response_bytes=self.max_response_bytes)
        return AsyncExecutor(transport, self._config(), clock=CLOCK, sleep=record)

    def _sync_call(self, call: Call[Any], sleeps: list[float]) -> Outcome:
        executor = self._executor(sleeps)
        try:
            return _outcome(executor.run(call))
        finally:
            executor.close()

    async def _async_call(self, call: Call[Any], sleeps: list[float]) -> Outcome:
        executor = self._aexecutor(sleeps)
        try:
            return _outcome(await executor.arun(call))
        finally:
            await executor.aclose()

    def _sync_stream(self, call: StreamCall[Any], sleeps: list[float]) -> Outcome:
        executor = self._executor(sleeps)
        items: list[Any] = []
        try:
            with executor.stream(call) as results:
                for result in results:
                    if isinstance(result, Failure):
                        return Outcome(items=tuple(items), error=result.failure())
                    items.append(result.unwrap())
            return Outcome(items=tuple(items))
        finally:
            executor.close()

    async def _async_stream(self, call: StreamCall[Any], sleeps: list[float]) -> Outcome:
        executor = self._aexecutor(sleeps)
        items: list[Any] = []
        try:
            async with executor.astream(call) as results:
                async for result in results:
                    if isinstance(result, Failure):
                        return Outcome(items=tuple(items), error=result.failure())
                    items.append(result.unwrap())
            return Outcome(items=tuple(items))
        finally:
            await executor.aclose()

    # --- the facade -------------------------------------------------------------------

    def _client(self, sleeps: list[float]) -> Together:
        client = Together(
            KEY,
            base_url=self.base_url,
            timeout=Timeout(connect=2.0, read=self.read),
            retry=self.policy,
            transport=RequestsTransport(
                trust_env=False, max_response_bytes=self.max_response_bytes
            ),
            env={},
        )
        # The public executor, rebuilt with a recording sleep: the facade's own code runs.
        client.executor = Executor(
            client.executor.transport, client.config, clock=CLOCK, sleep=sleeps.append
        )
        return client

    def _aclient(self, sleeps: list[float]) -> AsyncTogether:
        async def record(seconds: float) -> None:
            sleeps.append(seconds)

        client = AsyncTogether(
            KEY,
            base_url=self.base_url,
            timeout=Timeout(connect=2.0, read=self.read),
            retry=self.policy,
            transport=AiohttpTransport(trust_env=False, max_response_bytes=self.max_response_bytes),
            env={},
        )
        client.executor = AsyncExecutor(
            client.executor.transport, client.config, clock=CLOCK, sleep=record
        )
        return client

    def _facade_call(self, call: Call[Any], chat: bool, sleeps: list[float]) -> Outcome:
        with self._client(sleeps) as client:
            perform: Callable[[], Any] = (
                (lambda: client.chat.completions.create(**CHAT))
                if chat
                else (lambda: client.run(call))
            )
            try:
                return Outcome(value=perform())
            except Exception as error:  # the facade raises the error value itself
                return Outcome(error=error)

    async def _afacade_call(self, call: Call[Any], chat: bool, sleeps: list[float]) -> Outcome:
        async with self._aclient(sleeps) as client:
            try:
                if chat:
                    return Outcome(value=await client.chat.completions.create(**CHAT))
                return Outcome(value=await client.run(call))
            except Exception as error:
                return Outcome(error=error)

    def _facade_stream(self, sleeps: list[float]) -> Outcome:
        items: list[Any] = []
        with self._client(sleeps) as client:
            try:
                with client.chat.completions.create(stream=True, **CHAT) as chunks:
                    for chunk in chunks:
                        items.append(chunk)
            except Exception as error:
                return Outcome(items=tuple(items), error=error)
        return Outcome(items=tuple(items))

    async def _afacade_stream(self, sleeps: list[float]) -> Outcome:
        items: list[Any] = []
        async with self._aclient(sleeps) as client:
            try:
                # As in the official SDK: awaiting ``create`` gives the stream.
                async with await client.chat.completions.create(stream=True, **CHAT) as chunks:
                    async for chunk in chunks:
                        items.append(chunk)
            except Exception as error:
                return Outcome(items=tuple(items), error=error)
        return Outcome(items=tuple(items))


def _outcome(result: Any) -> Outcome:
    match result:
        case Success(value):
            return Outcome(value=value)
        case Failure(error):
            return Outcome(error=error)
    raise TypeError(f"not a Result: {result!r}")
