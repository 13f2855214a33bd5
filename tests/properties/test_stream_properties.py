"""Streams, fuzzed end to end without a socket: the stream flow driven by hand.

``tests/unit/test_sse.py`` proves that any split of the bytes gives the parser the same
events. This goes one layer up: whatever the line endings, spacing, comments and chunking,
and wherever the connection stops, the flow emits exactly the events that were complete,
then either ends cleanly at ``[DONE]`` or reports one ``StreamError``. It never raises and
never passes a cut-short stream off as a success.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.calls import Exchange, StreamCall
from together_fn.config import ClientConfig
from together_fn.errors import StreamError
from together_fn.flows import Clock, Emit, EmitEach, Read, Send, Sleep, stream_flow
from together_fn.http import HttpRequest, HttpResponseHead, Method

CALL: StreamCall[dict[str, Any]] = StreamCall(
    operation="POST /chat/completions",
    request=HttpRequest(method=Method.POST, url="/chat/completions"),
    chunk_type=dict,
)
CONFIG = ClientConfig(api_key="k", base_url="http://127.0.0.1:9/v1")
STILL = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)

EOL = st.sampled_from(["\n", "\r\n", "\r"])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=10)


@st.composite
def blocks(draw: st.DrawFn) -> list[tuple[bytes, int, str | None]]:
    """Event blocks: bytes, where in them the event is dispatched, and its content
    (``None`` for a comment-only block, which dispatches nothing)."""
    found: list[tuple[bytes, int, str | None]] = []
    for content in [*draw(st.lists(st.one_of(TEXT, st.none()), max_size=6)), "[DONE]"]:
        eol = draw(EOL)
        if content is None:
            lines = [f": {draw(TEXT).replace(chr(13), '').replace(chr(10), '')}"]
        else:
            data = content if content == "[DONE]" else json.dumps({"c": content})
            space = draw(st.sampled_from(["", " "]))
            lines = [f"data:{space}{data}"]
            if draw(st.booleans()):
                lines.insert(0, f"id: {draw(st.integers(0, 99))}")
        raw = "".join(line + eol for line in lines) + eol
        encoded = raw.encode()
        # The blank line's CR dispatches the event; a CRLF's LF comes after.
        dispatch = len(encoded) - (1 if eol == "\r\n" else 0)
        found.append((encoded, dispatch, content))
    return found


def drive(chunks: list[bytes]) -> tuple[list[Any], Exchange[None]]:
    flow = stream_flow(CALL, CONFIG, STILL)
    pending = iter(chunks)
    emitted: list[Any] = []
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Send):
                outcome = HttpResponseHead(status=200)
            elif isinstance(effect, Read):
                outcome = next(pending, b"")
            elif isinstance(effect, Emit):
                emitted.append(effect.item)
            elif isinstance(effect, EmitEach):
                emitted.extend(effect.items)
            else:
                assert not isinstance(effect, Sleep), "a 200 stream never waits"
    except StopIteration as done:
        return emitted, done.value


@settings(max_examples=300)
@given(
    events=blocks(),
    cuts=st.lists(st.integers(min_value=0), max_size=12),
    stop=st.tuples(st.booleans(), st.integers(0, 10**4), st.integers(-2, 1)),
)
def test_the_flow_emits_exactly_the_complete_events(
    events: list[tuple[bytes, int, str | None]], cuts: list[int], stop: tuple[bool, int, int]
) -> None:
    data = b"".join(raw for raw, _, _ in events)
    # Where the connection stops: anywhere, or just around the end of an event block.
    near_a_boundary, where, delta = stop
    if near_a_boundary:
        ends = list(itertools.accumulate(len(raw) for raw, _, _ in events))
        end = min(max(ends[where % len(ends)] + delta, 0), len(data))
    else:
        end = where % (len(data) + 1)
    body = data[:end]
    points = sorted({c % (len(body) + 1) for c in cuts})
    chunks = [body[a:b] for a, b in itertools.pairwise([0, *points, len(body)]) if b > a]

    offset = 0
    expected: list[str] = []
    finished = False
    for raw, dispatch, content in events:
        if offset + dispatch > end:
            break
        if content == "[DONE]":
            finished = True
        elif content is not None:
            expected.append(content)
        offset += len(raw)

    emitted, exchange = drive(chunks)
    values = [item.unwrap()["c"] for item in emitted if isinstance(item, Success)]
    failures = [item.failure() for item in emitted if isinstance(item, Failure)]
    assert values == expected
    if finished:
        assert failures == []
        assert isinstance(exchange.result, Success)
    else:
        assert len(failures) == 1
        assert isinstance(failures[0], StreamError)
        assert failures[0].events_received == len(expected)
        assert isinstance(emitted[-1], Failure)
        assert isinstance(exchange.result, Failure)
