"""``FakeTransport``: a sync and async transport answering from canned responses, in memory."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from together_fn.executors.replay import ReplayStream
from together_fn.http import HttpRequest, HttpResponse

#: A canned answer: one response (given every time), several (one per request, in order),
#: or a function of the request.
Answer = HttpResponse | Sequence[HttpResponse] | Callable[[HttpRequest], HttpResponse]


class UnexpectedRequest(AssertionError):  # noqa: N818 - reads as what it is in a failing test
    """A request no route answers (or a route that has given all its answers)."""


class FakeTransport:
    """Answers requests by route, in memory; records every request it receives.

    Routes are ``"METHOD /path"`` with the path relative to the API's base URL (matched
    against the end of the request's path, so any base URL works), or just ``"/path"`` for
    every method::

        transport = FakeTransport({
            "POST /chat/completions": [error(429, retry_after=0), chat_completion("Hi")],
            "GET /models": json_response([]),
        })

    A sequence answers one request per item, in order, and then fails the test with
    :class:`UnexpectedRequest`, as does a request no route matches. Streams are served in
    ``chunk_size`` pieces (``None``: the whole body at once; ``1``: byte by byte).
    """

    def __init__(self, routes: Mapping[str, Answer], *, chunk_size: int | None = None) -> None:
        self._routes = {_route_key(key): answer for key, answer in routes.items()}
        self._served: dict[tuple[str | None, str], int] = dict.fromkeys(self._routes, 0)
        self.chunk_size = chunk_size
        self.requests: list[HttpRequest] = []
        self._lock = threading.Lock()

    def requests_to(self, route: str) -> list[HttpRequest]:
        """The requests a route (``"METHOD /path"`` or ``"/path"``) has answered, in order."""
        method, path = _route_key(route)
        return [r for r in self.requests if _matches(method, path, r)]

    def respond(self, request: HttpRequest) -> HttpResponse:
        """The answer to ``request`` (and count it as served)."""
        with self._lock:
            self.requests.append(request)
            for key, answer in self._routes.items():
                if _matches(*key, request):
                    served = self._served[key]
                    self._served[key] = served + 1
                    return _answer(answer, served, key, request)
        raise UnexpectedRequest(
            f"no fake answer for {request.method.value} {urlsplit(request.url).path}; "
            f"routes: {', '.join(_show(k) for k in self._routes) or 'none'}"
        )

    def send(self, request: HttpRequest) -> HttpResponse:
        return self.respond(request)

    def open(self, request: HttpRequest) -> ReplayStream:
        return ReplayStream(self.respond(request), self.chunk_size)

    def close(self) -> None:
        """Nothing to release."""

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.respond(request)

    async def aopen(self, request: HttpRequest) -> ReplayStream:
        return ReplayStream(self.respond(request), self.chunk_size)

    async def aclose(self) -> None:
        """Nothing to release."""


def _route_key(route: str) -> tuple[str | None, str]:
    method, _, path = route.strip().rpartition(" ")
    if not path.startswith("/"):
        raise ValueError(f"a route is 'METHOD /path' or '/path', got {route!r}")
    return (method.upper() or None, path.rstrip("/") or "/")


def _matches(method: str | None, path: str, request: HttpRequest) -> bool:
    if method is not None and request.method.value != method:
        return False
    return urlsplit(request.url).path.rstrip("/").endswith(path)


def _answer(
    answer: Answer, served: int, key: tuple[str | None, str], request: HttpRequest
) -> HttpResponse:
    if isinstance(answer, HttpResponse):
        return answer
    if callable(answer):
        return answer(request)
    if served < len(answer):
        return answer[served]
    raise UnexpectedRequest(f"{_show(key)} has given all its {len(answer)} answers")


def _show(key: tuple[str | None, str]) -> str:
    method, path = key
    return f"{method} {path}" if method else path
