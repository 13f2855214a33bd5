"""Flows driven by hand: the exact effects they yield for each scripted outcome."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from typing import Any

import attrs
import pytest
from returns.result import Failure, Success

from together_fn import flows
from together_fn.calls import Call, Exchange, StreamCall
from together_fn.config import ClientConfig, prepare
from together_fn.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    RateLimitError,
    ServiceUnavailableError,
    StreamError,
)
from together_fn.flows import (
    MAX_REDIRECTS,
    Clock,
    Emit,
    EmitEach,
    Read,
    Send,
    Sleep,
    redirect,
    request_flow,
    stream_flow,
)
from together_fn.http import (
    NO_BODY,
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    JsonBody,
    Method,
    Timeout,
    to_headers,
)
from together_fn.retry import RetryPolicy

BASE = "https://api.example.test/v1"
KEY = "sk-flow-test-key"
POLICY = RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=8.0, jitter=0.0)
CONFIG = ClientConfig(api_key=KEY, base_url=BASE, retry=POLICY)


@attrs.frozen(kw_only=True)
class Thing:
    value: int


@attrs.frozen(kw_only=True)
class Chunk:
    text: str


REQUEST = HttpRequest(method=Method.POST, url="/things", body=JsonBody(b'{"a":1}'))
CALL: Call[Thing] = Call(operation="POST /things", request=REQUEST, response_type=Thing)
CREATE: Call[Thing] = attrs.evolve(CALL, retryable=False)
STREAM: StreamCall[Chunk] = StreamCall(operation="POST /things", request=REQUEST, chunk_type=Chunk)


class FakeClock:
    """Time moves only when a test says so (or when a flow sleeps)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return 0.0

    @property
    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.now, wall=lambda: 1.7e9 + self.now, random=self.random)


@attrs.frozen
class Slow:
    """An outcome that arrives ``seconds`` after it was asked for."""

    seconds: float
    outcome: Any


def drive(
    flow: Generator[Any, Any, Any],
    outcomes: Iterable[Any],
    clock: FakeClock,
    *,
    oversleep: float = 0.0,
) -> tuple[list[Any], Any]:
    """Answer each Send/Read with the next outcome; sleeping advances the clock."""
    script = iter(outcomes)
    effects: list[Any] = []
    answer: Any = None
    try:
        while True:
            effect = flow.send(answer)
            effects.append(effect)
            answer = None
            if isinstance(effect, Sleep):
                clock.now += effect.seconds + oversleep
            elif isinstance(effect, Send | Read):
                answer = next(script)
                if isinstance(answer, Slow):
                    clock.now += answer.seconds
                    answer = answer.outcome
    except StopIteration as stop:
        leftover = list(script)
        assert leftover == [], f"the flow stopped with outcomes left: {leftover}"
        return effects, stop.value


def ok(value: int = 1, /, **headers: str) -> HttpResponse:
    return HttpResponse(
        status=200, headers=to_headers(headers), body=json.dumps({"value": value}).encode()
    )


def status(code: int, body: bytes = b"", /, **headers: str) -> HttpResponse:
    return HttpResponse(status=code, headers=to_headers(headers), body=body)


def kinds(effects: list[Any]) -> list[str]:
    return [type(e).__name__ for e in effects]


def test_by_hand_503_503_200() -> None:
    clock = FakeClock()
    flow = request_flow(CALL, CONFIG, clock.clock)
    prepared = prepare(REQUEST, CONFIG)
    assert next(flow) == Send(prepared)
    assert flow.send(status(503)) == Sleep(0.5)
    clock.now += 0.5
    assert flow.send(None) == Send(prepared)
    assert flow.send(status(503)) == Sleep(1.0)
    clock.now += 1.0
    assert flow.send(None) == Send(prepared)
    with pytest.raises(StopIteration) as stop:
        flow.send(ok(7, **{"x-request-id": "req-3"}))
    exchange: Exchange[Thing] = stop.value.value
    assert exchange.result == Success(Thing(value=7))
    assert exchange.attempts == 3
    assert exchange.elapsed == 1.5
    assert exchange.status == 200
    assert exchange.request_id == "req-3"


def test_first_send_is_the_prepared_request() -> None:
    clock = FakeClock()
    effects, _ = drive(request_flow(CALL, CONFIG, clock.clock), [ok()], clock)
    (send,) = effects
    assert send == Send(prepare(REQUEST, CONFIG), stream=False)
    assert send.request.url == f"{BASE}/things"
    assert send.request.header("authorization") == f"Bearer {KEY}"


