"""An incremental server-sent-events parser: a pure fold over byte chunks.

Follows the WHATWG "event stream interpretation" (HTML §9.2.6):

- lines end at CRLF, LF or CR; a CR at the end of a chunk may be the first half of a CRLF,
  so it is remembered in the state;
- a blank line dispatches the event; ``data`` lines are joined with ``\\n``; an event with no
  ``data`` line (a comment-only or ``id``-only block) dispatches nothing;
- a line starting with ``:`` is a comment; one space after the colon is removed; a line with
  no colon is a field name with an empty value; unknown fields are ignored;
- ``id`` containing NUL is ignored; ``retry`` must be all ASCII digits.

Lines are split as bytes and only complete lines are decoded as UTF-8: splitting decoded text
would break at U+2028, which JSON allows raw inside strings, and at multi-byte characters cut
between reads.
"""

from __future__ import annotations

import attrs

from together_fn._fast_structure import slot_constructor


@attrs.frozen(kw_only=True)
class SseEvent:
    """One dispatched event."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


@attrs.frozen(kw_only=True)
class SseState:
    """Everything between two chunks: the unfinished line and the event being assembled."""

    buffer: bytes = b""
    pending_cr: bool = False
    started: bool = False
    data: tuple[str, ...] = ()
    has_data: bool = False
    event: str = ""
    last_id: str | None = None
    retry: int | None = None


INITIAL = SseState()


def _event_by_init(data: str, event: str, last_id: str | None, retry: int | None) -> SseEvent:
    return SseEvent(data=data, event=event, id=last_id, retry=retry)


#: ``SseEvent`` from its fields by position, its slots set directly: one is made per event.
_new_event = slot_constructor(SseEvent) or _event_by_init
_BOM = b"\xef\xbb\xbf"


def feed(state: SseState, chunk: bytes) -> tuple[SseState, tuple[SseEvent, ...]]:
    """Fold one chunk of bytes into the state; return the new state and the events completed."""
    if not chunk:
        return state, ()
    buffer = state.buffer + chunk
    if not state.started:
        # WHATWG: one leading U+FEFF BYTE ORDER MARK is ignored (it may arrive in pieces).
        if len(buffer) < len(_BOM) and _BOM.startswith(buffer):
            return attrs.evolve(state, buffer=buffer), ()
        buffer = buffer.removeprefix(_BOM)
        state = attrs.evolve(state, started=True)
    start = 0
    if state.pending_cr and buffer.startswith(b"\n"):
        start = 1  # the LF of a CRLF split across two chunks
    parser = _Assembler(state)
    events: list[SseEvent] = []
    if b"\r" not in buffer:
        # The common case: lines end only at LF, so one split in C finds them all.
        *lines, rest = buffer[start:].split(b"\n")
        parser.lines(lines, events)
        return parser.state(rest, pending_cr=False), tuple(events)
    length = len(buffer)
    while True:
        lf = buffer.find(b"\n", start)
        cr = buffer.find(b"\r", start, lf if lf >= 0 else length)
        if cr >= 0:
            end, after = cr, cr + 1
            if after < length and buffer[after] == 0x0A:
                after += 1
            elif after == length:
                parser.line(buffer[start:end], events)
                return parser.state(b"", pending_cr=True), tuple(events)
        elif lf >= 0:
            end, after = lf, lf + 1
        else:
            return parser.state(buffer[start:], pending_cr=False), tuple(events)
        parser.line(buffer[start:end], events)
        start = after


def close(state: SseState) -> tuple[SseEvent, ...]:
    """End of stream. WHATWG: an unterminated event at EOF is discarded, so nothing is returned.

    Callers that need to know whether the stream was cut short check :func:`is_idle`.
    """
    return ()


def is_idle(state: SseState) -> bool:
    """Whether the stream stopped at an event boundary (no partial line or event pending)."""
    return not state.buffer and not state.has_data and not state.event


class _Assembler:
    """Mutable scratch space for one ``feed`` call; never escapes it."""

    __slots__ = ("data", "event", "has_data", "last_id", "retry")

    def __init__(self, state: SseState) -> None:
        self.data = list(state.data)
        self.has_data = state.has_data
        self.event = state.event
        self.last_id = state.last_id
        self.retry = state.retry

    def state(self, buffer: bytes, *, pending_cr: bool) -> SseState:
        return SseState(
            buffer=buffer,
            pending_cr=pending_cr,
            started=True,
            data=tuple(self.data),
            has_data=self.has_data,
            event=self.event,
            last_id=self.last_id,
            retry=self.retry,
        )

    def lines(self, lines: list[bytes], events: list[SseEvent]) -> None:
        # Streams are almost all ``data: ...`` lines and blank lines: those are handled
        # here, in one loop, and every other line by :meth:`line`.
        for raw in lines:
            if not raw:
                self._dispatch(events)
            elif raw[:6] == b"data: ":
                self.data.append(raw[6:].decode("utf-8", "replace"))
                self.has_data = True
            else:
                self.line(raw, events)

    def line(self, raw: bytes, events: list[SseEvent]) -> None:
        if not raw:
            self._dispatch(events)
            return
        if raw[:1] == b":":
            return
        text = raw.decode("utf-8", "replace")
        name, colon, value = text.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self.data.append(value)
            self.has_data = True
        elif name == "event":
            self.event = value
        elif name == "id":
            if "\x00" not in value:
                self.last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)

    def _dispatch(self, events: list[SseEvent]) -> None:
        if self.has_data:
            events.append(
                _new_event("\n".join(self.data), self.event or "message", self.last_id, self.retry)
            )
        self.data = []
        self.has_data = False
        self.event = ""
