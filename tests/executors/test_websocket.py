"""The realtime websockets against a loopback aiohttp websocket server, async and sync.

The server runs on its own event loop in a thread, so the blocking client (which runs its
session on a loop of its own) can be tested the same way as the async one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from returns.result import Failure, Success

from together_fn.api.audio import connect_realtime_speech
from together_fn.api.realtime import connect_realtime_transcription
from together_fn.client import AsyncTogether, Together
from together_fn.config import ClientConfig
from together_fn.errors import APIConnectionError, AuthenticationError, StreamError, TogetherError
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.executors.websocket import aconnect, connect, run_session
from together_fn.models.realtime import (
    AudioOutputDelta,
    AudioOutputDone,
    InputTextReceived,
    SessionCreated,
    TranscriptionCompleted,
    TranscriptionDelta,
)

KEY = "tk-websocket-7f3a9c1e5d2b4a6f8e0d"
MODEL = "openai/whisper-large-v3"

Script = Callable[[web.WebSocketResponse, "WsServer"], Awaitable[None]]


class WsServer:
    """An aiohttp server on 127.0.0.1 whose websocket routes follow ``script``."""

    def __init__(self, script: Script, *, refuse: int | None = None) -> None:
        self.script = script
        self.refuse = refuse
        self.upgrades: list[tuple[dict[str, str], dict[str, str], str]] = []
        self.messages: list[Any] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.upgrades.append((dict(request.headers), dict(request.query), request.path))
        if self.refuse is not None:
            error = {"error": {"message": "Invalid API key", "code": "invalid_api_key"}}
            return web.json_response(error, status=self.refuse)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await self.script(ws, self)
        return ws

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/realtime", self._handle)
        app.router.add_get("/v1/audio/speech/websocket", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/v1"

    async def receive(self, ws: web.WebSocketResponse) -> Any:
        """The next client message, parsed (and recorded)."""
        message = await ws.receive(timeout=5)
        assert message.type is WSMsgType.TEXT, message
        parsed = json.loads(message.data)
        self.messages.append(parsed)
        return parsed

    def __enter__(self) -> WsServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *_: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def config_for(server: WsServer) -> ClientConfig:
    return ClientConfig(api_key=KEY, base_url=server.url)


async def transcriber(ws: web.WebSocketResponse, server: WsServer) -> None:
    """Acknowledges, collects audio until a commit, then answers with its length."""
    await ws.send_json({"type": "session.created", "session": {"id": "s1", "model": MODEL}})
    audio = b""
    while True:
        message = await server.receive(ws)
        if message["type"] == "input_audio_buffer.append":
            audio += base64.b64decode(message["audio"])
        elif message["type"] == "input_audio_buffer.commit":
            break
    kind = "conversation.item.input_audio_transcription"
    await ws.send_json({"type": f"{kind}.delta", "delta": "heard"})
    await ws.send_json({"type": f"{kind}.completed", "transcript": f"heard {len(audio)} bytes"})
    await ws.close()


async def speaker(ws: web.WebSocketResponse, server: WsServer) -> None:
    """Echoes text, and on commit speaks each received text as its UTF-8 bytes."""
    await ws.send_json({"type": "session.created", "session": {"id": "s2", "voice": "tara"}})
    texts: list[str] = []
    while True:
        message = await server.receive(ws)
        if message["type"] == "input_text_buffer.append":
            texts.append(message["text"])
            await ws.send_json(
                {"type": "conversation.item.input_text.received", "text": message["text"]}
            )
        elif message["type"] == "input_text_buffer.commit":
            break
    for index, text in enumerate(texts):
        delta = base64.b64encode(text.encode()).decode()
        item = f"tts_{index}"
        await ws.send_json(
            {"type": "conversation.item.audio_output.delta", "item_id": item, "delta": delta}
        )
        await ws.send_json({"type": "conversation.item.audio_output.done", "item_id": item})
    await ws.close()


@pytest.fixture
def transcription_server() -> Iterator[WsServer]:
    with WsServer(transcriber) as server:
        yield server


@pytest.fixture
def speech_server() -> Iterator[WsServer]:
    with WsServer(speaker) as server:
        yield server


@pytest.mark.asyncio
async def test_a_transcription_session_from_upgrade_to_transcript(transcription_server: WsServer):
    call = connect_realtime_transcription(model=MODEL, turn_detection="none")
    opened = await aconnect(call, config_for(transcription_server))
    assert isinstance(opened, Success)
    events = []
    async with opened.unwrap() as session:
        await session.send_audio(b"\x00\x01" * 100)
        await session.send_audio(b"\x02\x03" * 50)
        await session.commit_audio()
        async for event in session:
            events.append(event)

    assert events == [
        Success(SessionCreated(session=_session("s1", model=MODEL))),
        Success(TranscriptionDelta(delta="heard")),
        Success(TranscriptionCompleted(transcript="heard 300 bytes")),
    ]
    [(headers, query, path)] = transcription_server.upgrades
    assert path == "/v1/realtime"
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert query == {
        "model": MODEL,
        "input_audio_format": "pcm_s16le_16000",
        "turn_detection": "none",
    }
    assert all(KEY not in value for value in query.values())
    assert [m["type"] for m in transcription_server.messages] == [
        "input_audio_buffer.append",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
    ]


def _session(identifier: str, **fields: Any) -> Any:
    from together_fn.models.realtime import RealtimeSession

    return RealtimeSession(id=identifier, **fields)


@pytest.mark.asyncio
async def test_a_speech_session_through_the_async_facade(speech_server: WsServer):
    client = AsyncTogether(api_key=KEY, base_url=speech_server.url, transport=AiohttpTransport())
    audio = b""
    kinds = []
    async with await client.realtime.connect_speech(model="hexgrad/Kokoro-82M", voice="tara") as s:
        await s.send_text("Hello, this is a test.")
        await s.send_text("Second.")
        await s.commit_text()
        async for event in s:
            value = event.unwrap()
            kinds.append(type(value))
            if isinstance(value, AudioOutputDelta):
                audio += value.audio
    await client.close()

    assert audio == b"Hello, this is a test.Second."
    assert kinds == [
        SessionCreated,
        InputTextReceived,
        InputTextReceived,
        AudioOutputDelta,
        AudioOutputDone,
        AudioOutputDelta,
        AudioOutputDone,
    ]
    [(_, query, path)] = speech_server.upgrades
    assert (path, query) == (
        "/v1/audio/speech/websocket",
        {"model": "hexgrad/Kokoro-82M", "voice": "tara"},
    )


@pytest.mark.asyncio
async def test_a_refused_upgrade_is_classified_and_keeps_the_key_secret():
    async def never(ws: web.WebSocketResponse, server: WsServer) -> None:
        raise AssertionError("no session should start")

    with WsServer(never, refuse=401) as server:
        opened = await aconnect(connect_realtime_transcription(model=MODEL), config_for(server))
        client = AsyncTogether(api_key=KEY, base_url=server.url, transport=AiohttpTransport())
        with pytest.raises(AuthenticationError):
            await client.realtime.connect_transcription(model=MODEL)
        await client.close()

    assert isinstance(opened, Failure)
    error = opened.failure()
    assert isinstance(error, AuthenticationError)
    assert error.status == 401
    assert KEY not in str(error)
    assert KEY not in repr(error)


@pytest.mark.asyncio
async def test_nothing_listening_is_a_connection_error_before_sending():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1")
    opened = await aconnect(connect_realtime_transcription(model=MODEL), config)

    assert isinstance(opened, Failure)
    error = opened.failure()
    assert isinstance(error, APIConnectionError)
    assert not error.request_sent
    assert KEY not in str(error)


@pytest.mark.asyncio
async def test_a_failed_item_is_an_error_and_the_session_goes_on():
    async def failing(ws: web.WebSocketResponse, server: WsServer) -> None:
        failure = {
            "type": "conversation.item.tts.failed",
            "error": {"message": "Text too long", "type": "invalid_request_error", "code": None},
        }
        await ws.send_json(failure)
        await ws.send_json({"type": "conversation.item.audio_output.done", "item_id": "tts_2"})
        await ws.close()

    with WsServer(failing) as server:
        opened = await aconnect(connect_realtime_speech(), config_for(server))
        async with opened.unwrap() as session:
            events = [event async for event in session]

    assert events == [
        Failure(
            StreamError(message="Text too long", type="invalid_request_error", events_received=1)
        ),
        Success(AudioOutputDone(item_id="tts_2")),
    ]


@pytest.mark.asyncio
async def test_an_abnormal_close_ends_the_events_with_an_error():
    async def crashing(ws: web.WebSocketResponse, server: WsServer) -> None:
        await ws.send_json({"type": "session.created", "session": {"id": "s3"}})
        await ws.close(code=1011, message=b"internal error")

    with WsServer(crashing) as server:
        opened = await aconnect(connect_realtime_speech(), config_for(server))
        async with opened.unwrap() as session:
            events = [event async for event in session]

    assert events[0] == Success(SessionCreated(session=_session("s3")))
    assert isinstance(events[1], Failure)
    error = events[1].failure()
    assert isinstance(error, StreamError)
    assert error.code == "1011"
    assert "internal error" in error.message
    assert len(events) == 2


# --- blocking ---------------------------------------------------------------------------------


def test_the_sync_facade_transcribes_a_whole_clip(transcription_server: WsServer):
    with Together(
        api_key=KEY, base_url=transcription_server.url, transport=RequestsTransport()
    ) as client:
        transcript = client.realtime.transcribe([b"\x00" * 64, b"", b"\x01" * 36], model=MODEL)

    assert transcript == "heard 100 bytes"
    [(_, query, _)] = transcription_server.upgrades
    assert query["turn_detection"] == "none"


def test_a_sync_speech_session_sends_and_iterates(speech_server: WsServer):
    opened = connect(connect_realtime_speech(voice="tara"), config_for(speech_server))
    assert isinstance(opened, Success)
    with opened.unwrap() as session:
        session.send_text("Hi.")
        session.commit_text()
        values = [event.unwrap() for event in session]

    assert [type(v) for v in values] == [
        SessionCreated,
        InputTextReceived,
        AudioOutputDelta,
        AudioOutputDone,
    ]
    assert values[2].audio == b"Hi."


def test_run_session_stops_when_told(speech_server: WsServer):
    messages = [
        {"type": "input_text_buffer.append", "text": "One."},
        {"type": "input_text_buffer.commit"},
    ]
    collected = run_session(
        connect_realtime_speech(),
        config_for(speech_server),
        messages,
        until=lambda event: isinstance(event.value_or(None), AudioOutputDelta),
    )

    events = collected.unwrap()
    assert [type(e.unwrap()) for e in events] == [
        SessionCreated,
        InputTextReceived,
        AudioOutputDelta,
    ]


def test_a_refused_sync_session_raises_the_error():
    async def never(ws: web.WebSocketResponse, server: WsServer) -> None:
        raise AssertionError("no session should start")

    with WsServer(never, refuse=403) as server:
        client = Together(api_key=KEY, base_url=server.url, transport=RequestsTransport())
        with pytest.raises(Exception) as raised:
            client.realtime.transcribe([b"\x00\x00"], model=MODEL)

    assert getattr(raised.value, "status", None) == 403
    assert KEY not in str(raised.value)


def test_a_failed_transcription_raises_its_error():
    async def rejecting(ws: web.WebSocketResponse, server: WsServer) -> None:
        await ws.send_json({"type": "session.created", "session": {"id": "s4"}})
        while (await server.receive(ws))["type"] != "input_audio_buffer.commit":
            pass
        failure = {
            "type": "conversation.item.input_audio_transcription.failed",
            "error": {"message": "Unsupported audio format", "type": "invalid_request_error"},
        }
        await ws.send_json(failure)
        await ws.close()

    with WsServer(rejecting) as server:
        client = Together(api_key=KEY, base_url=server.url, transport=RequestsTransport())
        with pytest.raises(StreamError, match="Unsupported audio format"):
            client.realtime.transcribe([b"\x00\x00"], model=MODEL)


@pytest.mark.asyncio
async def test_a_session_that_ends_without_a_transcript_is_an_error():
    async def silent(ws: web.WebSocketResponse, server: WsServer) -> None:
        await ws.send_json({"type": "session.created", "session": {"id": "s5"}})
        await ws.close()

    with WsServer(silent) as server:
        client = AsyncTogether(api_key=KEY, base_url=server.url, transport=AiohttpTransport())
        try:
            with pytest.raises(TogetherError, match="without a transcript"):
                await client.realtime.transcribe([b"\x00\x00"], model=MODEL)
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_sending_to_a_closed_session_is_a_connection_error():
    async def closing(ws: web.WebSocketResponse, server: WsServer) -> None:
        await ws.close()

    with WsServer(closing) as server:
        opened = await aconnect(connect_realtime_speech(), config_for(server))
        async with opened.unwrap() as session:
            assert [event async for event in session] == []
            with pytest.raises(APIConnectionError, match="websocket send failed"):
                await session.send_text("Too late.")