def test_429_with_retry_after_sleeps_that_long() -> None:
    clock = FakeClock()
    effects, exchange = drive(
        request_flow(CALL, CONFIG, clock.clock),
        [status(429, **{"retry-after": "2"}), ok()],
        clock,
    )
    assert kinds(effects) == ["Send", "Sleep", "Send"]
    assert effects[1] == Sleep(2.0)
    assert exchange.result == Success(Thing(value=1))
    assert exchange.attempts == 2


def test_retry_after_beyond_the_bound_fails_at_once() -> None:
    clock = FakeClock()
    body = json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}).encode()
    effects, exchange = drive(
        request_flow(CALL, CONFIG, clock.clock),
        [status(429, body, **{"retry-after": "3600"})],
        clock,
    )
    assert kinds(effects) == ["Send"]
    error = exchange.result.failure()
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3600.0
    assert (error.message, error.type, error.attempts) == ("slow down", "rate_limit", 1)
    assert exchange.status == 429


def test_retries_run_out_and_the_last_status_is_the_error() -> None:
    clock = FakeClock()
    effects, exchange = drive(request_flow(CALL, CONFIG, clock.clock), [status(503)] * 4, clock)
    assert kinds(effects) == ["Send", "Sleep"] * 3 + ["Send"]
    assert [e.seconds for e in effects if isinstance(e, Sleep)] == [0.5, 1.0, 2.0]
    error = exchange.result.failure()
    assert isinstance(error, ServiceUnavailableError)
    assert (error.attempts, error.elapsed, exchange.attempts) == (4, 3.5, 4)


def test_client_error_is_not_retried() -> None:
    clock = FakeClock()
    body = json.dumps({"error": {"message": "bad", "param": "model"}}).encode()
    effects, exchange = drive(request_flow(CALL, CONFIG, clock.clock), [status(400, body)], clock)
    assert kinds(effects) == ["Send"]
    assert exchange.result.failure() == BadRequestError(
        message="bad", status=400, param="model", body=body
    )


def test_connection_error_then_success() -> None:
    clock = FakeClock()
    effects, exchange = drive(
        request_flow(CALL, CONFIG, clock.clock),
        [APIConnectionError(message="reset"), ok()],
        clock,
    )
    assert kinds(effects) == ["Send", "Sleep", "Send"]
    assert exchange.result == Success(Thing(value=1))
    assert exchange.attempts == 2


def test_connection_errors_until_give_up() -> None:
    clock = FakeClock()
    effects, exchange = drive(
        request_flow(CALL, CONFIG, clock.clock),
        [APIConnectionError(message="refused", request_sent=False)] * 4,
        clock,
    )
    assert kinds(effects) == ["Send", "Sleep"] * 3 + ["Send"]
    assert exchange.result == Failure(
        APIConnectionError(message="refused", request_sent=False, attempts=4, elapsed=3.5)
    )
    assert exchange.response is None
    assert exchange.attempts == 4


def test_non_retryable_call_is_not_retried_after_a_response() -> None:
    clock = FakeClock()
    effects, exchange = drive(request_flow(CREATE, CONFIG, clock.clock), [status(503)], clock)
    assert kinds(effects) == ["Send"]
    assert isinstance(exchange.result.failure(), ServiceUnavailableError)


def test_non_retryable_call_retried_only_if_the_request_never_left() -> None:
    clock = FakeClock()
    sent = APIConnectionError(message="reset", request_sent=True)
    effects, exchange = drive(request_flow(CREATE, CONFIG, clock.clock), [sent], clock)
    assert kinds(effects) == ["Send"]
    assert isinstance(exchange.result.failure(), APIConnectionError)

    never = APIConnectionError(message="refused", request_sent=False)
    effects, exchange = drive(request_flow(CREATE, CONFIG, clock.clock), [never, ok()], clock)
    assert kinds(effects) == ["Send", "Sleep", "Send"]
    assert exchange.result == Success(Thing(value=1))


def test_server_may_ask_a_non_retryable_call_to_retry() -> None:
    clock = FakeClock()
    effects, exchange = drive(
        request_flow(CREATE, CONFIG, clock.clock),
        [status(503, **{"x-should-retry": "true"}), ok()],
        clock,
    )
    assert kinds(effects) == ["Send", "Sleep", "Send"]
    assert exchange.result == Success(Thing(value=1))


