"""Builders for the realtime websockets: ``GET /realtime`` (transcription) here, and the
:class:`WebSocketCall` value that ``api.audio.connect_realtime_speech`` shares.

A websocket session starts as an HTTP ``GET`` upgrade: the call describes that request
(path and query; the API key is added as an ``Authorization`` header when the session is
opened, never put in the URL) and the type its server events decode into.
``together_fn.executors.websocket`` opens it.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

import attrs

from together_fn.api._build import NO_OPTIONS, RequestOptions, operation, request
from together_fn.http import HttpRequest, Method
from together_fn.models.realtime import TranscriptionServerEvent

E = TypeVar("E")

INPUT_AUDIO_FORMATS: tuple[str, ...] = ("pcm_s16le_16000",)


@attrs.frozen(kw_only=True)
class WebSocketCall(Generic[E]):
    """A websocket session to open: the upgrade request and the type of its server events."""

    operation: str
    request: HttpRequest
    event_type: Any


@operation("GET", "/realtime")
def connect_realtime_transcription(
    *,
    model: str,
    input_audio_format: Literal["pcm_s16le_16000"] = "pcm_s16le_16000",
    turn_detection: Literal["server_vad", "none"] | None = None,
    threshold: float | None = None,
    min_silence_duration_ms: int | None = None,
    min_speech_duration_ms: int | None = None,
    max_speech_duration_s: float | None = None,
    speech_pad_ms: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> WebSocketCall[TranscriptionServerEvent]:
    """The websocket session that transcribes audio as it is sent (PCM s16le, 16 kHz).

    Voice activity detection is on by default; ``turn_detection="none"`` turns it off (then
    send ``input_audio_buffer.commit``), the other parameters tune it.

    >>> call = connect_realtime_transcription(model="openai/whisper-large-v3")
    >>> call.request.full_url
    '/realtime?model=openai%2Fwhisper-large-v3&input_audio_format=pcm_s16le_16000'
    """
    if not model:
        raise ValueError("model must not be empty")
    if input_audio_format not in INPUT_AUDIO_FORMATS:
        raise ValueError(f"input_audio_format must be pcm_s16le_16000, got {input_audio_format!r}")
    if turn_detection not in (None, "server_vad", "none"):
        raise ValueError(f"turn_detection must be server_vad or none, got {turn_detection!r}")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    tuning = {
        "min_silence_duration_ms": min_silence_duration_ms,
        "min_speech_duration_ms": min_speech_duration_ms,
        "max_speech_duration_s": max_speech_duration_s,
        "speech_pad_ms": speech_pad_ms,
    }
    for name, value in tuning.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    query: dict[str, object] = {
        "model": model,
        "input_audio_format": input_audio_format,
        "turn_detection": turn_detection,
        "threshold": threshold,
        **tuning,
    }
    return WebSocketCall(
        operation="GET /realtime",
        request=request(Method.GET, "/realtime", query=query, options=options),
        event_type=TranscriptionServerEvent,
    )
