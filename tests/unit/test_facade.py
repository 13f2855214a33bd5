"""``Together`` / ``AsyncTogether``: same shape, builders' signatures, values out, errors raised."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import pytest

from together_fn import (
    AsyncChunkStream,
    AsyncTogether,
    AuthenticationError,
    ChunkStream,
    Together,
    api,
    unwrap_or_raise,
)
from together_fn.errors import RateLimitError, StreamError
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.models.embeddings import EmbeddingsResponse
from together_fn.resources._base import area
from together_fn.retry import NO_RETRY

KEY = "sk-facade-test-4b1d"

CHAT = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def chunk(text: str) -> bytes:
    event = {
        "id": "c2",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


class Body:
    def __init__(self, status: int, chunks: list[bytes]) -> None:
        self.head = HttpResponseHead(status=status, headers=(("x-request-id", "r-1"),))
        self.chunks = chunks
        self.closed = False

    def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    async def aread(self) -> bytes:
        return self.read()

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Scripted:
    """A transport answering from a script, recording what it was sent (sync and async)."""

    def __init__(self, *answers: HttpResponse | Body) -> None:
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []
        self.closed = False

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        answer = self.answers.pop(0)
        assert isinstance(answer, HttpResponse)
        return answer

    def open(self, request: HttpRequest) -> Body:
        self.sent.append(request)
        answer = self.answers.pop(0)
        assert isinstance(answer, Body)
        return answer

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.send(request)

    async def aopen(self, request: HttpRequest) -> Body:
        return self.open(request)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def ok(payload: object) -> HttpResponse:
    return HttpResponse(
        status=200, headers=(("x-request-id", "r-1"),), body=json.dumps(payload).encode()
    )


def public_methods(obj: object) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(getattr(obj, name))
        for name in dir(obj)
        if not name.startswith("_") and callable(getattr(obj, name))
    }


def namespaces(client: object) -> dict[str, object]:
    found: dict[str, object] = {}
    names = {*vars(client), *(n for n, v in vars(type(client)).items() if isinstance(v, area))}
    for name in sorted(names):
        value = getattr(client, name)
        if type(value).__module__.startswith("together_fn.resources.") and not name.startswith("_"):
            found[name] = value
            for sub, inner in namespaces(value).items():
                found[f"{name}.{sub}"] = inner
    return found


def test_sync_and_async_clients_have_the_same_shape() -> None:
    sync = Together(api_key=KEY, transport=Scripted())
    asynchronous = AsyncTogether(api_key=KEY, transport=Scripted())
    sync_spaces, async_spaces = namespaces(sync), namespaces(asynchronous)
    assert set(sync_spaces) == set(async_spaces)
    assert {"chat", "chat.completions", "completions", "embeddings", "rerank", "images"} <= set(
        sync_spaces
    )
    for name, space in sync_spaces.items():
        sync_methods = public_methods(space)
        async_methods = public_methods(async_spaces[name])
        assert set(sync_methods) == set(async_methods), name
        for method, signature in sync_methods.items():
            twin = getattr(async_spaces[name], method)
            assert inspect.iscoroutinefunction(twin), f"{name}.{method} is not awaitable"
            # Same parameters; return types differ only by being awaited (and async streams).
            assert signature.parameters == async_methods[method].parameters, f"{name}.{method}"


def test_facade_methods_take_their_builders_parameters() -> None:
    client = Together(api_key=KEY, transport=Scripted())
    assert client.embeddings.create.__doc__ == api.embeddings.create_embeddings.__doc__
    assert "model" in inspect.signature(client.embeddings.create).parameters
    assert "query" in inspect.signature(client.rerank.create).parameters


def test_missing_key_raises_authentication_error_at_construction() -> None:
    with pytest.raises(AuthenticationError, match="TOGETHER_API_KEY"):
        Together(env={}, transport=Scripted())
    with pytest.raises(AuthenticationError):
        AsyncTogether(env={}, transport=Scripted())


def test_key_from_environment_mapping_and_never_in_repr() -> None:
    transport = Scripted(ok(CHAT))
    client = Together(env={"TOGETHER_API_KEY": KEY}, transport=transport)
    response = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert isinstance(response, ChatCompletionResponse)
    assert response.choices[0].message.content == "hello"
    assert transport.sent[0].header("authorization") == f"Bearer {KEY}"
    assert KEY not in repr(client.config) + repr(transport.sent[0])


def test_errors_are_raised_as_the_error_values() -> None:
    limited = HttpResponse(
        status=429,
        headers=(("retry-after", "3600"),),
        body=b'{"error": {"message": "slow down", "type": "credit_limit"}}',
    )
    client = Together(api_key=KEY, transport=Scripted(limited))
    with pytest.raises(RateLimitError) as caught:
        client.embeddings.create(model="m", input="x")
    assert caught.value.retry_after == 3600
    assert caught.value.message == "slow down"
    assert KEY not in str(caught.value) + repr(caught.value)


def test_execute_exposes_the_exchange() -> None:
    client = Together(api_key=KEY, transport=Scripted(ok(CHAT)), retry=NO_RETRY)
    exchange = client.execute(
        api.chat.create_chat_completion(model="m", messages=[{"role": "user", "content": "x"}])
    )
    assert exchange.status == 200
    assert exchange.request_id == "r-1"
    assert exchange.attempts == 1
    assert unwrap_or_raise(exchange.result).id == "c1"


def test_stream_true_yields_chunk_models_and_fails_loudly_when_cut() -> None:
    done = Body(200, [chunk("he"), chunk("llo") + b"data: [DONE]\n\n"])
    cut = Body(200, [chunk("he")])
    client = Together(api_key=KEY, transport=Scripted(done, cut))
    stream = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}], stream=True
    )
    assert isinstance(stream, ChunkStream)
    chunks = list(stream)
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "hello"
    assert stream.exchange is not None
    assert stream.exchange.status == 200
    with pytest.raises(StreamError, match=r"\[DONE\]"):
        list(
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}], stream=True
            )
        )


def test_context_manager_closes_the_transport() -> None:
    transport = Scripted()
    with Together(api_key=KEY, transport=transport):
        pass
    assert transport.closed


def test_async_client_returns_models_streams_and_closes() -> None:
    transport = Scripted(
        ok(CHAT),
        Body(200, [chunk("a"), b"data: [DONE]\n\n"]),
        ok(
            {
                "object": "list",
                "model": "e",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}],
            }
        ),
    )

    async def scenario() -> tuple[Any, list[ChatCompletionChunk], Any]:
        async with AsyncTogether(api_key=KEY, transport=transport) as client:
            answer = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}]
            )
            stream = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}], stream=True
            )
            assert isinstance(stream, AsyncChunkStream)
            chunks = [c async for c in stream]
            vectors = await client.embeddings.create(model="e", input=["x"])
            return answer, chunks, vectors

    answer, chunks, vectors = asyncio.run(scenario())
    assert answer.choices[0].message.content == "hello"
    assert [c.choices[0].delta.content for c in chunks] == ["a"]
    assert isinstance(vectors, EmbeddingsResponse)
    assert vectors.data[0].embedding == (0.5,)
    assert transport.closed


def test_namespaces_are_imported_on_first_use_and_then_kept() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from together_fn import Together\n"
        "client = Together(api_key='k')\n"
        "print('together_fn.resources.fine_tuning' in sys.modules)\n"
        "assert client.fine_tuning is client.fine_tuning\n"
        "print('together_fn.resources.fine_tuning' in sys.modules)\n"
        "print(client.evals is client.evaluation)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True", "True"]
