"""The SSE parser against the WHATWG event-stream rules, whole and in every chunking."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from together_fn.sse import INITIAL, SseEvent, SseState, close, feed, is_idle


def parse(*chunks: bytes) -> tuple[tuple[SseEvent, ...], SseState]:
    """Feed ``chunks`` in order; all events and the final state."""
    state = INITIAL
    events: list[SseEvent] = []
    for chunk in chunks:
        state, new = feed(state, chunk)
        events.extend(new)
    return tuple(events), state


def events_of(data: bytes) -> tuple[SseEvent, ...]:
    return parse(data)[0]


def byte_by_byte(data: bytes) -> tuple[SseEvent, ...]:
    return parse(*(data[i : i + 1] for i in range(len(data))))[0]


TABLE = [
    pytest.param(b"data: hello\n\n", [SseEvent(data="hello")], id="lf"),
    pytest.param(b"data: hello\r\n\r\n", [SseEvent(data="hello")], id="crlf"),
    pytest.param(b"data: hello\r\r", [SseEvent(data="hello")], id="cr"),
    pytest.param(
        b"data: a\r\n\ndata: b\r\rdata: c\n\r\n",
        [SseEvent(data="a"), SseEvent(data="b"), SseEvent(data="c")],
        id="mixed-line-ends",
    ),
    pytest.param(b"data:hello\n\n", [SseEvent(data="hello")], id="no-space-after-colon"),
    pytest.param(b"data:  two spaces\n\n", [SseEvent(data=" two spaces")], id="one-space-removed"),
    pytest.param(b"data: a\ndata: b\ndata:\n\n", [SseEvent(data="a\nb\n")], id="multi-line-data"),
    pytest.param(b"data\n\n", [SseEvent(data="")], id="field-without-colon"),
    pytest.param(b"data:\n\n", [SseEvent(data="")], id="empty-data-dispatches"),
    pytest.param(b": a comment\ndata: x\n\n", [SseEvent(data="x")], id="comment"),
    pytest.param(b":\n: ping\n\n", [], id="comment-only-block"),
    pytest.param(b"id: 7\n\n", [], id="id-only-block"),
    pytest.param(b"event: update\n\n", [], id="event-only-block"),
    pytest.param(
        b"event: update\ndata: x\n\n", [SseEvent(data="x", event="update")], id="event-type"
    ),
    pytest.param(
        b"event: a\n\ndata: x\n\n", [SseEvent(data="x")], id="event-type-reset-by-empty-block"
    ),
    pytest.param(
        b"event: update\ndata: x\n\ndata: y\n\n",
        [SseEvent(data="x", event="update"), SseEvent(data="y")],
        id="event-type-reset-after-dispatch",
    ),
    pytest.param(
        b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
        [SseEvent(data="a", id="1"), SseEvent(data="b", id="1"), SseEvent(data="c", id="")],
        id="id-persists-until-reset",
    ),
    pytest.param(b"id: 2\n\ndata: a\n\n", [SseEvent(data="a", id="2")], id="id-only-block-sets-id"),
    pytest.param(
        b"id: 1\ndata: a\n\nid: x\x00y\ndata: b\n\n",
        [SseEvent(data="a", id="1"), SseEvent(data="b", id="1")],
        id="id-with-nul-ignored",
    ),
    pytest.param(b"retry: 1500\ndata: a\n\n", [SseEvent(data="a", retry=1500)], id="retry"),
    pytest.param(
        b"retry: 1500\ndata: a\n\nretry: 1.5\ndata: b\n\nretry: -1\nretry: ab\nretry:\ndata: c\n\n",
        [SseEvent(data=d, retry=1500) for d in "abc"],
        id="retry-digits-only",
    ),
    pytest.param(
        "retry: \u0661\u0662\ndata: a\n\n".encode(),
        [SseEvent(data="a")],
        id="retry-non-ascii-digits",
    ),
    pytest.param(
        b"foo: bar\nDATA: no\ndata: yes\n\n", [SseEvent(data="yes")], id="unknown-fields-ignored"
    ),
    pytest.param(b"data: a: b: c\n\n", [SseEvent(data="a: b: c")], id="colons-in-value"),
    pytest.param(b"data: [DONE]\n\n", [SseEvent(data="[DONE]")], id="done-is-just-data"),
    pytest.param(b"\n\n\ndata: a\n\n\n\n", [SseEvent(data="a")], id="extra-blank-lines"),
    pytest.param(b"data: unterminated", [], id="unterminated-event-not-dispatched"),
    pytest.param(b"data: no blank line\n", [], id="event-needs-blank-line"),
]


@pytest.mark.parametrize(("data", "expected"), TABLE)
def test_whatwg_table_whole(data: bytes, expected: list[SseEvent]) -> None:
    assert list(events_of(data)) == expected


@pytest.mark.parametrize(("data", "expected"), TABLE)
def test_whatwg_table_byte_by_byte(data: bytes, expected: list[SseEvent]) -> None:
    assert list(byte_by_byte(data)) == expected


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    # "\r" ends a chunk, "\n" starts the next: one line end, not a line end and a blank line.
    events, state = parse(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n")
    assert events == (SseEvent(data="a\nb"),)
    assert is_idle(state)


def test_cr_at_chunk_end_followed_by_other_text_is_a_line_end() -> None:
    events, _ = parse(b"data: a\r", b"data: b\r", b"\r")
    assert events == (SseEvent(data="a\nb"),)


def test_pending_cr_is_remembered_in_the_state() -> None:
    state, events = feed(INITIAL, b"data: a\r")
    assert state.pending_cr
    assert events == ()
    state, events = feed(state, b"\n")
    assert not state.pending_cr
    assert events == ()
    state, events = feed(state, b"\n")
    assert events == (SseEvent(data="a"),)


def test_u2028_inside_json_data_does_not_split_the_line() -> None:
    payload = {"text": "line\u2028separator\u2029paragraph\x85next"}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    events = events_of(b"data: " + raw + b"\n\n")
    assert len(events) == 1
    assert json.loads(events[0].data) == payload


def test_multibyte_character_split_across_chunks() -> None:
    raw = "data: caf\u00e9 \U0001f600\n\n".encode()
    cut = raw.index("\U0001f600".encode()) + 2  # inside the four-byte emoji
    events, _ = parse(raw[:cut], raw[cut:])
    assert events == (SseEvent(data="caf\u00e9 \U0001f600"),)


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert events_of(b"data: \xff\xfe\n\n") == (SseEvent(data="\ufffd\ufffd"),)


def test_empty_chunk_changes_nothing() -> None:
    state, _ = feed(INITIAL, b"data: a\r")
    assert feed(state, b"") == (state, ())


def test_close_discards_an_unterminated_event() -> None:
    _, state = parse(b"data: a\n")
    assert close(state) == ()


def test_realistic_stream_in_awkward_chunks() -> None:
    lines = [
        b'data: {"id":"1","choices":[{"delta":{"content":"Hel"}}]}',
        b'data: {"id":"1","choices":[{"delta":{"content":"lo \xe2\x80\xa8"}}]}',
        b"data: [DONE]",
    ]
    stream = b"".join(line + b"\n\n" for line in lines)
    chunks = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    events, state = parse(*chunks)
    assert [e.data.encode() for e in events] == [line[6:] for line in lines]
    assert is_idle(state)


@pytest.mark.parametrize(
    ("data", "idle"),
    [
        (b"", True),
        (b"data: a\n\n", True),
        (b"data: a\r\n\r\n", True),
        (b": comment\n", True),
        (b"data: a", False),
        (b"data: a\n", False),
        (b"data: a\r", False),
        (b"event: x\n", False),
        (b"data: a\n\ndata: b", False),
    ],
)
def test_is_idle(data: bytes, idle: bool) -> None:
    _, state = parse(data)
    assert is_idle(state) is idle


def test_state_is_an_immutable_value() -> None:
    state, _ = feed(INITIAL, b"data: a\n")
    again, _ = feed(INITIAL, b"data: a\n")
    assert state == again
    assert SseState() == INITIAL


# Streams built from the pieces that matter: every line end, comments, fields, multi-byte text.
_line_end = st.sampled_from([b"\n", b"\r", b"\r\n"])
_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"), max_size=12
)
_line = st.one_of(
    st.builds(lambda v: b"data: " + v.encode(), _text),
    st.builds(lambda v: b"data:" + v.encode(), _text),
    st.builds(lambda v: b"event: " + v.encode(), _text),
    st.builds(lambda v: b"id: " + v.encode(), _text),
    st.builds(lambda v: b"retry: " + str(v).encode(), st.integers(0, 10**6)),
    st.builds(lambda v: b": " + v.encode(), _text),
    st.just(b"data"),
    st.just(b""),
)
_stream = st.lists(st.tuples(_line, _line_end), max_size=25).map(
    lambda pairs: b"".join(line + end for line, end in pairs)
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@given(
    data=st.one_of(_stream, st.binary(max_size=200)),
    cuts=st.lists(st.integers(min_value=0), max_size=20),
)
def test_any_chunking_gives_the_same_events_as_the_whole(data: bytes, cuts: list[int]) -> None:
    whole, whole_state = parse(data)
    chunked, chunked_state = parse(*_split(data, cuts))
    assert chunked == whole
    assert chunked_state == whole_state


@given(data=_stream)
def test_byte_by_byte_equals_whole(data: bytes) -> None:
    assert byte_by_byte(data) == events_of(data)


@pytest.mark.parametrize("split", [0, 1, 2, 3, 4])
def test_a_leading_byte_order_mark_is_ignored_even_when_split(split: int) -> None:
    data = b"\xef\xbb\xbfdata: first\n\ndata: \xef\xbb\xbfsecond\n\n"
    state, head = feed(INITIAL, data[:split])
    state, tail = feed(state, data[split:])
    # Only the stream's first BOM is dropped; one inside a later line is data.
    assert [e.data for e in head + tail] == ["first", "\ufeffsecond"]