def test_success_that_does_not_decode_is_a_validation_error() -> None:
    clock = FakeClock()
    bad = HttpResponse(status=200, headers=to_headers({"x-request-id": "r"}), body=b'{"v":1}')
    _, exchange = drive(request_flow(CALL, CONFIG, clock.clock), [bad], clock)
    error = exchange.result.failure()
    assert isinstance(error, APIResponseValidationError)
    assert (error.status, error.request_id, error.body) == (200, "r", b'{"v":1}')


# Redirects.


def _redirected(response: HttpResponse, *more: HttpResponse) -> tuple[list[Any], Any]:
    clock = FakeClock()
    return drive(request_flow(CALL, CONFIG, clock.clock), [response, *more], clock)


def test_same_origin_redirect_keeps_authorization_method_and_body() -> None:
    effects, exchange = _redirected(status(307, location="/v1/elsewhere"), ok())
    first, second = (e.request for e in effects)
    assert second.url == f"{BASE}/elsewhere"
    assert second.method is Method.POST
    assert second.body == REQUEST.body
    assert second.header("authorization") == f"Bearer {KEY}"
    assert second.header("content-type") == "application/json"
    assert first.headers == second.headers
    assert exchange.result == Success(Thing(value=1))
    assert exchange.attempts == 1


def test_cross_origin_redirect_strips_authorization() -> None:
    effects, _ = _redirected(status(308, location="https://storage.example.org/put?sig=1"), ok())
    second = effects[1].request
    assert second.url == "https://storage.example.org/put?sig=1"
    assert second.header("authorization") is None
    assert KEY not in repr(second)
    assert second.method is Method.POST
    assert second.body == REQUEST.body


@pytest.mark.parametrize(
    "location",
    ["http://api.example.test/v1/x", "https://api.example.test:8443/v1/x", "https://evil.test/"],
)
def test_scheme_or_port_change_is_another_origin(location: str) -> None:
    effects, _ = _redirected(status(302, location=location), ok())
    assert effects[1].request.header("authorization") is None


@pytest.mark.parametrize("code", [301, 302, 303])
def test_303_and_friends_turn_post_into_get_without_body(code: int) -> None:
    effects, _ = _redirected(status(code, location="/v1/result"), ok())
    second = effects[1].request
    assert second.method is Method.GET
    assert second.body == NO_BODY
    assert second.header("content-type") is None
    assert second.header("authorization") == f"Bearer {KEY}"


def test_redirect_limit() -> None:
    loop = status(302, location="/v1/again")
    effects, exchange = _redirected(*[loop] * (MAX_REDIRECTS + 1))
    assert kinds(effects) == ["Send"] * (MAX_REDIRECTS + 1)
    error = exchange.result.failure()
    assert isinstance(error, APIStatusError)
    assert error.status == 302


def test_redirect_without_location_is_just_a_response() -> None:
    assert redirect(REQUEST, HttpResponseHead(status=302)) is None
    assert redirect(REQUEST, HttpResponseHead(status=200, headers=(("location", "/x"),))) is None


def test_redirect_drops_the_old_query() -> None:
    request = HttpRequest(method=Method.GET, url=f"{BASE}/list", query=(("after", "a"),))
    head = HttpResponseHead(status=302, headers=(("location", "/v1/list?after=b"),))
    following = redirect(request, head)
    assert following is not None
    assert (following.url, following.query) == (f"{BASE}/list?after=b", ())


# Deadlines.


def test_deadline_bounds_each_attempts_timeout() -> None:
    clock = FakeClock()
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=2.0))
    effects, exchange = drive(
        request_flow(CALL, config, clock.clock),
        [Slow(2.0, APITimeoutError(message="read timed out"))],
        clock,
    )
    assert kinds(effects) == ["Send"]
    assert effects[0].request.timeout == Timeout(connect=2.0, read=2.0)
    error = exchange.result.failure()
    assert isinstance(error, APITimeoutError)
    assert (error.attempts, error.elapsed) == (1, 2.0)


def test_later_attempts_get_what_is_left_of_the_deadline() -> None:
    clock = FakeClock()
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=10.0))
    effects, _ = drive(request_flow(CALL, config, clock.clock), [Slow(3, status(503)), ok()], clock)
    assert effects[2].request.timeout == Timeout(connect=5.0, read=6.5)


