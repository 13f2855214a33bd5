"""Audio over both transports: streamed speech events, speech saved to a file, transcription
uploads received byte for byte."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from tests.executors.conftest import KEY, Driver, config_for
from tests.executors.loopback import Loopback, json_reply, respond, sse_event, stream
from tests.executors.test_uploads import parse_multipart
from together_fn.api.audio import create_speech, create_transcription, stream_speech
from together_fn.client import AsyncTogether, Together
from together_fn.errors import StreamError
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.models.audio import AudioSpeechStreamChunk, AudioTranscriptionJsonResponse

SPEECH: dict[str, Any] = {
    "model": "cartesia/sonic-2",
    "input": "The quick brown fox.",
    "voice": "laidback woman",
}
PCM = [os.urandom(700), os.urandom(1024), os.urandom(3)]


def chunk_event(audio: bytes) -> bytes:
    payload = {"object": "audio.tts.chunk", "model": "cartesia/sonic-2"}
    return sse_event({**payload, "b64": base64.b64encode(audio).decode()})


@pytest.mark.asyncio
async def test_streamed_speech_yields_each_chunk_in_order(server: Loopback, driver: Driver):
    # Event boundaries fall inside pieces, and pieces inside events.
    wire = b"".join(chunk_event(a) for a in PCM) + b"data: [DONE]\n\n"
    pieces = [wire[:10], wire[10:500], wire[500:-3], wire[-3:]]
    server.route("/v1/audio/speech", stream(pieces))
    items, exchange = await driver.stream(stream_speech(**SPEECH), config_for(server))

    assert [type(item) for item in items] == [Success, Success, Success]
    chunks = [item.unwrap() for item in items]
    assert all(isinstance(c, AudioSpeechStreamChunk) for c in chunks)
    assert [c.audio for c in chunks] == PCM
    assert exchange is not None
    [sent] = server.requests_to("/v1/audio/speech")
    assert sent.header("accept") == "text/event-stream"
    assert b'"stream":true' in sent.body


@pytest.mark.asyncio
async def test_a_speech_stream_cut_before_done_is_an_error(server: Loopback, driver: Driver):
    server.route("/v1/audio/speech", stream([chunk_event(PCM[0])], end="close", framing="close"))
    items, _ = await driver.stream(stream_speech(**SPEECH), config_for(server, retries=0))

    assert isinstance(items[0], Success)
    assert isinstance(items[-1], Failure)
    assert isinstance(items[-1].failure(), StreamError)


@pytest.mark.asyncio
async def test_speech_bytes_arrive_whole(server: Loopback, driver: Driver):
    audio = b"RIFF" + os.urandom(200_000)
    server.route("/v1/audio/speech", respond(200, audio, content_type="audio/wav"))
    exchange = await driver.execute(create_speech(**SPEECH), config_for(server))

    assert exchange.result == Success(audio)
    [sent] = server.requests_to("/v1/audio/speech")
    assert "application/octet-stream" in (sent.header("accept") or "")


@pytest.mark.asyncio
async def test_transcription_upload_from_disk_arrives_byte_for_byte(
    server: Loopback, driver: Driver, tmp_path: Path
):
    content = b"RIFF" + os.urandom(200_000) + b"\r\n--boundary-lookalike\r\n"
    clip = tmp_path / "meeting.wav"
    clip.write_bytes(content)
    server.route("/v1/audio/transcriptions", json_reply({"text": "Hello, world!"}))
    call = create_transcription(
        file=clip, language="en", timestamp_granularities=["word", "segment"]
    )
    exchange = await driver.execute(call, config_for(server))

    assert exchange.result == Success(AudioTranscriptionJsonResponse(text="Hello, world!"))
    [sent] = server.requests_to("/v1/audio/transcriptions")
    assert sent.header("authorization") == f"Bearer {KEY}"
    parts = parse_multipart(sent)
    fields = [(p.name, p.data) for p in parts if p.filename is None]
    assert fields == [
        ("model", b"openai/whisper-large-v3"),
        ("language", b"en"),
        ("timestamp_granularities", b"word"),
        ("timestamp_granularities", b"segment"),
    ]
    [upload] = [p for p in parts if p.filename is not None]
    assert (upload.name, upload.filename, upload.content_type) == (
        "file",
        "meeting.wav",
        "audio/wav",
    )
    assert upload.data == content


# --- the facade -----------------------------------------------------------------------------


def test_sync_speech_saved_to_a_file(server: Loopback, tmp_path: Path):
    audio = b"ID3" + os.urandom(300_000)
    server.route("/v1/audio/speech", respond(200, audio, content_type="audio/mpeg"))
    target = tmp_path / "speech.mp3"
    target.write_bytes(b"old")
    with Together(
        api_key=KEY, base_url=f"{server.url}/v1", transport=RequestsTransport()
    ) as client:
        saved = client.audio.speech.create(**SPEECH, response_format="mp3", output=target)

    assert target.read_bytes() == audio
    assert getattr(saved, "size", None) == len(audio)
    assert [p.name for p in tmp_path.iterdir()] == ["speech.mp3"]


def test_sync_speech_stream_and_voices(server: Loopback):
    wire = b"".join(chunk_event(a) for a in PCM) + b"data: [DONE]\n\n"
    server.route("/v1/audio/speech", stream([wire]))
    server.route(
        "/v1/voices",
        json_reply({"data": [{"model": "m", "voices": [{"id": "v1", "name": "tara"}]}]}),
    )
    with Together(
        api_key=KEY, base_url=f"{server.url}/v1", transport=RequestsTransport()
    ) as client:
        chunks = client.audio.speech.create(**SPEECH, stream=True)
        assert not isinstance(chunks, bytes | Path)
        audio = [chunk.audio for chunk in chunks]  # type: ignore[union-attr]
        voices = client.voices.list()
        same = client.audio.voices.list()

    assert audio == PCM
    assert voices == same
    assert voices.data[0].voices[0].name == "tara"


@pytest.mark.asyncio
async def test_async_speech_saved_to_a_file_and_a_failure_leaves_nothing(
    server: Loopback, tmp_path: Path
):
    audio = os.urandom(150_000)
    server.route(
        "/v1/audio/speech",
        respond(200, audio, content_type="audio/wav"),
        json_reply(
            {"error": {"message": "voice not found", "type": "invalid_request_error"}}, status=400
        ),
    )
    client = AsyncTogether(
        api_key=KEY, base_url=f"{server.url}/v1", transport=AiohttpTransport(), max_retries=0
    )
    try:
        await client.audio.speech.create(**SPEECH, output=tmp_path / "a.wav")
        with pytest.raises(Exception, match="voice not found"):
            await client.audio.speech.create(**SPEECH, output=tmp_path / "b.wav")
    finally:
        await client.close()

    assert (tmp_path / "a.wav").read_bytes() == audio
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


def test_stream_and_output_together_are_refused():
    client = Together(api_key=KEY, transport=RequestsTransport())
    with pytest.raises(ValueError, match="stream"):
        client.audio.speech.create(**SPEECH, stream=True, output="x.wav")
