"""Realtime websocket sessions over ``aiohttp``: transcription (``/realtime``) and speech
(``/audio/speech/websocket``).

:func:`aconnect` opens the session a :class:`~together_fn.api.realtime.WebSocketCall`
describes. The API key travels in the upgrade request's ``Authorization`` header, never in the
URL. A :class:`RealtimeSession` sends client messages (attrs models, or plain dicts) and is an
async iterator of ``Result`` values, one per server event: an event model, or an error for a
``*.failed`` event, a message that is not JSON or not the expected shape, or a connection that
broke. A failure event does not end the session (the next item may succeed); a broken
connection does. :func:`connect` and :class:`SyncRealtimeSession` are the blocking twins (the
session runs on an event loop in a thread of its own); :func:`run_session` and
:func:`arun_session` send everything, then collect the events until a condition holds.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
)
from typing import Any, Generic, TypeVar

import aiohttp
import attrs
from returns.result import Failure, Result, Success

from together_fn.api.realtime import WebSocketCall
from together_fn.codec import decode_value, encode_json
from together_fn.config import ClientConfig, prepare
from together_fn.errors import (
    APIConnectionError,
    APIResponseValidationError,
    StreamError,
    TogetherError,
    classify,
    error_fields,
)
from together_fn.executors._bodies import connection_error, describe
from together_fn.http import HttpRequest, HttpResponse, to_headers
from together_fn.models.realtime import (
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    InputTextBufferAppend,
    InputTextBufferClear,
    InputTextBufferCommit,
    TranscriptionSessionUpdate,
    TranscriptionSessionUpdated,
    TtsSessionUpdate,
    TtsSessionUpdated,
    TurnDetection,
    is_failure_event,
)

E = TypeVar("E")
T = TypeVar("T")

#: Headers of a JSON request that mean nothing in an upgrade request.
_NOT_FOR_UPGRADE = frozenset({"accept", "content-type"})
#: Close codes of a session that ended as it should (normal closure, going away).
_CLEAN_CLOSE = frozenset({1000, 1001})


def websocket_request(call: WebSocketCall[Any], config: ClientConfig) -> HttpRequest:
    """The upgrade request to send: absolute ``ws``/``wss`` URL with the call's query, and the
    config's headers (``Authorization`` included, for the API's own origin only)."""
    prepared = prepare(call.request, config).without_headers(_NOT_FOR_UPGRADE)
    url = prepared.url
    if url.startswith("https://"):
        url = "wss://" + url[len("https://") :]
    elif url.startswith("http://"):
        url = "ws://" + url[len("http://") :]
    return attrs.evolve(prepared, url=url)


def decode_message(call: WebSocketCall[E], data: str, *, received: int) -> Result[E, TogetherError]:
    """One server message: its event model, or the error it reports or is."""
    try:
        payload = json.loads(data)
    except ValueError:
        return Failure(
            APIResponseValidationError(
                message="websocket message is not JSON",
                type_name="event",
                problems=(f"message: {data[:200]!r}",),
                body=data.encode(),
            )
        )
    if is_failure_event(payload):
        fields = error_fields(payload)
        return Failure(
            StreamError(
                message=fields.message if fields else data[:500],
                type=fields.type if fields else None,
                code=fields.code if fields else None,
                events_received=received,
            )
        )
    decoded: Result[E, APIResponseValidationError] = decode_value(payload, call.event_type)
    return decoded.alt(lambda e: attrs.evolve(e, body=data.encode()))


class RealtimeSession(Generic[E]):
    """An open websocket session. Iterate it (``async for``) for one ``Result`` per event;
    leave its ``async with`` block (or :meth:`close` it) to end the session."""

    def __init__(
        self,
        call: WebSocketCall[E],
        socket: aiohttp.ClientWebSocketResponse,
        session: aiohttp.ClientSession | None,
    ) -> None:
        self.call = call
        self._socket = socket
        self._owned_session = session
        self.received = 0

    async def send(self, message: object) -> None:
        """Send one client message: an attrs model from ``models.realtime``, or a dict.
        Raises :class:`~together_fn.errors.APIConnectionError` if the session is gone."""
        data = encode_json(message).decode()
        try:
            await self._socket.send_str(data)
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise APIConnectionError(message=f"websocket send failed: {describe(exc)}") from None

    async def send_audio(self, audio: bytes) -> None:
        """Append PCM audio (s16le, 16 kHz) to the transcription buffer."""
        await self.send(InputAudioBufferAppend.of(audio))

    async def commit_audio(self) -> None:
        """Transcribe the audio sent so far (needed when voice activity detection is off)."""
        await self.send(InputAudioBufferCommit())

    async def update_turn_detection(self, turn_detection: TurnDetection | None) -> None:
        """Change the voice activity detection settings; ``None`` turns it off."""
        update = TranscriptionSessionUpdate(turn_detection=turn_detection)
        await self.send(TranscriptionSessionUpdated(session=update))

    async def send_text(self, text: str) -> None:
        """Append text to speak."""
        await self.send(InputTextBufferAppend(text=text))

    async def commit_text(self) -> None:
        """Speak whatever text is still buffered."""
        await self.send(InputTextBufferCommit())

    async def clear_text(self) -> None:
        """Drop the buffered text."""
        await self.send(InputTextBufferClear())

    async def update_voice(self, voice: str) -> None:
        """Speak with another voice from now on."""
        await self.send(TtsSessionUpdated(session=TtsSessionUpdate(voice=voice)))

    def __aiter__(self) -> AsyncIterator[Result[E, TogetherError]]:
        return self._events()

    async def _events(self) -> AsyncGenerator[Result[E, TogetherError], None]:
        while True:
            try:
                message = await self._socket.receive()
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                yield Failure(StreamError(message=f"websocket failed: {exc}"))
                return
            if message.type is aiohttp.WSMsgType.TEXT:
                self.received += 1
                yield decode_message(self.call, message.data, received=self.received)
            elif message.type is aiohttp.WSMsgType.BINARY:
                self.received += 1
                yield Failure(
                    APIResponseValidationError(
                        message="unexpected binary websocket message",
                        type_name="event",
                        body=bytes(message.data[:200]),
                    )
                )
            elif message.type is aiohttp.WSMsgType.ERROR:
                yield Failure(StreamError(message=f"websocket failed: {message.data}"))
                return
            else:  # CLOSE, CLOSING, CLOSED
                code = self._socket.close_code
                if code is not None and code not in _CLEAN_CLOSE:
                    reason = message.extra if isinstance(message.extra, str) else ""
                    yield Failure(
                        StreamError(
                            message=f"websocket closed with code {code}: {reason}".rstrip(": "),
                            code=str(code),
                            events_received=self.received,
                        )
                    )
                return

    async def close(self) -> None:
        """Close the websocket (and the HTTP session opened for it)."""
        try:
            await self._socket.close()
        finally:
            if self._owned_session is not None:
                await self._owned_session.close()

    async def __aenter__(self) -> RealtimeSession[E]:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


async def aconnect(
    call: WebSocketCall[E],
    config: ClientConfig,
    *,
    session: aiohttp.ClientSession | None = None,
    heartbeat: float | None = 30.0,
) -> Result[RealtimeSession[E], TogetherError]:
    """Open ``call``'s session: the session, or why the upgrade failed (a refused upgrade is
    classified by its status like any API error; the key never appears in the error)."""
    upgrade = websocket_request(call, config)
    timeout = upgrade.timeout or config.timeout
    owned = session is None
    client = session or aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(sock_connect=timeout.connect, sock_read=None)
    )
    try:
        socket = await client.ws_connect(
            upgrade.full_url,
            headers=dict(upgrade.headers),
            heartbeat=heartbeat,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=timeout.connect),
        )
    except aiohttp.WSServerHandshakeError as exc:
        await _close_owned(client, owned)
        head = to_headers(dict(exc.headers or {}))
        return Failure(classify(HttpResponse(status=exc.status, headers=head, url=upgrade.url)))
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        await _close_owned(client, owned)
        timed_out = isinstance(exc, TimeoutError)
        what = "websocket upgrade timed out" if timed_out else "websocket upgrade failed"
        return Failure(connection_error(upgrade, what, exc, request_sent=False, timeout=timed_out))
    return Success(RealtimeSession(call, socket, client if owned else None))


async def _close_owned(client: aiohttp.ClientSession, owned: bool) -> None:
    if owned:
        await client.close()


async def arun_session(
    call: WebSocketCall[E],
    config: ClientConfig,
    messages: Iterable[object],
    *,
    until: Callable[[Result[E, TogetherError]], bool] | None = None,
) -> Result[list[Result[E, TogetherError]], TogetherError]:
    """Open the session, send ``messages``, collect events until ``until`` holds for one (it
    is included) or the server closes; then close the session."""
    match await aconnect(call, config):
        case Success(realtime):
            pass
        case Failure(error):
            return Failure(error)
    events: list[Result[E, TogetherError]] = []
    unsent: APIConnectionError | None = None
    async with realtime:
        try:
            for message in messages:
                await realtime.send(message)
        except APIConnectionError as error:
            unsent = error  # the server may still say why, in the events it sent before
        async for event in realtime:
            events.append(event)
            if until is not None and until(event):
                break
    return Success(events if unsent is None else [*events, Failure(unsent)])


class SyncRealtimeSession(Generic[E]):
    """The blocking twin of :class:`RealtimeSession`: the session runs on a private event loop
    in a daemon thread, so one thread may iterate the events while another sends."""

    def __init__(
        self,
        session: RealtimeSession[E],
        loop: asyncio.AbstractEventLoop,
        thread: threading.Thread,
    ) -> None:
        self._session = session
        self._loop = loop
        self._thread = thread
        self._closed = False

    def _wait(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def send(self, message: object) -> None:
        """Send one client message (a model from ``models.realtime``, or a dict)."""
        self._wait(self._session.send(message))

    def send_audio(self, audio: bytes) -> None:
        """Append PCM audio (s16le, 16 kHz) to the transcription buffer."""
        self._wait(self._session.send_audio(audio))

    def commit_audio(self) -> None:
        """Transcribe the audio sent so far."""
        self._wait(self._session.commit_audio())

    def send_text(self, text: str) -> None:
        """Append text to speak."""
        self._wait(self._session.send_text(text))

    def commit_text(self) -> None:
        """Speak whatever text is still buffered."""
        self._wait(self._session.commit_text())

    def __iter__(self) -> Iterator[Result[E, TogetherError]]:
        events = self._session._events()
        try:
            while True:
                try:
                    yield self._wait(_next(events))
                except StopAsyncIteration:
                    return
        finally:
            # Left early (a ``break``): finish the async iterator on its own loop, now,
            # rather than when the loop is gone.
            if self._loop.is_running():
                self._wait(events.aclose())

    def close(self) -> None:
        """Close the session and stop its event loop."""
        if self._closed:
            return
        self._closed = True
        try:
            self._wait(self._session.close())
        finally:
            _stop(self._loop, self._thread)

    def __enter__(self) -> SyncRealtimeSession[E]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


async def _next(events: AsyncIterator[T]) -> T:
    return await anext(events)


def _stop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def connect(
    call: WebSocketCall[E], config: ClientConfig
) -> Result[SyncRealtimeSession[E], TogetherError]:
    """:func:`aconnect`, blocking: the open session, or why the upgrade failed."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="together-realtime", daemon=True)
    thread.start()
    opened = asyncio.run_coroutine_threadsafe(aconnect(call, config), loop).result()
    match opened:
        case Success(session):
            return Success(SyncRealtimeSession(session, loop, thread))
        case Failure(error):
            _stop(loop, thread)
            return Failure(error)
    raise TypeError(f"not a Result: {opened!r}")  # pragma: no cover


def run_session(
    call: WebSocketCall[E],
    config: ClientConfig,
    messages: Iterable[object],
    *,
    until: Callable[[Result[E, TogetherError]], bool] | None = None,
) -> Result[list[Result[E, TogetherError]], TogetherError]:
    """:func:`arun_session`, blocking."""
    match connect(call, config):
        case Success(realtime):
            pass
        case Failure(error):
            return Failure(error)
    events: list[Result[E, TogetherError]] = []
    unsent: APIConnectionError | None = None
    with realtime:
        try:
            for message in messages:
                realtime.send(message)
        except APIConnectionError as error:
            unsent = error
        for event in realtime:
            events.append(event)
            if until is not None and until(event):
                break
    return Success(events if unsent is None else [*events, Failure(unsent)])
