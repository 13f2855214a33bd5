"""Builders for ``/audio``: speech (whole, or streamed as events), transcriptions, translations,
and the realtime speech websocket.

An audio file for transcription is a path (streamed from disk when sent), bytes, a binary file
object (read once, when the Call is built, so that the Call holds its bytes), or a public
``http(s)`` URL sent as the ``file`` form field for the server to fetch.
"""

from __future__ import annotations

import os
from typing import IO, Any, TypeAlias

import attrs

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    as_stream,
    json_call,
    operation,
    request,
)
from together_fn.api.realtime import WebSocketCall
from together_fn.calls import Call, StreamCall
from together_fn.http import FilePart, Method, MultipartBody
from together_fn.models.audio import (
    AudioSpeechRequest,
    AudioSpeechStreamChunk,
    AudioTranscriptionOptions,
    AudioTranscriptionResponse,
    AudioTranslationResponse,
    Granularities,
    SpeechEncoding,
    SpeechLanguage,
    SpeechResponseFormat,
    TranscriptionFormat,
)
from together_fn.models.realtime import SpeechServerEvent

#: What ``file=`` accepts: a path, a URL, bytes, or a binary file object.
AudioFile: TypeAlias = str | os.PathLike[str] | bytes | IO[bytes]

DEFAULT_TRANSCRIPTION_MODEL = "openai/whisper-large-v3"

#: Content types by extension, for the formats the API accepts (no lookup in system tables).
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".webm": "audio/webm",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
}

#: Binary audio in any of the formats the spec lists.
SPEECH_ACCEPT = "application/octet-stream, audio/wav, audio/mpeg"


