"""An asynchronous transport over ``aiohttp``: pooled keep-alive connections, no policy.

Like the ``requests`` transport it sends exactly what it is given: no redirects followed, no
retries (not even aiohttp's silent re-send of an idempotent request over a dropped
connection), and every library failure becomes an ``APIConnectionError``.
"""

from __future__ import annotations

import asyncio
import functools
import ssl as ssl_module
from collections.abc import AsyncGenerator

import aiohttp

from together_fn.errors import APIConnectionError
from together_fn.executors._bodies import (
    EncodedBody,
    body_to_send,
    connection_error,
    too_large,
)
from together_fn.executors._environment import EnvironmentSettings
from together_fn.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    Timeout,
    new_head,
    new_response,
)

#: Simultaneous connections an owned session opens (aiohttp's own default).
DEFAULT_LIMIT = 100

_DEFAULT_TIMEOUT = Timeout()


class AiohttpTransport:
    """An :class:`~together_fn.executors.AsyncTransport` over an ``aiohttp.ClientSession``.

    Without ``session``, it creates one on first use, inside the running event loop, and
    owns it: :meth:`aclose` closes it. A session passed in is used as it is and left open.
    ``max_response_bytes`` bounds a whole (non-streamed) response body, as in the
    ``requests`` transport.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        trust_env: bool = True,
        limit: int = DEFAULT_LIMIT,
        max_response_bytes: int | None = None,
    ) -> None:
        self.session = session
        self.max_response_bytes = max_response_bytes
        self._owned = session is None
        self._environment = EnvironmentSettings() if trust_env and session is None else None
        self._limit = limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: AsyncGenerator[None, None] | None = None

    async def _new_session(self) -> aiohttp.ClientSession:
        """An owned session for the running loop (there is none yet, or it is closed or
        belongs to a loop that has ended)."""
        loop = asyncio.get_running_loop()
        # The environment was read once, when the transport was made: a trusting session
        # re-reads it (and ``.netrc``) on every request.
        ca_bundle = self._environment.ca_bundle if self._environment else None
        ssl = ssl_module.create_default_context(cafile=ca_bundle) if ca_bundle else True
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._limit, ssl=ssl), trust_env=False
        )
        # Retrying is the flow's decision; without this aiohttp re-sends an idempotent
        # request once, unseen, when its connection drops.
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        # A client made once and used under several asyncio.run() calls (as the official
        # SDK's examples do) gets a session per loop, closed when that loop shuts down:
        # asyncio.run() finalizes every started async generator, this guard among them.
        self.session, self._loop = session, loop
        self._guard = _close_when_loop_ends(session)
        await self._guard.asend(None)
        return session

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and read its whole (decoded) body."""
        response = await self._start(request)
        try:
            if self.max_response_bytes is None:
                body = await response.read()
            else:
                body = await _read_capped(response, request, self.max_response_bytes)
        except _ERRORS as exc:
            response.close()
            raise _body_failure(request, exc) from None
        except APIConnectionError:
            response.close()
            raise
        response.release()
        return new_response(
            # No redirect is followed: the answer comes from the URL asked (spared yarl's str()).
            status=response.status,
            headers=_headers(response),
            body=body,
            url=request.full_url,
        )

    async def aopen(self, request: HttpRequest) -> _AiohttpStream:
        """Send ``request``; return once the head has arrived, the body still to read."""
        return _AiohttpStream(await self._start(request), request)

    async def aclose(self) -> None:
        """Close an owned session and its connections."""
        if self._owned and self.session is not None:
            await self.session.close()
            if self._guard is not None:
                await self._guard.aclose()
                self._guard = None

    async def _start(self, request: HttpRequest) -> aiohttp.ClientResponse:
        # With the Content-Length header set, aiohttp sends a file's chunks unchunked.
        data, headers = body_to_send(request, EncodedBody.achunks)
        timeout = request.timeout or _DEFAULT_TIMEOUT
        url = request.full_url
        try:
            session = self.session
            if session is None or (
                self._owned and (session.closed or self._loop is not asyncio.get_running_loop())
            ):
                session = await self._new_session()
            return await session.request(
                request.method,  # a str already (StrEnum)
                url,
                headers=headers,
                data=data,
                allow_redirects=False,
                proxy=self._environment.proxy_for(url) if self._environment else None,
                timeout=_client_timeout(timeout.connect, timeout.read),
            )
        except _ERRORS as exc:
            raise _send_failure(request, exc, timeout) from None


@functools.lru_cache(maxsize=32)
def _client_timeout(connect: float, read: float) -> aiohttp.ClientTimeout:
    # One per distinct timeout, not one per call.
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


async def _close_when_loop_ends(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


async def _read_capped(response: aiohttp.ClientResponse, request: HttpRequest, limit: int) -> bytes:
    if response.content_length is not None and response.content_length > limit:
        raise too_large(request, f"{response.content_length} bytes announced", limit)
    parts: list[bytes] = []
    total = 0
    while chunk := await response.content.readany():
        total += len(chunk)
        if total > limit:
            raise too_large(request, f"more than {total - len(chunk)} bytes", limit)
        parts.append(chunk)
    return b"".join(parts)


def _headers(response: aiohttp.ClientResponse) -> tuple[tuple[str, str], ...]:
    return tuple([(k.lower(), v) for k, v in response.headers.items()])


def _head(response: aiohttp.ClientResponse) -> HttpResponseHead:
    return new_head(status=response.status, headers=_headers(response), url=str(response.url))


class _AiohttpStream:
    """An open response body; :meth:`aread` returns bytes as soon as any arrive."""

    def __init__(self, response: aiohttp.ClientResponse, request: HttpRequest) -> None:
        self.head = _head(response)
        self._response = response
        self._request = request
        self._ended = False

    async def aread(self) -> bytes:
        """The next chunk (decoded); ``b""`` at the end."""
        if self._ended:
            return b""
        try:
            chunk = await self._response.content.readany()
        except _ERRORS as exc:
            await self.aclose()
            raise _body_failure(self._request, exc) from None
        if not chunk:
            self._ended = True
            self._response.release()
        return chunk

    async def aclose(self) -> None:
        """Release the connection (closed, if the body was not read to its end)."""
        if not self._ended:
            self._ended = True
            self._response.close()


_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError)


def _send_failure(request: HttpRequest, exc: BaseException, timeout: Timeout) -> APIConnectionError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        what = f"no connection within {timeout.connect:g}s"
        return connection_error(request, what, None, request_sent=False, timeout=True)
    if isinstance(exc, asyncio.TimeoutError):
        what = f"no response within {timeout.read:g}s"
        return connection_error(request, what, None, request_sent=True, timeout=True)
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Refused, unreachable, unresolvable or no TLS handshake: nothing was sent.
        return connection_error(request, "could not connect", exc, request_sent=False)
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return connection_error(request, "the request is invalid", exc, request_sent=False)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        what = "the server closed the connection without answering"
        return connection_error(request, what, None, request_sent=True)
    return connection_error(request, "the connection failed", exc, request_sent=True)


def _body_failure(request: HttpRequest, exc: BaseException) -> APIConnectionError:
    if isinstance(exc, asyncio.TimeoutError):
        what = "the response stalled mid-body"
        return connection_error(request, what, None, request_sent=True, timeout=True)
    what = "the connection broke before the body was complete"
    return connection_error(request, what, exc, request_sent=True)
