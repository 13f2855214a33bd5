"""Transports that answer from a cassette, or record one, in vcrpy's v1 format.

:class:`ReplayTransport` serves recorded responses without a network; :class:`RecordingTransport`
sends through another transport and writes what it saw, so that vcrpy and pytest-recording can
replay the same files. Both implement the sync and the async transport protocols.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast, get_args

from together_fn._version import __version__
from together_fn.executors.base import AsyncTransport, SyncTransport
from together_fn.executors.cassette import (
    Cassette,
    CassetteError,
    Interaction,
    decode_content,
    load_cassette,
    recorded_request,
    recorded_response,
    save_cassette,
    scrubbed,
    secrets_of,
)
from together_fn.executors.matching import choose, differences, no_match
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead, origin

__all__ = [
    "CassetteError",
    "RecordMode",
    "RecordingTransport",
    "ReplayStream",
    "ReplayTransport",
    "load_cassette",
    "save_cassette",
]

RecordMode = Literal["once", "new_episodes", "all", "none"]


def response_of(interaction: Interaction, url: str) -> HttpResponse:
    """The recorded response as the transports return one: decoded body, lowercase names."""
    recorded = interaction.response
    headers, body = decode_content(
        tuple((k.lower(), v) for k, v in recorded.headers), recorded.body
    )
    return HttpResponse(status=recorded.status, headers=headers, body=body, url=url)


class ReplayStream:
    """A recorded body read back in ``chunk_size`` pieces (``None``: all at once)."""

    head: HttpResponseHead

    def __init__(self, response: HttpResponse, chunk_size: int | None = None) -> None:
        self.head = response.head
        self._body = response.body
        self._chunk_size = chunk_size or len(response.body) or 1
        self._position = 0
        self.closed = False

    def read(self) -> bytes:
        """The next piece; ``b""`` at the end or once closed."""
        if self.closed:
            return b""
        start = self._position
        self._position = min(len(self._body), start + self._chunk_size)
        return self._body[start : self._position]

    def close(self) -> None:
        """Stop reading."""
        self.closed = True

    async def aread(self) -> bytes:
        """:meth:`read`, for the async protocol."""
        return self.read()

    async def aclose(self) -> None:
        """:meth:`close`, for the async protocol."""
        self.close()


class ReplayTransport:
    """Answers requests from a cassette; a sync and async transport without a network.

    Each recorded interaction is played once, in order among those matching a request,
    unless ``allow_playback_repeats``. A request with no recording raises
    :class:`CassetteError` naming the closest recorded request. Streams are served in
    ``chunk_size`` pieces (``None``: the whole body at once; ``1``: byte by byte).
    """

    def __init__(
        self,
        path_or_cassette: str | os.PathLike[str] | Cassette,
        *,
        chunk_size: int | None = None,
        allow_playback_repeats: bool = False,
    ) -> None:
        if chunk_size is not None and chunk_size < 1:
            raise ValueError("chunk_size must be at least 1, or None for the whole body")
        if isinstance(path_or_cassette, Cassette):
            self.cassette = path_or_cassette
        else:
            self.cassette = load_cassette(path_or_cassette)
        self.chunk_size = chunk_size
        self.allow_playback_repeats = allow_playback_repeats
        self._plays = [0] * len(self.cassette.interactions)
        self._lock = threading.Lock()

    @property
    def play_counts(self) -> tuple[int, ...]:
        """How often each interaction has been played."""
        return tuple(self._plays)

    @property
    def unplayed(self) -> tuple[Interaction, ...]:
        """The interactions not played yet (a test may want none left)."""
        return tuple(
            i for i, n in zip(self.cassette.interactions, self._plays, strict=True) if n == 0
        )

    def lookup(self, request: HttpRequest) -> HttpResponse | None:
        """The recorded response for ``request``, marked as played; ``None`` if there is none."""
        with self._lock:
            index = choose(self.cassette, self._plays, request, repeats=self.allow_playback_repeats)
            if index is None:
                return None
            self._plays[index] += 1
        return response_of(self.cassette.interactions[index], request.full_url)

    def miss(self, request: HttpRequest, hint: str = "") -> CassetteError:
        """The error for a request this cassette does not answer."""
        with self._lock:
            return no_match(self.cassette, self._plays, request, hint)

    def respond(self, request: HttpRequest) -> HttpResponse:
        """The recorded response for ``request``; raises :class:`CassetteError` if none."""
        response = self.lookup(request)
        if response is None:
            raise self.miss(request)
        return response

    def send(self, request: HttpRequest) -> HttpResponse:
        """The recorded response."""
        return self.respond(request)

    def open(self, request: HttpRequest) -> ReplayStream:
        """The recorded response as a stream."""
        return ReplayStream(self.respond(request), self.chunk_size)

    def close(self) -> None:
        """Nothing to release."""

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """The recorded response."""
        return self.respond(request)

    async def aopen(self, request: HttpRequest) -> ReplayStream:
        """The recorded response as a stream."""
        return ReplayStream(self.respond(request), self.chunk_size)

    async def aclose(self) -> None:
        """Nothing to release."""


# --- recording ----------------------------------------------------------------------------


class _RecordingStream:
    """Passes the inner stream's chunks through as they arrive; records the body on close."""

    def __init__(self, inner: Any, done: Callable[[HttpResponseHead, bytes], None]) -> None:
        self._inner = inner
        self.head: HttpResponseHead = inner.head
        self._done = done
        self._chunks: list[bytes] = []
        self._recorded = False

    def _finish(self) -> None:
        if not self._recorded:
            self._recorded = True
            self._done(self.head, b"".join(self._chunks))

    def read(self) -> bytes:
        chunk: bytes = self._inner.read()
        self._chunks.append(chunk)
        return chunk

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._finish()

    async def aread(self) -> bytes:
        chunk: bytes = await self._inner.aread()
        self._chunks.append(chunk)
        return chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._finish()


