"""The named fault scenarios for event streams: name → server behaviours → expectation."""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs

from tests.executors.loopback import Behaviour, Loopback, reset, respond, stream
from tests.faults.runners import FAST, KEY, Outcome
from together_fn.errors import ServiceUnavailableError, StreamError

PATH = "/v1/chat/completions"
RETRIES = FAST.max_retries


def chunk(content: str) -> dict[str, object]:
    """A chat completion chunk carrying ``content``."""
    return {
        "id": "chunk-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "fault/model",
        "choices": [{"index": 0, "delta": {"content": content}}],
    }


def event(content: str, *, eol: str = "\n", space: str = " ") -> bytes:
    data = json.dumps(chunk(content), ensure_ascii=False)
    return f"data:{space}{data}{eol}{eol}".encode()


DONE = b"data: [DONE]\n\n"
AB = event("a") + event("b") + DONE


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def multi_line(content: str) -> bytes:
    # One JSON value over two ``data:`` lines: they are joined with a newline, which JSON
    # reads as whitespace.
    text = json.dumps(chunk(content), indent=1)
    head, _, tail = text.partition("\n")
    return f"data: {head}\ndata: {tail.replace(chr(10), ' ')}\n\n".encode()


Check = Callable[[Outcome, Loopback], None]


@attrs.frozen(kw_only=True)
class StreamScenario:
    """One named stream fault."""

    name: str
    script: tuple[Behaviour, ...]
    check: Check


def contents(outcome: Outcome) -> list[str]:
    return [item.choices[0].delta.content for item in outcome.items]


def streamed(expected: list[str], hits: int = 1, sleeps: tuple[float, ...] = ()) -> Check:
    def check(outcome: Outcome, server: Loopback) -> None:
        assert outcome.error is None, outcome.error
        assert contents(outcome) == expected
        assert server.hits(PATH) == hits
        assert outcome.sleeps == sleeps

    return check


def broke(
    expected: list[str], *words: str, hits: int = 1, kind: type[BaseException] = StreamError
) -> Check:
    def check(outcome: Outcome, server: Loopback) -> None:
        assert type(outcome.error) is kind, outcome.error
        assert contents(outcome) == expected
        assert server.hits(PATH) == hits
        text = str(outcome.error)
        assert all(word in text for word in words), text
        assert KEY not in text
        assert KEY not in repr(outcome.error)
        if isinstance(outcome.error, StreamError):
            assert outcome.error.events_received == len(expected)

    return check


STREAM_SCENARIOS: tuple[StreamScenario, ...] = (
    StreamScenario(name="sse-done", script=(stream([AB]),), check=streamed(["a", "b"])),
    StreamScenario(
        name="sse-crlf",
        script=(
            stream([event("a", eol="\r\n") + event("b", eol="\r\n") + b"data: [DONE]\r\n\r\n"]),
        ),
        check=streamed(["a", "b"]),
    ),
    StreamScenario(
        name="sse-comments",
        script=(stream([b": hello\n\n", event("a"), b": keep-alive\n\n", event("b"), DONE]),),
        check=streamed(["a", "b"]),
    ),
    StreamScenario(
        name="sse-data-without-space",
        script=(stream([event("a", space=""), event("b"), b"data:[DONE]\n\n"]),),
        check=streamed(["a", "b"]),
    ),
    StreamScenario(
        name="sse-multi-line-data",
        script=(stream([multi_line("a"), multi_line("b"), DONE]),),
        check=streamed(["a", "b"]),
    ),
    StreamScenario(
        name="sse-keep-alive-after-id",
        script=(stream([b"id: 7\n: ping\n\n", event("a"), b"id: 8\n:\n\n", event("b"), DONE]),),
        check=streamed(["a", "b"]),
    ),
    StreamScenario(
        name="sse-split-across-writes",
        script=(stream(split(event("é✓") + event("b") + DONE, 3)),),
        check=streamed(["é✓", "b"]),
    ),
    StreamScenario(
        name="sse-truncated-without-done",
        script=(stream([event("a"), event("b")]),),
        check=broke(["a", "b"], "[DONE]"),
    ),
    StreamScenario(
        name="sse-dropped-mid-chunk",
        script=(stream([event("a"), event("b")[:30]], end="reset"),),
        check=broke(["a"], "mid-stream"),
    ),
    StreamScenario(
        name="sse-error-data-mid-stream",
        script=(
            stream(
                [
                    event("a"),
                    b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n',
                    event("never"),
                    DONE,
                ]
            ),
        ),
        check=broke(["a"], "overloaded", "server_error"),
    ),
    StreamScenario(
        name="sse-event-error-mid-stream",
        script=(
            stream([event("a"), b'event: error\ndata: {"message": "boom"}\n\n', event("x"), DONE]),
        ),
        check=broke(["a"], "boom"),
    ),
    StreamScenario(
        name="sse-429-before-the-stream-then-ok",
        script=(respond(429, b"{}", headers=[("Retry-After", "1")]), stream([AB])),
        check=streamed(["a", "b"], hits=2, sleeps=(1.0,)),
    ),
    StreamScenario(
        name="sse-reset-before-the-stream-once",
        script=(reset(), stream([AB])),
        check=streamed(["a", "b"], hits=2, sleeps=(0.001,)),
    ),
    StreamScenario(
        name="sse-503-before-the-stream-forever",
        script=(respond(503, b'{"error": {"message": "busy"}}'),),
        check=broke([], "busy", hits=RETRIES + 1, kind=ServiceUnavailableError),
    ),
    StreamScenario(
        name="sse-broken-after-the-first-event-not-retried",
        script=(stream([event("a")], end="reset"), stream([AB])),
        check=broke(["a"], "mid-stream"),
    ),
)
