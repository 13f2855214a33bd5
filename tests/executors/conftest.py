"""Fixtures for the transport tests: loopback servers and one driver per transport.

A driver runs a call through the real executor over its transport and records the sleeps
the executor asked for instead of sleeping. The ``requests`` driver runs the synchronous
executor in a worker thread, so one async test body serves both transports.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio
from returns.result import Result

from tests.executors.loopback import Loopback
from together_fn.calls import Call, Exchange, StreamCall
from together_fn.config import ClientConfig, prepare
from together_fn.errors import TogetherError
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.flows import Clock
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead, JsonBody, Method, Timeout
from together_fn.retry import RetryPolicy

#: The API key of every test: it must never show up in an error.
KEY = "tk-loopback-7f3a9c1e5d2b4a6f8e0d1c2b"

#: Real time, but no jitter, so backoff delays are exact.
NO_JITTER = Clock(monotonic=time.monotonic, wall=time.time, random=lambda: 0.0)

OnItem = Callable[[Result[Any, TogetherError]], None]


def config_for(
    server: Loopback, *, read: float = 5.0, retries: int = 3, base_url: str | None = None
) -> ClientConfig:
    """A config pointing at ``server`` with short timeouts."""
    return ClientConfig(
        api_key=KEY,
        base_url=base_url or f"{server.url}/v1",
        timeout=Timeout(connect=2.0, read=read),
        retry=RetryPolicy(max_retries=retries),
    )


def json_call(path: str, payload: object, *, retryable: bool = True) -> Call[dict[str, Any]]:
    """A ``POST`` of ``payload`` answered by any JSON object."""
    request = HttpRequest(method=Method.POST, url=path, body=JsonBody(json.dumps(payload).encode()))
    return Call(operation="POST /things", request=request, response_type=dict, retryable=retryable)


def get_call(path: str, query: tuple[tuple[str, str], ...] = ()) -> Call[dict[str, Any]]:
    """A ``GET`` answered by any JSON object."""
    request = HttpRequest(method=Method.GET, url=path, query=query)
    return Call(operation="GET /things", request=request, response_type=dict)


def stream_call(path: str) -> StreamCall[dict[str, Any]]:
    """A streamed ``POST`` whose events are JSON objects, ended by ``[DONE]``."""
    request = HttpRequest(
        method=Method.POST,
        url=path,
        headers=(("accept", "text/event-stream"),),
        body=JsonBody(b'{"stream": true}'),
    )
    return StreamCall(operation="POST /chat/completions", request=request, chunk_type=dict)


def prepared(request: HttpRequest, server: Loopback, *, read: float = 5.0) -> HttpRequest:
    """``request`` as a transport receives it: absolute, authorized, with timeouts."""
    return prepare(request, config_for(server, read=read))


def assert_secret_free(error: BaseException) -> None:
    """The key appears nowhere in the error, nor in anything it was raised from."""
    seen: BaseException | None = error
    while seen is not None:
        assert KEY not in str(seen)
        assert KEY not in repr(seen)
        seen = seen.__cause__ or seen.__context__


class Driver:
    """Runs calls over one transport through the real executor."""

    name = ""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def execute(self, call: Call[Any], config: ClientConfig) -> Exchange[Any]:
        raise NotImplementedError

    async def stream(
        self, call: StreamCall[Any], config: ClientConfig, on_item: OnItem | None = None
    ) -> tuple[list[Result[Any, TogetherError]], Exchange[None] | None]:
        raise NotImplementedError

    async def send(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    async def read_stream(
        self, request: HttpRequest, on_chunk: Callable[[bytes], None] = lambda _: None
    ) -> tuple[HttpResponseHead, list[bytes]]:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError


class RequestsDriver(Driver):
    name = "requests"

    def __init__(self) -> None:
        super().__init__()
        self.transport = RequestsTransport()

    def _executor(self, config: ClientConfig) -> Executor:
        return Executor(self.transport, config, clock=NO_JITTER, sleep=self.sleeps.append)

    async def execute(self, call: Call[Any], config: ClientConfig) -> Exchange[Any]:
        return await asyncio.to_thread(self._executor(config).execute, call)

    async def stream(
        self, call: StreamCall[Any], config: ClientConfig, on_item: OnItem | None = None
    ) -> tuple[list[Result[Any, TogetherError]], Exchange[None] | None]:
        def consume() -> tuple[list[Result[Any, TogetherError]], Exchange[None] | None]:
            items = []
            with self._executor(config).stream(call) as results:
                for item in results:
                    items.append(item)
                    if on_item is not None:
                        on_item(item)
            return items, results.exchange

        return await asyncio.to_thread(consume)

    async def send(self, request: HttpRequest) -> HttpResponse:
        return await asyncio.to_thread(self.transport.send, request)

    async def read_stream(
        self, request: HttpRequest, on_chunk: Callable[[bytes], None] = lambda _: None
    ) -> tuple[HttpResponseHead, list[bytes]]:
        def consume() -> tuple[HttpResponseHead, list[bytes]]:
            body = self.transport.open(request)
            chunks = []
            try:
                while chunk := body.read():
                    chunks.append(chunk)
                    on_chunk(chunk)
            finally:
                body.close()
            return body.head, chunks

        return await asyncio.to_thread(consume)

    async def aclose(self) -> None:
        self.transport.close()


class AiohttpDriver(Driver):
    name = "aiohttp"

    def __init__(self) -> None:
        super().__init__()
        self.transport = AiohttpTransport()

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def _executor(self, config: ClientConfig) -> AsyncExecutor:
        return AsyncExecutor(self.transport, config, clock=NO_JITTER, sleep=self._sleep)

    async def execute(self, call: Call[Any], config: ClientConfig) -> Exchange[Any]:
        return await self._executor(config).aexecute(call)

    async def stream(
        self, call: StreamCall[Any], config: ClientConfig, on_item: OnItem | None = None
    ) -> tuple[list[Result[Any, TogetherError]], Exchange[None] | None]:
        items = []
        async with self._executor(config).astream(call) as results:
            async for item in results:
                items.append(item)
                if on_item is not None:
                    on_item(item)
        return items, results.exchange

    async def send(self, request: HttpRequest) -> HttpResponse:
        return await self.transport.asend(request)

    async def read_stream(
        self, request: HttpRequest, on_chunk: Callable[[bytes], None] = lambda _: None
    ) -> tuple[HttpResponseHead, list[bytes]]:
        body = await self.transport.aopen(request)
        chunks = []
        try:
            while chunk := await body.aread():
                chunks.append(chunk)
                on_chunk(chunk)
        finally:
            await body.aclose()
        return body.head, chunks

    async def aclose(self) -> None:
        await self.transport.aclose()


@pytest.fixture
def server() -> Iterator[Loopback]:
    """A loopback server for this test."""
    with Loopback() as running:
        yield running


@pytest.fixture
def other_server() -> Iterator[Loopback]:
    """A second loopback server: another port, so another origin."""
    with Loopback() as running:
        yield running


@pytest_asyncio.fixture(params=["requests", "aiohttp"])
async def driver(request: pytest.FixtureRequest) -> AsyncIterator[Driver]:
    """Each test runs once per transport."""
    chosen: Driver = RequestsDriver() if request.param == "requests" else AiohttpDriver()
    yield chosen
    await chosen.aclose()
