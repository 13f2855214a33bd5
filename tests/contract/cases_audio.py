"""Contract cases of ``/audio`` and ``/voices``: speech, transcriptions, translations, voices.

Prism cannot stream, so the streamed speech request is sent asking for the binary answer: the
body (``"stream": true``, ``"response_format": "raw"``) is what is validated.

The spec's transcription and translation answers are a ``oneOf`` whose verbose variant also
matches the plain one (``{"text"}`` allows any other key): every verbose answer dynamic Prism
generates violates the spec by its own check, and Prism replies 500. These cases therefore ask
for the spec's examples in both modes (``Prefer: dynamic=false``); ``test_media_dynamic``
samples generated answers and decodes every one Prism lets through. A URL as ``file`` cannot be
validated either (it matches both ``format: binary`` and ``format: uri``): the unit tests check
that form.

The websocket operations (``GET /realtime``, ``GET /audio/speech/websocket``) have no case:
Prism answers their upgrade with 101, never a 2xx. ``test_websocket_upgrades`` validates their
upgrade requests against Prism instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from together_fn import api
from together_fn.api import RequestOptions
from together_fn.calls import Call

#: See the module docstring: generated transcription answers are invalid by the spec's oneOf.
EXAMPLES = RequestOptions(extra_headers={"prefer": "dynamic=false"})

#: A tiny, well-formed WAV file (16 kHz mono PCM, 8 samples).
WAV = (
    b"RIFF\x34\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00"
    b"\x00\x7d\x00\x00\x02\x00\x10\x00data\x10\x00\x00\x00" + bytes(16)
)


def clip() -> Path:
    """The WAV file on disk (uploads from a path stream it from there)."""
    path = Path(tempfile.gettempdir()) / "together-fn-contract" / "meeting.wav"
    path.parent.mkdir(exist_ok=True)
    if not path.exists() or path.read_bytes() != WAV:
        path.write_bytes(WAV)
    return path


def stream_as_binary() -> Call[Any]:
    streamed = api.audio.stream_speech(
        model="cartesia/sonic-2", input="Hello there.", voice="laidback woman", sample_rate=24000
    )
    request = streamed.request.with_headers((("accept", "application/octet-stream"),))
    return Call(operation=streamed.operation, request=request, response_type=bytes)


CASES: dict[str, Callable[[], Call[Any]]] = {
    "audio speech: minimal": lambda: api.audio.create_speech(
        model="cartesia/sonic-2",
        input="The quick brown fox jumps over the lazy dog.",
        voice="laidback woman",
    ),
    "audio speech: every option": lambda: api.audio.create_speech(
        model="cartesia/sonic-2",
        input="Bonjour tout le monde.",
        voice="friendly sidekick",
        response_format="mp3",
        language="fr",
        response_encoding="pcm_s16le",
        sample_rate=44100,
        bit_rate=128000,
    ),
    "audio speech: streamed request": stream_as_binary,
    "audio transcription: from a path, verbose with words and speakers": lambda: (
        api.audio.create_transcription(
            file=clip(),
            language="en",
            prompt="Names: Tijana",
            response_format="verbose_json",
            temperature=0.0,
            timestamp_granularities=["word", "segment"],
            diarize=True,
            min_speakers=1,
            max_speakers=2,
            options=EXAMPLES,
        )
    ),
    "audio transcription: from bytes, plain json": lambda: api.audio.create_transcription(
        file=WAV, filename="clip.wav", response_format="json", options=EXAMPLES
    ),
    "audio translation": lambda: api.audio.create_translation(
        file=clip(),
        model="openai/whisper-large-v3",
        language="en",
        response_format="verbose_json",
        timestamp_granularities="segment",
        temperature=0.2,
        options=EXAMPLES,
    ),
    "voices: list": lambda: api.voices.list_voices(),
}