def test_deadline_passed_while_sleeping_is_a_timeout() -> None:
    clock = FakeClock()
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=1.0))
    effects, exchange = drive(
        request_flow(CALL, config, clock.clock), [Slow(0.2, status(503))], clock, oversleep=0.5
    )
    assert kinds(effects) == ["Send", "Sleep"]
    error = exchange.result.failure()
    assert isinstance(error, APITimeoutError)
    assert "deadline" in error.message
    assert error.attempts == exchange.attempts == 1
    assert error.elapsed == pytest.approx(1.2)


def test_zero_deadline_sends_nothing() -> None:
    clock = FakeClock()
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=0.0))
    effects, exchange = drive(request_flow(CALL, config, clock.clock), [], clock)
    assert effects == []
    assert isinstance(exchange.result.failure(), APITimeoutError)
    assert exchange.attempts == 0


def test_a_wait_that_would_pass_the_deadline_is_not_taken() -> None:
    clock = FakeClock()
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=5.0))
    effects, exchange = drive(
        request_flow(CALL, config, clock.clock), [status(429, **{"retry-after": "10"})], clock
    )
    assert kinds(effects) == ["Send"]
    assert isinstance(exchange.result.failure(), RateLimitError)


# Streams.


def sse(*events: str) -> bytes:
    return b"".join(f"data: {e}\n\n".encode() for e in events)


def head(code: int = 200, /, **headers: str) -> HttpResponseHead:
    return HttpResponseHead(status=code, headers=to_headers(headers))


def chunk(text: str) -> str:
    return json.dumps({"text": text})


def stream(
    outcomes: list[Any], call: StreamCall[Chunk] = STREAM, config: ClientConfig = CONFIG
) -> tuple[list[Any], Exchange[None]]:
    clock = FakeClock()
    return drive(stream_flow(call, config, clock.clock), outcomes, clock)


def emitted(effects: list[Any]) -> list[Any]:
    items: list[Any] = []
    for effect in effects:
        if isinstance(effect, Emit):
            items.append(effect.item)
        elif isinstance(effect, EmitEach):
            items.extend(effect.items)
    return items


def test_stream_by_hand() -> None:
    clock = FakeClock()
    flow = stream_flow(STREAM, CONFIG, clock.clock)
    assert next(flow) == Send(prepare(REQUEST, CONFIG), stream=True)
    assert flow.send(head(**{"x-request-id": "s-1"})) == Read()
    # The events of one read are emitted together.
    assert flow.send(sse(chunk("Hel"), chunk("lo"))) == EmitEach(
        (Success(Chunk(text="Hel")), Success(Chunk(text="lo")))
    )
    assert flow.send(None) == Read()
    with pytest.raises(StopIteration) as stop:
        flow.send(b"data: [DONE]\n\n")
    exchange: Exchange[None] = stop.value.value
    assert exchange.result == Success(None)
    assert (exchange.status, exchange.request_id, exchange.attempts) == (200, "s-1", 1)


def test_done_ends_the_stream_without_reading_further() -> None:
    effects, exchange = stream([head(), sse(chunk("a"), "[DONE]", chunk("never"))])
    assert kinds(effects) == ["Send", "Read", "EmitEach"]
    assert emitted(effects) == [Success(Chunk(text="a"))]
    assert exchange.result == Success(None)


def test_events_split_across_reads() -> None:
    whole = sse(chunk("a\u2028b"), chunk("c"), "[DONE]")
    parts = [whole[i : i + 5] for i in range(0, len(whole), 5)]
    effects, exchange = stream([head(), *parts])
    assert emitted(effects) == [Success(Chunk(text="a\u2028b")), Success(Chunk(text="c"))]
    assert exchange.result == Success(None)


def test_stream_retried_before_it_opens() -> None:
    effects, exchange = stream(
        [head(503), b"overloaded", b"", APIConnectionError(message="reset"), head(), sse("[DONE]")]
    )
    assert kinds(effects) == ["Send", "Read", "Read", "Sleep", "Send", "Sleep", "Send", "Read"]
    assert all(e.stream for e in effects if isinstance(e, Send))
    assert [e.seconds for e in effects if isinstance(e, Sleep)] == [0.5, 1.0]
    assert exchange.result == Success(None)
    assert exchange.attempts == 3


def test_stream_error_status_is_read_and_classified() -> None:
    body = json.dumps({"error": {"message": "no such model", "code": "model_not_found"}})
    effects, exchange = stream([head(404, **{"x-request-id": "r4"}), body.encode(), b""])
    assert kinds(effects) == ["Send", "Read", "Read", "Emit"]
    (item,) = emitted(effects)
    error = item.failure()
    assert (error.status, error.message, error.code, error.request_id) == (
        404,
        "no such model",
        "model_not_found",
        "r4",
    )
    assert exchange.result == item
    assert exchange.status == 404


