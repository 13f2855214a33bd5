"""``client.realtime``: the realtime transcription and speech websockets.

``connect_transcription`` / ``connect_speech`` open a session to send to and iterate
(``with``, or ``async with`` on the async client); ``run_session`` sends a list of messages and
collects the events; ``transcribe`` does a whole transcription. ``aiohttp`` is imported when a
session is first opened, not with the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from returns.result import Failure, Result, Success

from together_fn import api
from together_fn.api.realtime import WebSocketCall
from together_fn.config import ClientConfig
from together_fn.errors import TogetherError
from together_fn.models.realtime import (
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    SpeechServerEvent,
    TranscriptionCompleted,
    TranscriptionServerEvent,
)
from together_fn.resources._base import AsyncNamespace, Namespace, unwrap_or_raise

if TYPE_CHECKING:
    from together_fn.executors.websocket import RealtimeSession, SyncRealtimeSession

E = TypeVar("E")
Until = Callable[[Result[E, TogetherError]], bool]


class _HasConfig(Protocol):
    config: ClientConfig


def _config(namespace: Namespace | AsyncNamespace) -> ClientConfig:
    # Both clients keep their config as a public attribute; Runner only promises run/stream.
    return cast(_HasConfig, namespace._client).config


def _ends_transcription(event: Result[Any, TogetherError]) -> bool:
    match event:
        case Success(TranscriptionCompleted()):
            return True
        case Failure(_):
            return True
    return False


def _transcription(
    audio: Iterable[bytes], params: dict[str, Any]
) -> tuple[WebSocketCall[TranscriptionServerEvent], list[object]]:
    # Voice activity detection off: one commit, one final transcript to wait for.
    params.setdefault("turn_detection", "none")
    call = api.realtime.connect_realtime_transcription(**params)
    messages: list[object] = [InputAudioBufferAppend.of(chunk) for chunk in audio if chunk]
    messages.append(InputAudioBufferCommit())
    return call, messages


def _transcript(events: list[Result[Any, TogetherError]]) -> str:
    for event in events:
        match event:
            case Success(TranscriptionCompleted(transcript=transcript)):
                return str(transcript)
            case Failure(error):
                raise error
    raise TogetherError(message="the session ended without a transcript")


class Realtime(Namespace):
    """``client.realtime``."""

    def connect_transcription(self, **params: Any) -> SyncRealtimeSession[TranscriptionServerEvent]:
        """Open a realtime transcription session (raises if the upgrade is refused).

        Parameters are those of :func:`together_fn.api.realtime.connect_realtime_transcription`.
        """
        from together_fn.executors.websocket import connect

        call = api.realtime.connect_realtime_transcription(**params)
        return unwrap_or_raise(connect(call, _config(self)))

    def connect_speech(self, **params: Any) -> SyncRealtimeSession[SpeechServerEvent]:
        """Open a realtime speech session (raises if the upgrade is refused).

        Parameters are those of :func:`together_fn.api.audio.connect_realtime_speech`.
        """
        from together_fn.executors.websocket import connect

        call = api.audio.connect_realtime_speech(**params)
        return unwrap_or_raise(connect(call, _config(self)))

    def run_session(
        self, call: WebSocketCall[E], messages: Iterable[object], *, until: Until[E] | None = None
    ) -> list[Result[E, TogetherError]]:
        """Open ``call``'s session, send ``messages``, return the events until ``until``
        holds for one (or the server closes). Raises if the session cannot be opened."""
        from together_fn.executors.websocket import run_session

        return unwrap_or_raise(run_session(call, _config(self), messages, until=until))

    def transcribe(self, audio: Iterable[bytes], **params: Any) -> str:
        """Transcribe PCM s16le 16 kHz ``audio`` chunks: send them, commit, return the final
        transcript (or raise the error of a failed one).

        Parameters are those of :func:`together_fn.api.realtime.connect_realtime_transcription`;
        voice activity detection is off unless ``turn_detection`` says otherwise.
        """
        call, messages = _transcription(audio, params)
        return _transcript(self.run_session(call, messages, until=_ends_transcription))


class AsyncRealtime(AsyncNamespace):
    """``client.realtime``, awaited."""

    async def connect_transcription(
        self, **params: Any
    ) -> RealtimeSession[TranscriptionServerEvent]:
        """Open a realtime transcription session (raises if the upgrade is refused).

        Parameters are those of :func:`together_fn.api.realtime.connect_realtime_transcription`.
        """
        from together_fn.executors.websocket import aconnect

        call = api.realtime.connect_realtime_transcription(**params)
        return unwrap_or_raise(await aconnect(call, _config(self)))

    async def connect_speech(self, **params: Any) -> RealtimeSession[SpeechServerEvent]:
        """Open a realtime speech session (raises if the upgrade is refused).

        Parameters are those of :func:`together_fn.api.audio.connect_realtime_speech`.
        """
        from together_fn.executors.websocket import aconnect

        call = api.audio.connect_realtime_speech(**params)
        return unwrap_or_raise(await aconnect(call, _config(self)))

    async def run_session(
        self, call: WebSocketCall[E], messages: Iterable[object], *, until: Until[E] | None = None
    ) -> list[Result[E, TogetherError]]:
        """Open ``call``'s session, send ``messages``, return the events until ``until``
        holds for one (or the server closes). Raises if the session cannot be opened."""
        from together_fn.executors.websocket import arun_session

        return unwrap_or_raise(await arun_session(call, _config(self), messages, until=until))

    async def transcribe(self, audio: Iterable[bytes], **params: Any) -> str:
        """Transcribe PCM s16le 16 kHz ``audio`` chunks: send them, commit, return the final
        transcript (or raise the error of a failed one)."""
        call, messages = _transcription(audio, params)
        return _transcript(await self.run_session(call, messages, until=_ends_transcription))