class RecordingTransport:
    """Sends through ``inner`` (sync or async) and records each exchange into ``path``.

    Modes follow vcrpy: ``"once"`` records into a new cassette and only replays an existing
    one; ``"new_episodes"`` replays what is recorded and records the rest; ``"all"`` always
    sends, replacing recordings of the same requests; ``"none"`` only replays. The cassette is
    saved after every recorded exchange. Secret headers are never recorded, and a secret value
    seen in a request is blotted out wherever else it appears (a server echoing it, say).
    """

    def __init__(
        self,
        inner: SyncTransport | AsyncTransport,
        path: str | os.PathLike[str],
        *,
        mode: RecordMode = "once",
        against: str | None = None,
    ) -> None:
        if mode not in get_args(RecordMode):
            raise ValueError(f"mode must be one of {get_args(RecordMode)}, got {mode!r}")
        self.inner = inner
        self.path = Path(path)
        self.mode = mode
        self.against = against
        self._loaded = load_cassette(self.path) if self.path.exists() else None
        if mode == "none" and self._loaded is None:
            raise CassetteError(
                message=f"no cassette at {self.path}, and mode 'none' never records",
                cassette=str(self.path),
            )
        replays = self._loaded is not None and mode != "all"
        self._replay = (
            ReplayTransport(self._loaded) if self._loaded is not None and replays else None
        )
        self._records = mode in ("new_episodes", "all") or (mode == "once" and self._loaded is None)
        self._sent: list[HttpRequest] = []
        self._recorded: list[Interaction] = []
        self._secrets: set[str] = set()
        self._day = datetime.datetime.now(datetime.UTC).date().isoformat()
        self._lock = threading.Lock()

    @property
    def recorded(self) -> tuple[Interaction, ...]:
        """The interactions recorded by this transport so far."""
        return tuple(self._recorded)

    def cassette(self) -> Cassette:
        """What is saved: the loaded interactions still valid, then the new ones."""
        kept = self._loaded.interactions if self._loaded is not None else ()
        if self.mode == "all":
            kept = tuple(
                old for old in kept if all(differences(sent, old.request) for sent in self._sent)
            )
        comments = self._loaded.comments if self._loaded is not None and kept else ()
        if self._recorded:
            line = self._provenance()
            comments = comments if line in comments else (*comments, line)
        return Cassette(
            interactions=kept + tuple(self._recorded), comments=comments, source=str(self.path)
        )

    def _provenance(self) -> str:
        origins = sorted({origin_text(i.request.uri) for i in self._recorded})
        against = self.against or ", ".join(origins)
        return f"recorded by together_fn {__version__} against {against} on {self._day}"

    def _replayed(self, request: HttpRequest) -> HttpResponse | None:
        if self._replay is None:
            return None
        response = self._replay.lookup(request)
        if response is None and not self._records:
            hint = (
                f"mode {self.mode!r} does not record into an existing cassette: use "
                "mode='new_episodes' to add to it, or mode='all' to re-record it"
                if self.mode == "once"
                else "mode 'none' never records"
            )
            raise self._replay.miss(request, hint)
        return response

    def _keep(self, request: HttpRequest, head: HttpResponseHead, body: bytes) -> None:
        interaction = Interaction(
            request=recorded_request(request), response=recorded_response(head, body)
        )
        with self._lock:
            self._secrets.update(secrets_of(request))
            self._sent.append(request)
            self._recorded.append(interaction)
            # Every secret seen so far, from every recording: a later request may use another key.
            self._recorded = [scrubbed(i, self._secrets) for i in self._recorded]
            save_cassette(self.cassette(), self.path)

    def _sync(self) -> SyncTransport:
        if not callable(getattr(self.inner, "send", None)):
            raise TypeError(f"{type(self.inner).__name__} is async: use asend() and aopen()")
        return cast(SyncTransport, self.inner)

    def _async(self) -> AsyncTransport:
        if not callable(getattr(self.inner, "asend", None)):
            raise TypeError(f"{type(self.inner).__name__} is sync: use send() and open()")
        return cast(AsyncTransport, self.inner)

    def send(self, request: HttpRequest) -> HttpResponse:
        """A replayed response, or the inner transport's, recorded."""
        played = self._replayed(request)
        if played is not None:
            return played
        response = self._sync().send(request)
        self._keep(request, response.head, response.body)
        return response

    def open(self, request: HttpRequest) -> ReplayStream | _RecordingStream:
        """A replayed stream, or the inner transport's, recorded when closed."""
        played = self._replayed(request)
        if played is not None:
            return ReplayStream(played)
        stream = self._sync().open(request)
        return _RecordingStream(stream, lambda head, body: self._keep(request, head, body))

    def close(self) -> None:
        """Close the inner transport."""
        self._sync().close()

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """A replayed response, or the inner transport's, recorded."""
        played = self._replayed(request)
        if played is not None:
            return played
        response = await self._async().asend(request)
        self._keep(request, response.head, response.body)
        return response

    async def aopen(self, request: HttpRequest) -> ReplayStream | _RecordingStream:
        """A replayed stream, or the inner transport's, recorded when closed."""
        played = self._replayed(request)
        if played is not None:
            return ReplayStream(played)
        stream = await self._async().aopen(request)
        return _RecordingStream(stream, lambda head, body: self._keep(request, head, body))

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._async().aclose()


def origin_text(uri: str) -> str:
    """``scheme://host:port`` of a URL, for provenance lines."""
    scheme, host, port = origin(uri)
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")