def test_stream_rate_limit_beyond_the_bound_fails_at_once() -> None:
    effects, exchange = stream([head(429, **{"retry-after": "3600"}), b""])
    assert kinds(effects) == ["Send", "Read", "Emit"]
    error = exchange.result.failure()
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3600.0


def test_stream_of_a_non_retryable_call_is_not_retried() -> None:
    effects, exchange = stream([head(503), b""], call=attrs.evolve(STREAM, retryable=False))
    assert "Sleep" not in kinds(effects)
    assert isinstance(exchange.result.failure(), ServiceUnavailableError)


def test_stream_connection_failure_on_open_gives_up() -> None:
    effects, exchange = stream([APIConnectionError(message="refused")] * 4)
    assert kinds(effects) == ["Send", "Sleep"] * 3 + ["Send", "Emit"]
    error = exchange.result.failure()
    assert isinstance(error, APIConnectionError)
    assert error.attempts == 4
    assert emitted(effects) == [exchange.result]


def test_stream_follows_a_redirect() -> None:
    effects, exchange = stream(
        [head(307, location="https://other.example.test/s"), head(), sse("[DONE]")]
    )
    assert kinds(effects) == ["Send", "Send", "Read"]
    assert effects[1].request.header("authorization") is None
    assert exchange.result == Success(None)


def test_truncated_stream_without_done_is_an_error() -> None:
    effects, exchange = stream([head(), sse(chunk("a")), b""])
    assert kinds(effects) == ["Send", "Read", "EmitEach", "Read", "Emit"]
    first, last = emitted(effects)
    assert first == Success(Chunk(text="a"))
    error = last.failure()
    assert isinstance(error, StreamError)
    assert "[DONE]" in error.message
    assert error.events_received == 1
    assert exchange.result == last


def test_connection_drop_mid_stream_is_a_stream_error_and_not_retried() -> None:
    effects, exchange = stream(
        [head(**{"x-request-id": "s"}), sse(chunk("a")), APIConnectionError(message="reset")]
    )
    assert kinds(effects) == ["Send", "Read", "EmitEach", "Read", "Emit"]
    error = exchange.result.failure()
    assert isinstance(error, StreamError)
    assert "reset" in error.message
    assert (error.events_received, error.request_id) == (1, "s")


@pytest.mark.parametrize(
    "raw",
    [
        b'event: error\ndata: {"message": "overloaded", "type": "server_error"}\n\n',
        b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n',
    ],
    ids=["event-error", "error-object"],
)
def test_error_events_become_stream_errors(raw: bytes) -> None:
    effects, exchange = stream([head(), sse(chunk("a")) + raw + sse(chunk("never"))])
    # The event before the error and the error leave together; the event after never does.
    assert kinds(effects) == ["Send", "Read", "EmitEach"]
    first, second = emitted(effects)
    assert first == Success(Chunk(text="a"))
    error = second.failure()
    assert isinstance(error, StreamError)
    assert (error.message, error.type, error.events_received) == ("overloaded", "server_error", 1)
    assert exchange.result == second


def test_error_event_with_text_data() -> None:
    effects, _ = stream([head(), b"event: error\ndata: worker died\n\n"])
    (item,) = emitted(effects)
    assert item.failure() == StreamError(message="worker died", events_received=0)


def test_non_json_event_is_a_validation_error() -> None:
    effects, exchange = stream([head(**{"x-request-id": "r"}), b"data: not json\n\n"])
    (item,) = emitted(effects)
    error = item.failure()
    assert isinstance(error, APIResponseValidationError)
    assert (error.body, error.request_id) == (b"not json", "r")
    assert exchange.result == item


def test_event_that_does_not_match_the_chunk_model() -> None:
    effects, _ = stream([head(), sse(json.dumps({"text": ["not", "a", "string"]}))])
    (item,) = emitted(effects)
    assert isinstance(item.failure(), APIResponseValidationError)


def test_stream_without_terminator_ends_cleanly_at_eof() -> None:
    call = attrs.evolve(STREAM, done=None)
    effects, exchange = stream([head(), sse(chunk("a"), "[DONE]")], call=call)
    items = emitted(effects)
    assert items[0] == Success(Chunk(text="a"))
    assert isinstance(items[1].failure(), APIResponseValidationError)  # "[DONE]" is just data
    assert exchange.result == items[1]

    effects, exchange = stream([head(), sse(chunk("a"), chunk("b")), b""], call=call)
    assert emitted(effects) == [Success(Chunk(text="a")), Success(Chunk(text="b"))]
    assert exchange.result == Success(None)


