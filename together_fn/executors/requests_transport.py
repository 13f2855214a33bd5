"""A synchronous transport over ``requests``: pooled keep-alive connections, no policy.

It sends exactly what it is given: no redirects followed (the flow follows them and decides
which headers travel), no retries (``max_retries=0``; the flow retries), no credentials of
its own (no ``.netrc``). Every library failure becomes an ``APIConnectionError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter

from together_fn.errors import APIConnectionError
from together_fn.executors._bodies import (
    CHUNK_SIZE,
    EncodedBody,
    body_to_send,
    connection_error,
    too_large,
)
from together_fn.executors._environment import EnvironmentSettings
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead, Timeout, new_response

#: Connections kept open per host: enough for a thread pool of this size to never wait.
DEFAULT_POOL_SIZE = 32

_DEFAULT_TIMEOUT = Timeout()


class RequestsTransport:
    """A :class:`~together_fn.executors.SyncTransport` over a ``requests.Session``.

    Without ``session``, it creates and owns one, sized for ``pool_maxsize`` concurrent
    requests per host, reading proxy settings from the environment when ``trust_env``. A
    session passed in keeps its own settings and is left open by :meth:`close`.
    ``max_response_bytes`` bounds a whole (non-streamed) response body: a longer one fails
    with :class:`~together_fn.errors.ResponseTooLargeError` instead of filling memory.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        trust_env: bool = True,
        pool_maxsize: int = DEFAULT_POOL_SIZE,
        max_response_bytes: int | None = None,
    ) -> None:
        self._owned = session is None
        self.max_response_bytes = max_response_bytes
        self._environment: EnvironmentSettings | None = None
        if session is None:
            session = requests.Session()
            # The environment is read here, once: a trusting session re-reads it (and
            # ``.netrc``) on every request.
            session.trust_env = False
            if trust_env:
                self._environment = EnvironmentSettings()
                session.verify = self._environment.ca_bundle or True
            adapter = HTTPAdapter(pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and read its whole (decoded) body."""
        response = self._start(request)
        try:
            if self.max_response_bytes is None:
                body = response.raw.read(decode_content=True)
            else:
                body = _read_capped(response, request, self.max_response_bytes)
        except _BODY_ERRORS as exc:
            raise _body_failure(request, exc) from None
        finally:
            response.close()
        head = _head(response)
        return new_response(status=head.status, headers=head.headers, body=body, url=head.url)

    def open(self, request: HttpRequest) -> _RequestsStream:
        """Send ``request``; return once the head has arrived, the body still to read."""
        return _RequestsStream(self._start(request), request)

    def close(self) -> None:
        """Close the pooled connections of an owned session."""
        if self._owned:
            self.session.close()

    def __del__(self) -> None:
        # A client dropped without close() (as most SDK examples do) must not leave its
        # pooled sockets to the garbage collector's ResourceWarnings.
        if getattr(self, "_owned", False):
            self.session.close()

    def _start(self, request: HttpRequest) -> requests.Response:
        data, headers = body_to_send(request, _SizedChunks)
        timeout = request.timeout or _DEFAULT_TIMEOUT
        url = request.full_url
        try:
            return self.session.request(
                request.method.value,
                url,
                headers=headers,
                data=data,
                timeout=(timeout.connect, timeout.read),
                proxies=self._proxies(url),
                allow_redirects=False,
                stream=True,
                auth=_headers_only,
            )
        except (requests.RequestException, u3.HTTPError, OSError, ValueError) as exc:
            raise _send_failure(request, exc, timeout) from None

    def _proxies(self, url: str) -> dict[str, str] | None:
        proxy = self._environment.proxy_for(url) if self._environment else None
        return None if proxy is None else {url.split(":", 1)[0]: proxy}


def _headers_only(prepared: requests.PreparedRequest) -> requests.PreparedRequest:
    # Passing an auth callable keeps requests from adding ``.netrc`` credentials: the
    # prepared request's headers are the only ones that may travel.
    return prepared


class _SizedChunks:
    """An iterable body with a known length, so requests sends Content-Length, not chunks."""

    def __init__(self, body: EncodedBody) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        return self._body.chunks()

    def __len__(self) -> int:
        return self._body.length


def _read_capped(response: requests.Response, request: HttpRequest, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(request, f"{declared} bytes announced", limit)
    parts: list[bytes] = []
    total = 0
    for chunk in response.raw.stream(CHUNK_SIZE, decode_content=True):
        total += len(chunk)
        if total > limit:
            raise too_large(request, f"more than {total - len(chunk)} bytes", limit)
        parts.append(chunk)
    return b"".join(parts)


def _head(response: requests.Response) -> HttpResponseHead:
    # The raw headers keep repeated fields (Set-Cookie, say) as separate pairs.
    headers = tuple((str(k).lower(), str(v)) for k, v in response.raw.headers.items())
    return HttpResponseHead(status=response.status_code, headers=headers, url=response.url)


class _RequestsStream:
    """An open response body; :meth:`read` returns bytes as soon as any arrive."""

    def __init__(self, response: requests.Response, request: HttpRequest) -> None:
        self.head = _head(response)
        self._response = response
        self._request = request
        self._ended = False
        raw: Any = response.raw
        # ``read1`` (urllib3 2) returns what has arrived; older urllib3 can only stream by
        # chunk of the chunked encoding, which is how event streams are sent.
        self._pieces: Iterator[bytes] | None = (
            None if hasattr(raw, "read1") else raw.stream(CHUNK_SIZE, decode_content=True)
        )

    def read(self) -> bytes:
        """The next chunk (decoded); ``b""`` at the end."""
        if self._ended:
            return b""
        raw: Any = self._response.raw
        try:
            if self._pieces is None:
                chunk: bytes = raw.read1(CHUNK_SIZE, decode_content=True)
            else:
                chunk = next(self._pieces, b"")
        except _BODY_ERRORS as exc:
            self._ended = True
            self._response.close()
            raise _body_failure(self._request, exc) from None
        if not chunk:
            self._ended = True
        return chunk

    def close(self) -> None:
        """Release the connection (closed, if the body was not read to its end)."""
        self._ended = True
        self._response.close()


_BODY_ERRORS = (requests.RequestException, u3.HTTPError, OSError, ValueError)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it wraps (requests wraps urllib3, which wraps socket errors)."""
    found = [exc]
    for _ in range(6):
        current = found[-1]
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in current.args if isinstance(a, BaseException)), None)
        if inner is None or inner in found:
            break
        found.append(inner)
    return found


