"""``client.audio``: speech (bytes, a file, or streamed chunks), transcriptions, translations
and voices; ``client.voices`` too."""

from __future__ import annotations

import os
from typing import Any, Protocol, cast

from together_fn import api
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.download import DownloadedFile, adownload, download
from together_fn.models.audio import AudioSpeechStreamChunk
from together_fn.resources._base import (
    AsyncChunkStream,
    AsyncNamespace,
    AsyncRunner,
    ChunkStream,
    Namespace,
    Runner,
    async_method,
    sync_method,
    unwrap_or_raise,
)


class _HasExecutor(Protocol):
    executor: Executor


class _HasAsyncExecutor(Protocol):
    executor: AsyncExecutor


class Speech(Namespace):
    """``client.audio.speech``."""

    def create(
        self,
        *,
        stream: bool = False,
        output: str | os.PathLike[str] | None = None,
        overwrite: bool = True,
        **params: Any,
    ) -> bytes | DownloadedFile | ChunkStream[AudioSpeechStreamChunk]:
        """Speak ``input``: the audio bytes; with ``output=path``, the audio written to that
        file with bounded memory (a :class:`DownloadedFile`); with ``stream=True``, chunks of
        base64 raw audio as they are made.

        Parameters are those of :func:`together_fn.api.audio.create_speech`.
        """
        if stream:
            if output is not None:
                raise ValueError("output= saves a whole file; it cannot be combined with stream")
            return self._client.stream(api.audio.stream_speech(**params))
        call = api.audio.create_speech(**params)
        if output is None:
            return self._client.run(call)
        executor = cast(_HasExecutor, self._client).executor
        # A speech is made anew for every request: a cut answer is not resumed but failed.
        return unwrap_or_raise(download(executor, call, output, overwrite=overwrite, max_resumes=0))


class AsyncSpeech(AsyncNamespace):
    """``client.audio.speech``, awaited."""

    async def create(
        self,
        *,
        stream: bool = False,
        output: str | os.PathLike[str] | None = None,
        overwrite: bool = True,
        **params: Any,
    ) -> bytes | DownloadedFile | AsyncChunkStream[AudioSpeechStreamChunk]:
        """Speak ``input``: the audio bytes, the file ``output``, or (``stream=True``) its
        chunks to iterate with ``async for``.

        Parameters are those of :func:`together_fn.api.audio.create_speech`.
        """
        if stream:
            if output is not None:
                raise ValueError("output= saves a whole file; it cannot be combined with stream")
            return self._client.stream(api.audio.stream_speech(**params))
        call = api.audio.create_speech(**params)
        if output is None:
            return await self._client.run(call)
        executor = cast(_HasAsyncExecutor, self._client).executor
        return unwrap_or_raise(
            await adownload(executor, call, output, overwrite=overwrite, max_resumes=0)
        )


class Transcriptions(Namespace):
    """``client.audio.transcriptions``."""

    create = sync_method(api.audio.create_transcription)


class AsyncTranscriptions(AsyncNamespace):
    """``client.audio.transcriptions``, awaited."""

    create = async_method(api.audio.create_transcription)


class Translations(Namespace):
    """``client.audio.translations``."""

    create = sync_method(api.audio.create_translation)


class AsyncTranslations(AsyncNamespace):
    """``client.audio.translations``, awaited."""

    create = async_method(api.audio.create_translation)


class Voices(Namespace):
    """``client.audio.voices`` (also ``client.voices``)."""

    list = sync_method(api.voices.list_voices)


class AsyncVoices(AsyncNamespace):
    """``client.audio.voices`` (also ``client.voices``), awaited."""

    list = async_method(api.voices.list_voices)


class Audio(Namespace):
    """``client.audio``."""

    def __init__(self, client: Runner) -> None:
        super().__init__(client)
        self.speech = Speech(client)
        self.transcriptions = Transcriptions(client)
        self.translations = Translations(client)
        self.voices = Voices(client)


class AsyncAudio(AsyncNamespace):
    """``client.audio``, awaited."""

    def __init__(self, client: AsyncRunner) -> None:
        super().__init__(client)
        self.speech = AsyncSpeech(client)
        self.transcriptions = AsyncTranscriptions(client)
        self.translations = AsyncTranslations(client)
        self.voices = AsyncVoices(client)
