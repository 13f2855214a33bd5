"""Golden tests of the ``/audio`` builders and the decoding of their answers."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from tests.unit.api.media_spec import example, query_parameters, resolve, schema
from together_fn.api import REGISTRY
from together_fn.api._build import RequestOptions
from together_fn.api.audio import (
    connect_realtime_speech,
    create_speech,
    create_transcription,
    create_translation,
    stream_speech,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, decode_value
from together_fn.errors import APIResponseValidationError
from together_fn.http import FilePart, HttpRequest, HttpResponse, JsonBody, Method, MultipartBody
from together_fn.models.audio import (
    AudioSpeechStreamChunk,
    AudioTranscriptionJsonResponse,
    AudioTranscriptionResponse,
    AudioTranscriptionSegment,
    AudioTranscriptionSpeakerSegment,
    AudioTranscriptionVerboseJsonResponse,
    AudioTranscriptionWord,
    AudioTranslationJsonResponse,
    AudioTranslationResponse,
    AudioTranslationVerboseJsonResponse,
)

# The response unions are Annotated aliases: as values they are not types mypy accepts.
TRANSCRIPTION_RESPONSE: Any = AudioTranscriptionResponse
TRANSLATION_RESPONSE: Any = AudioTranslationResponse

SPEECH: dict[str, Any] = {
    "model": "cartesia/sonic-2",
    "input": "The quick brown fox.",
    "voice": "laidback woman",
}


def test_speech_is_the_exact_request_answered_by_bytes():
    assert create_speech(**SPEECH) == Call(
        operation="POST /audio/speech",
        request=HttpRequest(
            method=Method.POST,
            url="/audio/speech",
            headers=(("accept", "application/octet-stream, audio/wav, audio/mpeg"),),
            body=JsonBody(
                b'{"model":"cartesia/sonic-2","input":"The quick brown fox.",'
                b'"voice":"laidback woman"}'
            ),
        ),
        response_type=bytes,
        retryable=True,
    )


def test_speech_sends_every_option():
    call = create_speech(
        **SPEECH,
        response_format="raw",
        language="fr",
        response_encoding="pcm_s16le",
        sample_rate=24000,
        bit_rate=64000,
    )
    assert call.request.body.json() == {  # type: ignore[union-attr]
        **SPEECH,
        "response_format": "raw",
        "language": "fr",
        "response_encoding": "pcm_s16le",
        "sample_rate": 24000,
        "bit_rate": 64000,
    }


def test_the_speech_answer_is_the_body_itself():
    audio = b"RIFF\x00\x01binary\xff"
    response = HttpResponse(status=200, headers=(("content-type", "audio/wav"),), body=audio)
    assert interpret(create_speech(**SPEECH), response) == Success(audio)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"voice": ""}, "voice"),
        ({"input": ""}, "input"),
        ({"response_format": "ogg"}, "response_format"),
        ({"language": "xx"}, "language"),
        ({"response_encoding": "pcm_u8"}, "response_encoding"),
        ({"sample_rate": 0}, "sample_rate"),
        ({"bit_rate": 100}, "bit_rate"),
    ],
)
def test_invalid_speech_parameters_fail_before_any_request(change, message):
    with pytest.raises(ValueError, match=message):
        create_speech(**{**SPEECH, **change})


def test_streamed_speech_is_raw_sse_and_decodes_chunks():
    call = stream_speech(**SPEECH)
    assert call.operation == "POST /audio/speech"
    assert call.request.header("accept") == "text/event-stream"
    assert call.request.body.json() == {  # type: ignore[union-attr]
        **SPEECH,
        "response_format": "raw",
        "stream": True,
    }
    assert call.chunk_type is AudioSpeechStreamChunk
    assert call.done == "[DONE]"


def test_a_streamed_speech_cannot_ask_for_a_file_format():
    with pytest.raises(ValueError, match="raw"):
        stream_speech(**SPEECH, response_format="mp3")


def test_the_spec_stream_chunk_decodes_and_its_audio_is_the_bytes():
    payload = {
        **example(schema("AudioSpeechStreamChunk")),
        "b64": base64.b64encode(b"\x01\x02pcm").decode(),
    }
    decoded = decode_value(payload, AudioSpeechStreamChunk)
    assert decoded == Success(
        AudioSpeechStreamChunk(b64=payload["b64"], model="cartesia/sonic", object="audio.tts.chunk")
    )
    assert decoded.unwrap().audio == b"\x01\x02pcm"
    with pytest.raises(ValueError, match="base64"):
        _ = AudioSpeechStreamChunk(b64="%%%").audio


# --- transcriptions and translations --------------------------------------------------------


def test_transcription_of_a_path_streams_the_file(tmp_path: Path):
    clip = tmp_path / "meeting.mp3"
    call = create_transcription(file=clip, language="en", response_format="verbose_json")
    assert call == Call(
        operation="POST /audio/transcriptions",
        request=HttpRequest(
            method=Method.POST,
            url="/audio/transcriptions",
            body=MultipartBody(
                fields=(
                    ("model", "openai/whisper-large-v3"),
                    ("language", "en"),
                    ("response_format", "verbose_json"),
                ),
                files=(
                    FilePart(
                        name="file",
                        filename="meeting.mp3",
                        path=str(clip),
                        content_type="audio/mpeg",
                    ),
                ),
            ),
        ),
        response_type=AudioTranscriptionResponse,
        retryable=True,
    )


def test_transcription_of_a_url_sends_it_as_the_file_field():
    call = create_transcription(file="https://example.com/audio.wav")
    assert call.request.body == MultipartBody(
        fields=(("file", "https://example.com/audio.wav"), ("model", "openai/whisper-large-v3"))
    )


def test_transcription_of_bytes_and_of_a_file_object():
    from_bytes = create_transcription(file=b"RIFFdata", filename="clip.wav")
    handle = io.BytesIO(b"RIFFdata")
    handle.name = "/somewhere/clip.wav"
    from_handle = create_transcription(file=handle)
    expected = FilePart(
        name="file", filename="clip.wav", data=b"RIFFdata", content_type="audio/wav"
    )
    assert from_bytes.request.body.files == (expected,)  # type: ignore[union-attr]
    assert from_handle.request.body.files == (expected,)  # type: ignore[union-attr]


def test_unnamed_data_gets_a_default_name():
    part = create_transcription(file=io.BytesIO(b"abc")).request.body.files[0]  # type: ignore[union-attr]
    assert (part.filename, part.content_type) == ("audio.wav", "audio/wav")


def test_every_transcription_option_is_a_form_field_and_lists_repeat():
    call = create_transcription(
        file="https://example.com/a.wav",
        model="openai/whisper-large-v3",
        language="auto",
        prompt="Names: Tijana",
        response_format="verbose_json",
        temperature=0.2,
        timestamp_granularities=["word", "segment"],
        diarize=True,
        min_speakers=1,
        max_speakers=3,
        options=RequestOptions(extra_body={"vad": True}),
    )
    assert call.request.body.fields == (  # type: ignore[union-attr]
        ("file", "https://example.com/a.wav"),
        ("model", "openai/whisper-large-v3"),
        ("language", "auto"),
        ("prompt", "Names: Tijana"),
        ("response_format", "verbose_json"),
        ("temperature", "0.2"),
        ("timestamp_granularities", "word"),
        ("timestamp_granularities", "segment"),
        ("diarize", "true"),
        ("min_speakers", "1"),
        ("max_speakers", "3"),
        ("vad", "true"),
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"temperature": 1.5}, ValueError),
        ({"response_format": "srt"}, ValueError),
        ({"timestamp_granularities": ["word", "word"]}, ValueError),
        ({"timestamp_granularities": ["line"]}, ValueError),
        ({"timestamp_granularities": []}, ValueError),
        ({"min_speakers": 3, "max_speakers": 2}, ValueError),
        ({"file": b""}, ValueError),
        ({"file": io.StringIO("text")}, TypeError),
        ({"file": 42}, TypeError),
    ],
)
def test_invalid_transcriptions_fail_before_any_request(change, error):
    with pytest.raises(error):
        create_transcription(**{"file": b"RIFF", **change})


def test_translation_is_the_same_form_on_its_own_path():
    call = create_translation(file=b"RIFF", filename="es.wav", language="en", temperature=0.0)
    assert call.operation == "POST /audio/translations"
    assert call.request.url == "/audio/translations"
    assert call.response_type == AudioTranslationResponse
    assert call.request.body.fields == (  # type: ignore[union-attr]
        ("model", "openai/whisper-large-v3"),
        ("language", "en"),
        ("temperature", "0.0"),
    )


def test_the_spec_examples_decode_into_both_transcription_shapes():
    plain = example(schema("AudioTranscriptionJsonResponse"))
    assert decode_value(plain, TRANSCRIPTION_RESPONSE) == Success(
        AudioTranscriptionJsonResponse(text="Hello, world!")
    )
    verbose = example(schema("AudioTranscriptionVerboseJsonResponse"))
    word = AudioTranscriptionWord(word="Hello", start=0.0, end=0.5, speaker_id="SPEAKER_00")
    assert decode_value(verbose, TRANSCRIPTION_RESPONSE) == Success(
        AudioTranscriptionVerboseJsonResponse(
            task="transcribe",
            language="english",
            duration=3.5,
            text="Hello, world!",
            segments=(AudioTranscriptionSegment(id=0, start=0.0, end=3.5, text="Hello, world!"),),
            words=(word,),
            speaker_segments=(
                AudioTranscriptionSpeakerSegment(
                    speaker_id="SPEAKER_00",
                    start=0.0,
                    end=30.02,
                    words=(word,),
                    text="Hello, how are you doing today?",
                    id=1,
                ),
            ),
        )
    )


def test_the_spec_examples_decode_into_both_translation_shapes():
    plain = example(schema("AudioTranslationJsonResponse"))
    assert decode_value(plain, TRANSLATION_RESPONSE) == Success(
        AudioTranslationJsonResponse(text="Hello, world!")
    )
    verbose = decode_value(
        example(schema("AudioTranslationVerboseJsonResponse")), TRANSLATION_RESPONSE
    ).unwrap()
    assert isinstance(verbose, AudioTranslationVerboseJsonResponse)
    assert (verbose.task, verbose.segments[0].end, verbose.words) == (
        "translate",
        3.5,
        (AudioTranscriptionWord(word="Hello", start=0.0, end=0.5, speaker_id="SPEAKER_00"),),
    )


def test_a_diarized_answer_as_the_api_documents_it():
    body = (
        b'{"task":"transcribe","language":"en","duration":30.02,"text":"Tijana ...",'
        b'"segments":[{"id":0,"start":0,"end":30.02,"text":"Tijana ..."}],'
        b'"words":[{"id":0,"word":"Tijana","start":0,"end":11.475,"speaker_id":"SPEAKER_00"}],'
        b'"speaker_segments":[{"speaker_id":"SPEAKER_00","start":0,"end":30.02,'
        b'"words":[{"id":0,"word":"Tijana","start":0,"end":11.475,"speaker_id":"SPEAKER_00"}]}]}'
    )
    decoded = decode_json(body, TRANSCRIPTION_RESPONSE).unwrap()
    assert isinstance(decoded, AudioTranscriptionVerboseJsonResponse)
    assert decoded.words is not None
    assert decoded.words[0].id == 0
    assert decoded.speaker_segments is not None
    assert decoded.speaker_segments[0].words[0].end == 11.475


def test_an_answer_without_text_is_a_validation_error():
    decoded = decode_json(b'{"segments": []}', TRANSCRIPTION_RESPONSE)
    assert isinstance(decoded, Failure)
    assert isinstance(decoded.failure(), APIResponseValidationError)


# --- the speech websocket -------------------------------------------------------------------


def test_the_speech_websocket_query_is_the_specs():
    params = query_parameters("GET /audio/speech/websocket")
    call = connect_realtime_speech(model="hexgrad/Kokoro-82M", voice="tara", max_partial_length=80)
    assert call.operation == "GET /audio/speech/websocket"
    assert call.operation in REGISTRY
    assert call.request.method is Method.GET
    assert call.request.url == "/audio/speech/websocket"
    query = dict(call.request.query)
    assert set(query) == set(params)
    assert query["model"] in resolve(params["model"]["schema"])["enum"]
    assert int(query["max_partial_length"]) == 80
    assert call.request.header("authorization") is None
    assert connect_realtime_speech().request.query == ()


def test_the_speech_websocket_rejects_a_useless_partial_length():
    with pytest.raises(ValueError, match="max_partial_length"):
        connect_realtime_speech(max_partial_length=0)