@operation("POST", "/audio/speech")
def create_speech(
    *,
    model: str,
    input: str,
    voice: str,
    response_format: SpeechResponseFormat | None = None,
    language: SpeechLanguage | None = None,
    response_encoding: SpeechEncoding | None = None,
    sample_rate: int | None = None,
    bit_rate: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[bytes]:
    """The Call that speaks ``input``: its value is the audio file's bytes (wav by default).

    To write a long answer to disk with bounded memory, stream this Call's body to a file
    (``client.audio.speech.create(..., output=path)``).

    >>> call = create_speech(model="cartesia/sonic-2", input="Hi", voice="laidback woman")
    >>> call.request.url, call.request.body.json()["voice"], call.response_type
    ('/audio/speech', 'laidback woman', <class 'bytes'>)
    """
    body = AudioSpeechRequest(
        model=model,
        input=input,
        voice=voice,
        response_format=response_format,
        language=language,
        response_encoding=response_encoding,
        sample_rate=sample_rate,
        bit_rate=bit_rate,
    )
    call = json_call("POST /audio/speech", bytes, body, options=options)
    request_ = call.request.with_headers((("accept", SPEECH_ACCEPT),))
    return attrs.evolve(call, request=request_)


def stream_speech(
    *,
    model: str,
    input: str,
    voice: str,
    response_format: SpeechResponseFormat | None = None,
    language: SpeechLanguage | None = None,
    response_encoding: SpeechEncoding | None = None,
    sample_rate: int | None = None,
    bit_rate: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> StreamCall[AudioSpeechStreamChunk]:
    """Like :func:`create_speech`, streamed: server-sent events of base64 raw audio.

    A streamed speech is always ``raw`` PCM (the only format the API streams).

    >>> call = stream_speech(model="cartesia/sonic-2", input="Hi", voice="laidback woman")
    >>> call.request.body.json()["stream"], call.request.body.json()["response_format"]
    (True, 'raw')
    """
    body = AudioSpeechRequest(
        model=model,
        input=input,
        voice=voice,
        response_format=response_format or "raw",
        language=language,
        response_encoding=response_encoding,
        sample_rate=sample_rate,
        bit_rate=bit_rate,
        stream=True,
    )
    call = json_call("POST /audio/speech", bytes, body, options=options)
    return as_stream(call, AudioSpeechStreamChunk)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _content_type(filename: str) -> str:
    return AUDIO_TYPES.get(os.path.splitext(filename)[1].lower(), "application/octet-stream")


def audio_form(
    file: AudioFile, filename: str | None = None
) -> tuple[tuple[tuple[str, str], ...], tuple[FilePart, ...]]:
    """The ``file`` of an audio form: a URL field, or a file part from a path, bytes or a
    binary file object."""
    if _is_url(file):
        return (("file", str(file)),), ()
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if not path:
            raise ValueError("file must not be empty")
        name = filename or os.path.basename(path)
        part = FilePart(name="file", filename=name, path=path, content_type=_content_type(name))
        return (), (part,)
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif hasattr(file, "read"):
        data = file.read()
        if not isinstance(data, bytes):
            raise TypeError("file objects must be opened in binary mode ('rb')")
        own = getattr(file, "name", None)
        filename = filename or (os.path.basename(own) if isinstance(own, str) else None)
    else:
        raise TypeError(
            f"file must be a path, URL, bytes or binary file, not {type(file).__name__}"
        )
    if not data:
        raise ValueError("the audio file is empty")
    name = filename or "audio.wav"
    return (), (FilePart(name="file", filename=name, data=data, content_type=_content_type(name)),)


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _form_fields(form: AudioTranscriptionOptions, options: RequestOptions) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for attribute in attrs.fields(AudioTranscriptionOptions):
        value = getattr(form, attribute.name)
        if value is None:
            continue
        # An array goes as the same field repeated (OpenAPI's form style, exploded).
        values = value if isinstance(value, tuple) else (value,)
        fields.extend((attribute.name, _form_value(v)) for v in values)
    for name, value in (options.extra_body or {}).items():
        if value is not None:
            fields.append((name, _form_value(value)))
    return fields


def _audio_call(
    operation_key: str,
    response_type: Any,
    file: AudioFile,
    form: AudioTranscriptionOptions,
    filename: str | None,
    options: RequestOptions,
) -> Call[Any]:
    url_field, files = audio_form(file, filename)
    body = MultipartBody(fields=url_field + tuple(_form_fields(form, options)), files=files)
    path = operation_key.split(" ", 1)[1]
    return Call(
        operation=operation_key,
        request=request(
            Method.POST, path, body=body, options=attrs.evolve(options, extra_body=None)
        ),
        response_type=response_type,
    )


@operation("POST", "/audio/transcriptions")
def create_transcription(
    *,
    file: AudioFile,
    model: str = DEFAULT_TRANSCRIPTION_MODEL,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionFormat | None = None,
    temperature: float | None = None,
    timestamp_granularities: Granularities | None = None,
    diarize: bool | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    filename: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[AudioTranscriptionResponse]:
    """The Call that transcribes ``file``: ``{"text"}``, or with ``verbose_json`` segments,
    words (``timestamp_granularities``) and speaker segments (``diarize=True``).

    >>> call = create_transcription(file="https://example.com/a.wav", language="en")
    >>> call.request.body.fields[0], call.request.body.fields[2]
    (('file', 'https://example.com/a.wav'), ('language', 'en'))
    """
    form = AudioTranscriptionOptions(
        model=model,
        language=language,
        prompt=prompt,
        response_format=response_format,
        temperature=temperature,
        timestamp_granularities=timestamp_granularities,
        diarize=diarize,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
    )
    return _audio_call(
        "POST /audio/transcriptions", AudioTranscriptionResponse, file, form, filename, options
    )


@operation("POST", "/audio/translations")
def create_translation(
    *,
    file: AudioFile,
    model: str = DEFAULT_TRANSCRIPTION_MODEL,
    language: str | None = None,
    prompt: str | None = None,
    response_format: TranscriptionFormat | None = None,
    temperature: float | None = None,
    timestamp_granularities: Granularities | None = None,
    filename: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[AudioTranslationResponse]:
    """The Call that translates the speech in ``file`` (into English unless ``language``).

    >>> create_translation(file=b"RIFF....", filename="clip.wav").request.body.files[0].filename
    'clip.wav'
    """
    form = AudioTranscriptionOptions(
        model=model,
        language=language,
        prompt=prompt,
        response_format=response_format,
        temperature=temperature,
        timestamp_granularities=timestamp_granularities,
    )
    return _audio_call(
        "POST /audio/translations", AudioTranslationResponse, file, form, filename, options
    )


@operation("GET", "/audio/speech/websocket")
def connect_realtime_speech(
    *,
    model: str | None = None,
    voice: str | None = None,
    max_partial_length: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> WebSocketCall[SpeechServerEvent]:
    """The websocket session that speaks text as it arrives (raw PCM s16le, 24 kHz, base64).

    >>> connect_realtime_speech(model="hexgrad/Kokoro-82M", voice="af_heart").request.full_url
    '/audio/speech/websocket?model=hexgrad%2FKokoro-82M&voice=af_heart'
    """
    if max_partial_length is not None and max_partial_length <= 0:
        raise ValueError(f"max_partial_length must be positive, got {max_partial_length}")
    query = {"model": model, "voice": voice, "max_partial_length": max_partial_length}
    return WebSocketCall(
        operation="GET /audio/speech/websocket",
        request=request(Method.GET, "/audio/speech/websocket", query=query, options=options),
        event_type=SpeechServerEvent,
    )
