"""Messages of the two realtime websockets: transcription (``GET /realtime``) and speech
(``GET /audio/speech/websocket``).

The spec describes these sessions only in prose, so the names follow the message ``type``s.
Client messages always carry their ``type``; server events are told apart by it, and an
event of a type this library does not know decodes into :class:`RealtimeEvent`. Failure events
(``*.failed``) become errors, not events (see ``executors/websocket.py``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, TypeAlias

import attrs

from together_fn.models._fields import at_least, in_range, non_empty, to_tuple
from together_fn.schema import Tagged


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"audio is not base64: {exc}") from None


# --- client messages ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TurnDetection:
    """Voice activity detection settings; every field left out keeps the server's default."""

    type: str = "server_vad"
    threshold: float | None = attrs.field(default=None, validator=in_range(0.0, 1.0))
    min_silence_duration_ms: int | None = attrs.field(default=None, validator=at_least(0))
    min_speech_duration_ms: int | None = attrs.field(default=None, validator=at_least(0))
    max_speech_duration_s: float | None = attrs.field(default=None, validator=at_least(0))
    speech_pad_ms: int | None = attrs.field(default=None, validator=at_least(0))


@attrs.frozen(kw_only=True)
class TranscriptionSessionUpdate:
    """New session settings; ``turn_detection=None`` turns VAD off (manual commits)."""

    # No default: ``null`` must be sent, it is how VAD is turned off.
    turn_detection: TurnDetection | None


@attrs.frozen(kw_only=True)
class TranscriptionSessionUpdated:
    """Client message ``transcription_session.updated``: change the session's VAD settings."""

    session: TranscriptionSessionUpdate
    type: str = "transcription_session.updated"


@attrs.frozen(kw_only=True)
class InputAudioBufferAppend:
    """Client message ``input_audio_buffer.append``: base64 PCM s16le 16 kHz audio."""

    audio: str = attrs.field(validator=non_empty)
    type: str = "input_audio_buffer.append"

    @classmethod
    def of(cls, audio: bytes) -> InputAudioBufferAppend:
        """The message carrying ``audio`` bytes."""
        return cls(audio=base64.b64encode(audio).decode("ascii"))


@attrs.frozen(kw_only=True)
class InputAudioBufferCommit:
    """Client message ``input_audio_buffer.commit``: transcribe what was sent so far."""

    type: str = "input_audio_buffer.commit"


@attrs.frozen(kw_only=True)
class TtsSessionUpdate:
    """New speech session settings."""

    voice: str | None = None


@attrs.frozen(kw_only=True)
class TtsSessionUpdated:
    """Client message ``tts_session.updated``: change the voice."""

    session: TtsSessionUpdate
    type: str = "tts_session.updated"


@attrs.frozen(kw_only=True)
class InputTextBufferAppend:
    """Client message ``input_text_buffer.append``: more text to speak."""

    text: str = attrs.field(validator=non_empty)
    type: str = "input_text_buffer.append"


@attrs.frozen(kw_only=True)
class InputTextBufferClear:
    """Client message ``input_text_buffer.clear``: drop the buffered text."""

    type: str = "input_text_buffer.clear"


@attrs.frozen(kw_only=True)
class InputTextBufferCommit:
    """Client message ``input_text_buffer.commit``: speak whatever is still buffered."""

    type: str = "input_text_buffer.commit"


# --- server events --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RealtimeEvent:
    """A server event of a type this library does not model (its ``type`` is kept)."""

    type: str
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class RealtimeSession:
    """The session a ``session.created`` event describes."""

    id: str | None = None
    object: str | None = None
    modalities: tuple[str, ...] | None = attrs.field(default=None, converter=to_tuple)
    model: str | None = None
    voice: str | None = None


@attrs.frozen(kw_only=True)
class SessionCreated:
    """``session.created``: the first event of every session."""

    session: RealtimeSession
    type: str = "session.created"
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class TranscriptionSessionState:
    """The settings a ``transcription_session.updated`` event confirms."""

    turn_detection: TurnDetection | None = None


@attrs.frozen(kw_only=True)
class TranscriptionSessionConfirmed:
    """Server event ``transcription_session.updated``: the new settings were applied."""

    session: TranscriptionSessionState = TranscriptionSessionState()
    type: str = "transcription_session.updated"
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class TranscriptionDelta:
    """``conversation.item.input_audio_transcription.delta``: partial text."""

    delta: str
    type: str = "conversation.item.input_audio_transcription.delta"
    item_id: str | None = None
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class TranscriptionCompleted:
    """``conversation.item.input_audio_transcription.completed``: a final transcript."""

    transcript: str
    type: str = "conversation.item.input_audio_transcription.completed"
    item_id: str | None = None
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class InputTextReceived:
    """``conversation.item.input_text.received``: the server has the text."""

    text: str = ""
    type: str = "conversation.item.input_text.received"
    event_id: str | None = None


@attrs.frozen(kw_only=True)
class AudioOutputDelta:
    """``conversation.item.audio_output.delta``: base64 raw PCM (s16le, mono, 24 kHz)."""

    delta: str
    type: str = "conversation.item.audio_output.delta"
    item_id: str | None = None
    event_id: str | None = None

    @property
    def audio(self) -> bytes:
        """The decoded audio bytes (raises ``ValueError`` if ``delta`` is not base64)."""
        return _b64(self.delta)


@attrs.frozen(kw_only=True)
class AudioOutputDone:
    """``conversation.item.audio_output.done``: the audio of one item is complete."""

    type: str = "conversation.item.audio_output.done"
    item_id: str | None = None
    event_id: str | None = None


_TRANSCRIPTION_EVENTS: tuple[tuple[str, type], ...] = (
    ("session.created", SessionCreated),
    ("transcription_session.updated", TranscriptionSessionConfirmed),
    ("conversation.item.input_audio_transcription.delta", TranscriptionDelta),
    ("conversation.item.input_audio_transcription.completed", TranscriptionCompleted),
)

_SPEECH_EVENTS: tuple[tuple[str, type], ...] = (
    ("session.created", SessionCreated),
    ("conversation.item.input_text.received", InputTextReceived),
    ("conversation.item.audio_output.delta", AudioOutputDelta),
    ("conversation.item.audio_output.done", AudioOutputDone),
)

TranscriptionServerEvent: TypeAlias = Annotated[
    SessionCreated
    | TranscriptionSessionConfirmed
    | TranscriptionDelta
    | TranscriptionCompleted
    | RealtimeEvent,
    Tagged("type", _TRANSCRIPTION_EVENTS, default=RealtimeEvent),
]

SpeechServerEvent: TypeAlias = Annotated[
    SessionCreated | InputTextReceived | AudioOutputDelta | AudioOutputDone | RealtimeEvent,
    Tagged("type", _SPEECH_EVENTS, default=RealtimeEvent),
]

#: Event types that report a failure: they end a session's event stream as an error.
FAILURE_EVENTS = frozenset(
    {"conversation.item.input_audio_transcription.failed", "conversation.item.tts.failed", "error"}
)


def is_failure_event(payload: Any) -> bool:
    """Whether a decoded JSON message reports a failure."""
    if not isinstance(payload, dict):
        return False
    kind = payload.get("type")
    return kind in FAILURE_EVENTS or (isinstance(kind, str) and kind.endswith(".failed"))