def test_stream_without_terminator_cut_mid_event_is_an_error() -> None:
    call = attrs.evolve(STREAM, done=None)
    effects, exchange = stream([head(), b'data: {"text": "a"}\n', b""], call=call)
    (item,) = emitted(effects)
    assert isinstance(item.failure(), StreamError)
    assert exchange.result == item


def test_stream_deadline_before_opening() -> None:
    config = attrs.evolve(CONFIG, retry=attrs.evolve(POLICY, deadline=0.0))
    effects, exchange = stream([], config=config)
    assert kinds(effects) == ["Emit"]
    assert isinstance(exchange.result.failure(), APITimeoutError)
    assert emitted(effects) == [exchange.result]


def test_flows_draw_randomness_from_the_clock_only() -> None:
    clock = FakeClock()
    drive(request_flow(CALL, CONFIG, clock.clock), [status(503), ok()], clock)
    assert clock.draws == 1


def test_an_error_event_carries_the_attempts_and_time_of_the_stream() -> None:
    ticks = iter([0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    clock = Clock(monotonic=lambda: next(ticks), wall=lambda: 0.0, random=lambda: 0.0)
    call: StreamCall[dict[str, object]] = StreamCall(
        operation="POST /chat/completions",
        request=HttpRequest(method=Method.POST, url="/chat/completions"),
        chunk_type=dict,
    )
    flow = stream_flow(call, ClientConfig(api_key="k", base_url="http://127.0.0.1:9"), clock)
    assert isinstance(next(flow), Send)
    assert isinstance(flow.send(HttpResponseHead(status=503)), Read)
    assert isinstance(flow.send(b""), Sleep)
    assert isinstance(flow.send(None), Send)
    assert isinstance(flow.send(HttpResponseHead(status=200)), Read)
    emitted = flow.send(b'data: {"error": {"message": "boom", "type": "server_error"}}\n\n')
    assert isinstance(emitted, EmitEach)
    (failed,) = emitted.items
    error = failed.failure()
    assert isinstance(error, StreamError)
    assert error.attempts == 2
    assert error.elapsed > 0


@pytest.mark.parametrize(
    ("data", "decodes"),
    [
        (' {"text": "a"}\t', True),  # spaces around one value are still JSON
        ('{"text": "a"} {"text": "b"}', False),  # two values are not
        ('{"text": "a"', False),
        ("\ufeff" + '{"text": "a"}', False),  # json.loads refuses a BOM in text
        ("", False),
    ],
)
def test_event_data_is_parsed_exactly_as_json_loads_would(data: str, decodes: bool) -> None:
    call = attrs.evolve(STREAM, done=None)
    script = [head(), f"data: {data}\n\n".encode(), *([b""] if decodes else [])]
    effects, _ = stream(script, call=call)
    first = emitted(effects)[0]
    if decodes:
        assert first == Success(Chunk(text="a"))
    else:
        assert isinstance(first.failure(), APIResponseValidationError)


@pytest.mark.parametrize(
    "endless",
    [b"data: " + b"x" * 40, b"data: " + b"x" * 20 + b"\ndata: " + b"y" * 20 + b"\n"],
    ids=["one-line", "many-lines"],
)
def test_an_event_that_never_ends_is_cut_at_the_bound(
    endless: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flows, "MAX_EVENT_BYTES", 32)
    effects, exchange = stream([head(), sse(chunk("a")) + endless])
    first, failed = emitted(effects)
    assert first == Success(Chunk(text="a"))
    error = failed.failure()
    assert isinstance(error, StreamError)
    assert "past 32 bytes" in error.message
    assert error.events_received == 1
    assert exchange.result == failed


def test_the_body_of_a_refused_stream_is_read_up_to_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(flows, "MAX_EVENT_BYTES", 32)
    body = json.dumps({"error": {"message": "no such model " + "x" * 100}}).encode()
    effects, exchange = stream([head(404), body[:20], body[20:60]])  # nothing more is read
    assert kinds(effects) == ["Send", "Read", "Read", "Emit"]
    error = exchange.result.failure()
    assert isinstance(error, APIStatusError)
    assert error.status == 404
    assert len(error.body) == 32
