"""The testing kit: fakes decode into the library's models, and FakeTransport answers by route."""

from __future__ import annotations

import asyncio
import json

import pytest
from returns.result import Success

from together_fn import AsyncTogether, RateLimitError, StreamError, Together, api
from together_fn.config import ClientConfig
from together_fn.executors import Executor
from together_fn.models.chat import ChatCompletionResponse
from together_fn.retry import RetryPolicy
from together_fn.testing import (
    FakeTransport,
    chat_completion,
    chat_stream,
    completion,
    embeddings,
    error,
    json_response,
    sse_response,
)
from together_fn.testing.transport import UnexpectedRequest

MESSAGES = [{"role": "user", "content": "Hi"}]


def client(routes: dict[str, object], **options: object) -> Together:
    return Together(api_key="test-key", transport=FakeTransport(routes), **options)  # type: ignore[arg-type]


def test_a_fake_chat_completion_decodes_into_the_model() -> None:
    answer = client({"POST /chat/completions": chat_completion("Hi there", model="m")})
    response = answer.chat.completions.create(model="m", messages=MESSAGES)
    assert isinstance(response, ChatCompletionResponse)
    assert response.choices[0].message.content == "Hi there"
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None
    assert response.usage.total_tokens == 15


def test_a_fake_tool_call_carries_json_arguments() -> None:
    fake = chat_completion(
        None, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}]
    )
    response = client({"/chat/completions": fake}).chat.completions.create(
        model="m", messages=MESSAGES
    )
    [call] = response.choices[0].message.tool_calls or ()
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert response.choices[0].finish_reason == "tool_calls"


def test_a_fake_stream_yields_its_pieces_byte_by_byte() -> None:
    transport = FakeTransport(
        {"POST /chat/completions": chat_stream(["Hel", "lo", "!"])}, chunk_size=1
    )
    together = Together(api_key="test-key", transport=transport)
    pieces = [
        chunk.choices[0].delta.content
        for chunk in together.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    ]
    assert pieces == ["Hel", "lo", "!"]


def test_a_fake_stream_without_done_is_an_error() -> None:
    together = client({"POST /chat/completions": chat_stream(["a", "b"], done=False)})
    stream = together.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    with pytest.raises(StreamError, match="ended before"):
        list(stream)


def test_a_sequence_answers_in_order_and_retries_see_each_answer() -> None:
    transport = FakeTransport(
        {"POST /chat/completions": [error(429, "slow down", retry_after=0), chat_completion("ok")]}
    )
    together = Together(api_key="test-key", transport=transport)
    response = together.chat.completions.create(model="m", messages=MESSAGES)
    assert response.choices[0].message.content == "ok"
    assert len(transport.requests_to("POST /chat/completions")) == 2


def test_a_fake_error_is_raised_as_its_typed_error() -> None:
    together = client(
        {"/chat/completions": error(429, "slow down", retry_after=0)},
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(RateLimitError) as raised:
        together.chat.completions.create(model="m", messages=MESSAGES)
    assert raised.value.status == 429
    assert raised.value.message == "slow down"
    assert raised.value.request_id == "fake-request"


def test_an_exhausted_sequence_and_an_unknown_route_fail_the_test() -> None:
    together = client({"POST /completions": [completion("one")]})
    assert together.completions.create(model="m", prompt="p").choices[0].text == "one"
    with pytest.raises(UnexpectedRequest, match="all its 1 answers"):
        together.completions.create(model="m", prompt="p")
    with pytest.raises(UnexpectedRequest, match="no fake answer for POST /v1/embeddings"):
        together.embeddings.create(model="m", input="x")


def test_routes_match_the_method_and_the_end_of_the_path() -> None:
    transport = FakeTransport(
        {"GET /models": json_response([]), "/embeddings": embeddings([[0.5]])}
    )
    executor = Executor(
        transport, ClientConfig(api_key="k", base_url="https://example.test/api/v1")
    )
    assert executor.run(api.models.list_models()) == Success(())
    vectors = executor.run(api.embeddings.create_embeddings(model="m", input="x"))
    assert [d.embedding for d in vectors.unwrap().data] == [(0.5,)]
    with pytest.raises(UnexpectedRequest):
        executor.run(api.models.upload_model(model_name="a", model_source="b"))
    assert [r.method.value for r in transport.requests] == ["GET", "POST", "POST"]


def test_a_route_may_compute_its_answer_from_the_request() -> None:
    def echo(request: object) -> object:
        body = json.loads(request.body.data)  # type: ignore[attr-defined]
        return completion(body["prompt"].upper())

    together = client({"POST /completions": echo})
    assert together.completions.create(model="m", prompt="shout").choices[0].text == "SHOUT"


def test_routes_must_be_paths() -> None:
    with pytest.raises(ValueError, match="METHOD /path"):
        FakeTransport({"chat/completions": completion()})


def test_the_async_client_uses_the_same_fakes() -> None:
    async def ask() -> list[str | None]:
        together = AsyncTogether(
            api_key="test-key",
            transport=FakeTransport(
                {"POST /chat/completions": [chat_completion("one"), chat_stream(["t", "wo"])]}
            ),
        )
        first = await together.chat.completions.create(model="m", messages=MESSAGES)
        stream = await together.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        rest = [chunk.choices[0].delta.content async for chunk in stream]
        return [first.choices[0].message.content, *rest]

    assert asyncio.run(ask()) == ["one", "t", "wo"]


def test_sse_response_sends_strings_as_they_are() -> None:
    response = sse_response(['{"a": 1}', {"b": 2}], done=False)
    assert response.body == b'data: {"a": 1}\n\ndata: {"b": 2}\n\n'


def test_a_result_stream_read_with_next_records_how_it_went() -> None:
    transport = FakeTransport({"POST /chat/completions": chat_stream(["a", "b"])})
    executor = Executor(transport, ClientConfig(api_key="test-key"))
    call = api.chat.stream_chat_completion(model="m", messages=MESSAGES)
    results = executor.stream(call)
    first, second = next(results), next(results)
    assert [r.unwrap().choices[0].delta.content for r in (first, second)] == ["a", "b"]
    assert list(results) == []  # the terminator ends it
    assert results.exchange is not None
    assert results.exchange.result == Success(None)
    with pytest.raises(StopIteration):
        next(results)


def test_a_result_stream_closed_before_reading_yields_nothing() -> None:
    transport = FakeTransport({"POST /chat/completions": chat_stream(["a"])})
    executor = Executor(transport, ClientConfig(api_key="test-key"))
    results = executor.stream(api.chat.stream_chat_completion(model="m", messages=MESSAGES))
    results.close()
    assert list(results) == []
    assert results.exchange is None
