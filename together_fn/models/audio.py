"""Audio models (OpenAPI: ``AudioSpeechRequest``, ``AudioSpeechStreamChunk``,
``AudioTranscriptionJsonResponse``, ``AudioTranscriptionVerboseJsonResponse``,
``AudioTranslationJsonResponse``, ``AudioTranslationVerboseJsonResponse`` and their parts).

Transcriptions and translations answer either ``{"text"}`` (``response_format="json"``) or the
verbose shape with segments, words and speaker segments; the response unions tell them apart by
the verbose-only ``segments`` key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.models._fields import in_range, non_empty
from together_fn.schema import ByKey

SpeechResponseFormat: TypeAlias = Literal["mp3", "wav", "raw"]
SpeechLanguage: TypeAlias = Literal[
    "en", "de", "fr", "es", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr", "zh"
]
SpeechEncoding: TypeAlias = Literal["pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw"]
TranscriptionFormat: TypeAlias = Literal["json", "verbose_json"]
Granularity: TypeAlias = Literal["segment", "word"]
Granularities: TypeAlias = Granularity | Sequence[Granularity]

SPEECH_FORMATS: tuple[str, ...] = ("mp3", "wav", "raw")
SPEECH_LANGUAGES: tuple[str, ...] = (
    "en", "de", "fr", "es", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr", "zh",
)  # fmt: skip
SPEECH_ENCODINGS: tuple[str, ...] = ("pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw")
BIT_RATES: tuple[int, ...] = (32000, 64000, 96000, 128000, 192000)
TRANSCRIPTION_FORMATS: tuple[str, ...] = ("json", "verbose_json")
GRANULARITIES: tuple[str, ...] = ("segment", "word")


def one_of(choices: tuple[Any, ...]) -> Any:
    """A validator: ``None`` or one of ``choices``."""

    def check(_: object, attribute: Any, value: object) -> None:
        if value is not None and value not in choices:
            shown = ", ".join(str(c) for c in choices)
            raise ValueError(f"{attribute.name} must be one of {shown}; got {value!r}")

    return check


def _positive(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or value <= 0):
        raise ValueError(f"{attribute.name} must be a positive integer, got {value!r}")


@attrs.frozen(kw_only=True)
class AudioSpeechRequest:
    """Body of ``POST /audio/speech``: text to speak with ``model`` in ``voice``."""

    model: str = attrs.field(validator=non_empty)
    input: str = attrs.field(validator=non_empty)
    voice: str = attrs.field(validator=non_empty)
    response_format: SpeechResponseFormat | None = attrs.field(
        default=None, validator=one_of(SPEECH_FORMATS)
    )
    language: SpeechLanguage | None = attrs.field(default=None, validator=one_of(SPEECH_LANGUAGES))
    response_encoding: SpeechEncoding | None = attrs.field(
        default=None, validator=one_of(SPEECH_ENCODINGS)
    )
    sample_rate: int | None = attrs.field(default=None, validator=_positive)
    bit_rate: int | None = attrs.field(default=None, validator=one_of(BIT_RATES))
    stream: bool | None = None

    def __attrs_post_init__(self) -> None:
        if self.stream and self.response_format not in (None, "raw"):
            raise ValueError("a streamed speech is raw audio: response_format must be 'raw'")


@attrs.frozen(kw_only=True)
class AudioSpeechStreamChunk:
    """One event of a streamed speech: base64 audio (raw PCM) in ``b64``."""

    b64: str
    model: str | None = None
    object: str = "audio.tts.chunk"

    @property
    def audio(self) -> bytes:
        """The decoded audio bytes (raises ``ValueError`` if ``b64`` is not base64)."""
        try:
            return base64.b64decode(self.b64, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"chunk is not base64: {exc}") from None


def granularities(value: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    """``timestamp_granularities``: ``segment`` or ``word``, or a list of one or both (no
    repeats: the spec wants unique items)."""
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items or len(set(items)) != len(items):
        raise ValueError("timestamp_granularities must be one or two distinct values")
    for item in items:
        if item not in GRANULARITIES:
            raise ValueError(f"timestamp_granularities must be segment or word, got {item!r}")
    return value if isinstance(value, str) else items


@attrs.frozen(kw_only=True)
class AudioTranscriptionOptions:
    """The form fields of ``POST /audio/transcriptions`` and ``/audio/translations`` besides
    ``file`` (OpenAPI: ``AudioTranscriptionRequest`` / ``AudioTranslationRequest``)."""

    model: str | None = attrs.field(default=None, validator=attrs.validators.optional(non_empty))
    language: str | None = attrs.field(default=None, validator=attrs.validators.optional(non_empty))
    prompt: str | None = None
    response_format: TranscriptionFormat | None = attrs.field(
        default=None, validator=one_of(TRANSCRIPTION_FORMATS)
    )
    temperature: float | None = attrs.field(default=None, validator=in_range(0.0, 1.0))
    timestamp_granularities: str | tuple[str, ...] | None = attrs.field(
        default=None, converter=granularities
    )
    diarize: bool | None = None
    min_speakers: int | None = attrs.field(default=None, validator=_positive)
    max_speakers: int | None = attrs.field(default=None, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise ValueError("min_speakers must not exceed max_speakers")


@attrs.frozen(kw_only=True)
class AudioTranscriptionWord:
    """A word with its times (and speaker, with diarization)."""

    word: str
    start: float
    end: float
    speaker_id: str | None = None
    id: int | None = None


@attrs.frozen(kw_only=True)
class AudioTranscriptionSegment:
    """A stretch of text with its start and end in seconds."""

    id: int
    start: float
    end: float
    text: str


@attrs.frozen(kw_only=True)
class AudioTranscriptionSpeakerSegment:
    """What one speaker said in one stretch (diarization)."""

    speaker_id: str
    start: float
    end: float
    text: str = ""
    id: int | None = None
    words: tuple[AudioTranscriptionWord, ...] = ()


@attrs.frozen(kw_only=True)
class AudioTranscriptionJsonResponse:
    """``response_format="json"``: the text alone."""

    text: str


@attrs.frozen(kw_only=True)
class AudioTranscriptionVerboseJsonResponse:
    """``response_format="verbose_json"``: the text with segments, words, speaker segments."""

    text: str
    segments: tuple[AudioTranscriptionSegment, ...]
    task: str | None = None  # "transcribe" | "translate"
    language: str | None = None
    duration: float | None = None
    words: tuple[AudioTranscriptionWord, ...] | None = None
    speaker_segments: tuple[AudioTranscriptionSpeakerSegment, ...] | None = None


@attrs.frozen(kw_only=True)
class AudioTranslationJsonResponse:
    """``response_format="json"``: the English text alone."""

    text: str


@attrs.frozen(kw_only=True)
class AudioTranslationVerboseJsonResponse:
    """``response_format="verbose_json"``: the translated text with segments and words."""

    text: str
    segments: tuple[AudioTranscriptionSegment, ...]
    task: str | None = None
    language: str | None = None
    duration: float | None = None
    words: tuple[AudioTranscriptionWord, ...] | None = None


AudioTranscriptionResponse: TypeAlias = Annotated[
    AudioTranscriptionVerboseJsonResponse | AudioTranscriptionJsonResponse,
    ByKey(
        (("segments", AudioTranscriptionVerboseJsonResponse),),
        default=AudioTranscriptionJsonResponse,
    ),
]

AudioTranslationResponse: TypeAlias = Annotated[
    AudioTranslationVerboseJsonResponse | AudioTranslationJsonResponse,
    ByKey(
        (("segments", AudioTranslationVerboseJsonResponse),),
        default=AudioTranslationJsonResponse,
    ),
]
