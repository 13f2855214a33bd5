"""Server-sent events over real sockets: chunks arrive as sent, and broken streams fail."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from returns.result import Failure, Result, Success

from tests.executors.conftest import (
    Driver,
    assert_secret_free,
    config_for,
    prepared,
    stream_call,
)
from tests.executors.loopback import Loopback, Wire, json_reply, sse_event, stream
from together_fn.errors import StreamError, TogetherError

DONE = b"data: [DONE]\n\n"
FIRST = {"i": 0, "text": "héllo ✓"}
SECOND = {"i": 1, "text": "wörld"}
THIRD = {"i": 2, "text": "!"}

#: How long the server waits for the client before giving up on it.
PATIENCE = 5.0


def split_inside(data: bytes, character: str) -> tuple[bytes, bytes]:
    """``data`` cut in the middle of the UTF-8 encoding of ``character``."""
    at = data.index(character.encode()) + 1
    return data[:at], data[at:]


@pytest.mark.asyncio
@pytest.mark.parametrize("framing", ["chunked", "close"])
async def test_events_arrive_before_the_stream_ends(
    server: Loopback, driver: Driver, framing: str
) -> None:
    first, second, third = sse_event(FIRST), sse_event(SECOND), sse_event(THIRD)
    got_first = threading.Event()
    sending_last = threading.Event()
    seen_last_too_early: list[bool] = []

    def wait_for_client(_: Wire) -> None:
        got_first.wait(PATIENCE)

    def announce_last(_: Wire) -> None:
        sending_last.set()

    first_head, first_tail = split_inside(first, "é")
    second_head, second_tail = split_inside(second, "ö")
    pieces: list[bytes | Any] = [
        first[:4],  # mid-field
        first_head[4:],
        first_tail,
        wait_for_client,
        second_head,
        second_tail + third[:9],  # the end of one event and the start of the next
        announce_last,
        third[9:] + DONE,
    ]
    server.route("/v1/chat/completions", stream(pieces, framing=framing, delay=0.02))  # type: ignore[arg-type]

    def on_item(_: Result[Any, TogetherError]) -> None:
        if not got_first.is_set():
            seen_last_too_early.append(sending_last.is_set())
            got_first.set()

    items, exchange = await driver.stream(
        stream_call("/chat/completions"), config_for(server), on_item
    )

    assert items == [Success(FIRST), Success(SECOND), Success(THIRD)]
    # The first event was in the consumer's hands while the server held back the last one.
    assert seen_last_too_early == [False]
    assert exchange is not None
    assert exchange.result == Success(None)
    assert exchange.status == 200
    assert exchange.attempts == 1
    [sent] = server.requests_to("/v1/chat/completions")
    assert sent.header("accept") == "text/event-stream"


@pytest.mark.asyncio
async def test_transport_read_returns_what_has_arrived(server: Loopback, driver: Driver) -> None:
    released = threading.Event()

    def wait_for_client(_: Wire) -> None:
        released.wait(PATIENCE)

    server.route("/v1/chat/completions", stream([b'data: {"a"', wait_for_client, b": 1}\n\n"]))
    early: list[bool] = []

    def on_chunk(_: bytes) -> None:
        early.append(not released.is_set())
        released.set()

    request = prepared(stream_call("/chat/completions").request, server)
    head, chunks = await driver.read_stream(request, on_chunk)

    assert head.status == 200
    assert head.header("content-type") == "text/event-stream"
    assert b"".join(chunks) == b'data: {"a": 1}\n\n'
    assert chunks[0] == b'data: {"a"'
    assert early[0] is True


@pytest.mark.asyncio
async def test_stream_ending_without_done_is_an_error(server: Loopback, driver: Driver) -> None:
    server.route("/v1/chat/completions", stream([sse_event(FIRST), sse_event(SECOND)]))
    items, exchange = await driver.stream(stream_call("/chat/completions"), config_for(server))

    assert items[:2] == [Success(FIRST), Success(SECOND)]
    [failure] = items[2:]
    assert isinstance(failure, Failure)
    error = failure.failure()
    assert isinstance(error, StreamError)
    assert error.events_received == 2
    assert "[DONE]" in error.message
    assert exchange is not None
    assert isinstance(exchange.result, Failure)


@pytest.mark.asyncio
@pytest.mark.parametrize("end", ["close", "reset"])
async def test_stream_cut_mid_body_is_an_error(server: Loopback, driver: Driver, end: str) -> None:
    pieces = [sse_event(FIRST), b'data: {"i": 1, "te']
    server.route("/v1/chat/completions", stream(pieces, end=end))  # type: ignore[arg-type]
    items, _ = await driver.stream(stream_call("/chat/completions"), config_for(server))

    assert items[0] == Success(FIRST)
    [failure] = items[1:]
    assert isinstance(failure, Failure)
    error = failure.failure()
    assert isinstance(error, StreamError)
    assert "connection broke" in error.message
    assert_secret_free(error)
    # A stream is never retried once an event was delivered.
    assert server.hits("/v1/chat/completions") == 1


@pytest.mark.asyncio
async def test_error_event_mid_stream_is_a_failure(server: Loopback, driver: Driver) -> None:
    error_event = sse_event({"error": {"message": "model overloaded", "type": "server_error"}})
    pieces = [sse_event(FIRST), error_event, sse_event(THIRD), DONE]
    server.route("/v1/chat/completions", stream(pieces))
    items, exchange = await driver.stream(stream_call("/chat/completions"), config_for(server))

    assert len(items) == 2
    assert items[0] == Success(FIRST)
    assert isinstance(items[1], Failure)
    error = items[1].failure()
    assert isinstance(error, StreamError)
    assert error.message == "model overloaded"
    assert error.type == "server_error"
    assert exchange is not None
    assert isinstance(exchange.result, Failure)


@pytest.mark.asyncio
async def test_rate_limited_before_the_stream_then_success(
    server: Loopback, driver: Driver
) -> None:
    server.route(
        "/v1/chat/completions",
        json_reply({"error": {"message": "slow down"}}, status=429, headers=[("Retry-After", "1")]),
        stream([sse_event(FIRST), DONE]),
    )
    items, exchange = await driver.stream(stream_call("/chat/completions"), config_for(server))

    assert items == [Success(FIRST)]
    assert driver.sleeps == [1.0]
    assert exchange is not None
    assert exchange.attempts == 2
    assert exchange.result == Success(None)


@pytest.mark.asyncio
async def test_stream_stalling_mid_body_times_out(server: Loopback, driver: Driver) -> None:
    def stall(wire: Wire) -> None:
        wire.pause(3.0)

    server.route("/v1/chat/completions", stream([sse_event(FIRST), stall, DONE]))
    items, exchange = await driver.stream(
        stream_call("/chat/completions"), config_for(server, read=0.3)
    )

    assert items[0] == Success(FIRST)
    [failure] = items[1:]
    assert isinstance(failure, Failure)
    error = failure.failure()
    assert isinstance(error, StreamError)
    assert "stalled" in error.message
    assert exchange is not None
    assert exchange.elapsed < 2.5


@pytest.mark.asyncio
async def test_stream_refused_before_any_event_reports_the_status(
    server: Loopback, driver: Driver
) -> None:
    server.route("/v1/chat/completions", json_reply({"error": {"message": "bad key"}}, status=401))
    items, exchange = await driver.stream(stream_call("/chat/completions"), config_for(server))

    [failure] = items
    assert isinstance(failure, Failure)
    assert failure.failure().message == "bad key"
    assert_secret_free(failure.failure())
    assert exchange is not None
    assert exchange.status == 401
    assert server.hits("/v1/chat/completions") == 1
