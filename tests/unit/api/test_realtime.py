"""The realtime websocket builders, their upgrade requests, messages and events (no sockets)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from returns.result import Failure, Success

from tests.unit.api.media_spec import query_parameters, resolve
from together_fn.api import REGISTRY
from together_fn.api._build import RequestOptions
from together_fn.api.audio import connect_realtime_speech
from together_fn.api.realtime import WebSocketCall, connect_realtime_transcription
from together_fn.codec import encode_json
from together_fn.config import ClientConfig
from together_fn.errors import APIResponseValidationError, StreamError
from together_fn.executors.websocket import decode_message, websocket_request
from together_fn.http import HttpRequest, Method
from together_fn.models.realtime import (
    AudioOutputDelta,
    AudioOutputDone,
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    InputTextBufferAppend,
    InputTextBufferClear,
    InputTextBufferCommit,
    InputTextReceived,
    RealtimeEvent,
    RealtimeSession,
    SessionCreated,
    TranscriptionCompleted,
    TranscriptionDelta,
    TranscriptionServerEvent,
    TranscriptionSessionConfirmed,
    TranscriptionSessionState,
    TranscriptionSessionUpdate,
    TranscriptionSessionUpdated,
    TtsSessionUpdate,
    TtsSessionUpdated,
    TurnDetection,
)

KEY = "tk-realtime-test-key-0123456789"
MODEL = "openai/whisper-large-v3"


def test_the_transcription_websocket_is_the_exact_call():
    assert connect_realtime_transcription(model=MODEL) == WebSocketCall(
        operation="GET /realtime",
        request=HttpRequest(
            method=Method.GET,
            url="/realtime",
            query=(("model", MODEL), ("input_audio_format", "pcm_s16le_16000")),
        ),
        event_type=TranscriptionServerEvent,
    )
    assert "GET /realtime" in REGISTRY


def test_the_transcription_query_covers_the_specs_parameters():
    params = query_parameters("GET /realtime")
    query = dict(connect_realtime_transcription(model=MODEL).request.query)
    required = {name for name, p in params.items() if p.get("required")}
    assert required <= set(query)
    assert set(query) <= set(params)
    assert query["input_audio_format"] in resolve(params["input_audio_format"]["schema"])["enum"]


def test_voice_activity_detection_settings_go_in_the_query():
    call = connect_realtime_transcription(
        model=MODEL,
        turn_detection="server_vad",
        threshold=0.3,
        min_silence_duration_ms=500,
        min_speech_duration_ms=250,
        max_speech_duration_s=5.0,
        speech_pad_ms=250,
        options=RequestOptions(extra_query={"language": "en"}),
    )
    assert call.request.query == (
        ("model", MODEL),
        ("input_audio_format", "pcm_s16le_16000"),
        ("turn_detection", "server_vad"),
        ("threshold", "0.3"),
        ("min_silence_duration_ms", "500"),
        ("min_speech_duration_ms", "250"),
        ("max_speech_duration_s", "5.0"),
        ("speech_pad_ms", "250"),
        ("language", "en"),
    )


@pytest.mark.parametrize(
    "change",
    [
        {"model": ""},
        {"input_audio_format": "wav"},
        {"turn_detection": "client_vad"},
        {"threshold": 1.5},
        {"speech_pad_ms": -1},
    ],
)
def test_invalid_transcription_sessions_fail_before_any_connection(change):
    with pytest.raises(ValueError):
        connect_realtime_transcription(**{"model": MODEL, **change})


def test_the_upgrade_request_carries_the_key_in_a_header_never_in_the_url():
    config = ClientConfig(api_key=KEY)
    upgrade = websocket_request(connect_realtime_transcription(model=MODEL), config)
    parts = urlsplit(upgrade.full_url)
    assert (parts.scheme, parts.netloc, parts.path) == ("wss", "api.together.ai", "/v1/realtime")
    assert dict(parse_qsl(parts.query)) == {
        "model": MODEL,
        "input_audio_format": "pcm_s16le_16000",
    }
    assert KEY not in upgrade.full_url
    assert upgrade.header("authorization") == f"Bearer {KEY}"
    assert upgrade.header("accept") is None
    assert KEY not in repr(upgrade)


def test_a_plain_http_base_becomes_ws():
    config = ClientConfig(api_key=KEY, base_url="http://127.0.0.1:9000/v1")
    upgrade = websocket_request(connect_realtime_speech(voice="tara"), config)
    assert upgrade.full_url == "ws://127.0.0.1:9000/v1/audio/speech/websocket?voice=tara"


# --- client messages ------------------------------------------------------------------------


def wire(message: object) -> object:
    return json.loads(encode_json(message))


def test_client_messages_are_the_documented_json():
    assert wire(InputAudioBufferAppend.of(b"\x00\x01")) == {
        "type": "input_audio_buffer.append",
        "audio": base64.b64encode(b"\x00\x01").decode(),
    }
    assert wire(InputAudioBufferCommit()) == {"type": "input_audio_buffer.commit"}
    assert wire(InputTextBufferAppend(text="Hello.")) == {
        "type": "input_text_buffer.append",
        "text": "Hello.",
    }
    assert wire(InputTextBufferClear()) == {"type": "input_text_buffer.clear"}
    assert wire(InputTextBufferCommit()) == {"type": "input_text_buffer.commit"}
    assert wire(TtsSessionUpdated(session=TtsSessionUpdate(voice="tara"))) == {
        "type": "tts_session.updated",
        "session": {"voice": "tara"},
    }


def test_turning_detection_off_sends_an_explicit_null():
    assert wire(
        TranscriptionSessionUpdated(session=TranscriptionSessionUpdate(turn_detection=None))
    ) == {
        "type": "transcription_session.updated",
        "session": {"turn_detection": None},
    }
    tuned = TurnDetection(threshold=0.3, min_silence_duration_ms=500, max_speech_duration_s=5.0)
    assert wire(TranscriptionSessionUpdate(turn_detection=tuned)) == {
        "turn_detection": {
            "type": "server_vad",
            "threshold": 0.3,
            "min_silence_duration_ms": 500,
            "max_speech_duration_s": 5.0,
        }
    }
    with pytest.raises(ValueError):
        TurnDetection(threshold=2.0)


# --- server events --------------------------------------------------------------------------

TRANSCRIPTION = connect_realtime_transcription(model=MODEL)
SPEECH = connect_realtime_speech()


def test_the_documented_transcription_events_decode():
    created = (
        '{"type":"session.created","session":{"id":"session-id","object":"realtime.session",'
        '"modalities":["audio"],"model":"openai/whisper-large-v3"}}'
    )
    assert decode_message(TRANSCRIPTION, created, received=1) == Success(
        SessionCreated(
            session=RealtimeSession(
                id="session-id", object="realtime.session", modalities=("audio",), model=MODEL
            )
        )
    )
    updated = '{"type":"transcription_session.updated","session":{"turn_detection":null}}'
    assert decode_message(TRANSCRIPTION, updated, received=2) == Success(
        TranscriptionSessionConfirmed(session=TranscriptionSessionState(turn_detection=None))
    )
    delta = '{"type":"conversation.item.input_audio_transcription.delta","delta":"The quick"}'
    assert decode_message(TRANSCRIPTION, delta, received=3) == Success(
        TranscriptionDelta(delta="The quick")
    )
    done = (
        '{"type":"conversation.item.input_audio_transcription.completed",'
        '"transcript":"The quick brown fox"}'
    )
    assert decode_message(TRANSCRIPTION, done, received=4) == Success(
        TranscriptionCompleted(transcript="The quick brown fox")
    )


def test_the_documented_speech_events_decode():
    pcm = base64.b64encode(b"\x10\x00\x20\x00").decode()
    assert decode_message(
        SPEECH,
        '{"type":"conversation.item.input_text.received","text":"Hello."}',
        received=1,
    ) == Success(InputTextReceived(text="Hello."))
    delta = decode_message(
        SPEECH,
        json.dumps(
            {"type": "conversation.item.audio_output.delta", "item_id": "tts_1", "delta": pcm}
        ),
        received=2,
    )
    assert delta == Success(AudioOutputDelta(item_id="tts_1", delta=pcm))
    event: Any = delta.unwrap()
    assert event.audio == b"\x10\x00\x20\x00"
    assert decode_message(
        SPEECH, '{"type":"conversation.item.audio_output.done","item_id":"tts_1"}', received=3
    ) == Success(AudioOutputDone(item_id="tts_1"))


def test_an_unknown_event_type_is_kept_not_rejected():
    assert decode_message(SPEECH, '{"type":"rate_limits.updated","x":1}', received=1) == Success(
        RealtimeEvent(type="rate_limits.updated")
    )


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (TRANSCRIPTION, "conversation.item.input_audio_transcription.failed"),
        (SPEECH, "conversation.item.tts.failed"),
    ],
)
def test_a_failed_event_is_an_error_with_the_servers_fields(call, kind):
    message = json.dumps(
        {
            "type": kind,
            "error": {
                "message": "Invalid API key",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            },
        }
    )
    assert decode_message(call, message, received=3) == Failure(
        StreamError(
            message="Invalid API key",
            type="invalid_request_error",
            code="invalid_api_key",
            events_received=3,
        )
    )


def test_a_message_that_is_not_json_or_not_an_event_is_a_validation_error():
    not_json = decode_message(SPEECH, "hello", received=1)
    assert isinstance(not_json, Failure)
    assert isinstance(not_json.failure(), APIResponseValidationError)
    wrong = decode_message(SPEECH, '{"type":"conversation.item.audio_output.delta"}', received=1)
    assert isinstance(wrong, Failure)
    assert isinstance(wrong.failure(), APIResponseValidationError)