def _send_failure(request: HttpRequest, exc: BaseException, timeout: Timeout) -> APIConnectionError:
    chain = _chain(exc)
    root = chain[-1]
    if isinstance(exc, requests.ConnectTimeout):
        what = f"no connection within {timeout.connect:g}s"
        return connection_error(request, what, None, request_sent=False, timeout=True)
    if isinstance(exc, requests.ReadTimeout) or any(
        isinstance(e, u3.ReadTimeoutError) for e in chain
    ):
        what = f"no response within {timeout.read:g}s"
        return connection_error(request, what, None, request_sent=True, timeout=True)
    if any(isinstance(e, u3.NewConnectionError) for e in chain):
        # Refused, unreachable or unresolvable: no connection, so nothing was sent.
        return connection_error(request, "could not connect", root, request_sent=False)
    if isinstance(exc, ValueError | requests.exceptions.InvalidURL | requests.URLRequired):
        return connection_error(request, "the request is invalid", root, request_sent=False)
    return connection_error(request, "the connection failed", root, request_sent=True)


def _body_failure(request: HttpRequest, exc: BaseException) -> APIConnectionError:
    chain = _chain(exc)
    if any(isinstance(e, u3.ReadTimeoutError | TimeoutError) for e in chain):
        what = "the response stalled mid-body"
        return connection_error(request, what, None, request_sent=True, timeout=True)
    if any(isinstance(e, u3.DecodeError) for e in chain):
        return connection_error(request, "could not decode the body", chain[-1], request_sent=True)
    what = "the connection broke before the body was complete"
    return connection_error(request, what, chain[-1], request_sent=True)
