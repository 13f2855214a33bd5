"""The whole download as a generator of effects: ``Send``, ``Read`` and ``Sleep`` from
:mod:`together_fn.flows`, plus :class:`Write` and :class:`Truncate`.

It asks for the body, resumes with ``Range`` when the connection drops, restarts when the
server ignores the range, and verifies size and digest, deciding each step with
:mod:`together_fn.transfers.download`. The sync and async drivers in
``executors/download.py`` perform the effects and so behave identically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator
from typing import Any, TypeAlias
from urllib.parse import urlsplit

import attrs
from returns.result import Failure, Result, Success

from together_fn.calls import Call
from together_fn.config import ClientConfig, prepare
from together_fn.errors import APIConnectionError, DownloadError, TogetherError, classify
from together_fn.flows import MAX_REDIRECTS, Clock, Read, Send, Sleep, redirect
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead
from together_fn.retry import Retry, decide
from together_fn.transfers.download import (
    Complete,
    Refuse,
    Restart,
    Resume,
    Unsuccessful,
    Verification,
    checked_sha256,
    is_identity,
    parse_content_disposition,
    plan_response,
)


@attrs.frozen
class Write:
    """Append ``data`` to the file; ``done`` bytes are then held, of ``total`` if known."""

    data: bytes
    done: int
    total: int | None


@attrs.frozen
class Truncate:
    """Empty the file: the server is sending it again from the start."""


DownloadEffect: TypeAlias = Send | Read | Sleep | Write | Truncate


@attrs.frozen(kw_only=True)
class Fetched:
    """A download that arrived whole: its size, digest, the name the server suggested."""

    size: int
    sha256: str
    suggested_name: str | None = None
    response: HttpResponseHead | None = None
    resumes: int = 0
    attempts: int = 1


DownloadFlow: TypeAlias = Generator[DownloadEffect, Any, Result[Fetched, TogetherError]]

#: The most of an error body read to classify it.
ERROR_BODY_LIMIT = 64 * 1024


class _State:
    """Book-keeping of one download (never leaves the flow)."""

    def __init__(self, request: HttpRequest, expected_size: int | None) -> None:
        self.request = request
        self.total = expected_size
        self.received = 0
        self.hasher = hashlib.sha256()
        self.resumes = 0
        self.retries = 0
        self.redirects = 0
        self.name: str | None = None
        self.head: HttpResponseHead | None = None
        self.resumable = True

    def restart(self) -> None:
        self.received = 0
        self.hasher = hashlib.sha256()

    def accept(self, plan: Resume | Restart, head: HttpResponseHead) -> None:
        self.total = plan.total
        self.head = head
        if self.name is None:
            self.name = parse_content_disposition(head.header("content-disposition"))
        # A compressed body's offsets are not file offsets: a cut one starts over.
        self.resumable = is_identity(head) and head.header("accept-ranges") != "none"

    def progress(self) -> str:
        of = f" of {self.total}" if self.total is not None else ""
        return f"{self.received}{of} bytes received, {self.resumes} resumes"


def download_flow(
    call: Call[Any],
    config: ClientConfig,
    clock: Clock,
    *,
    expected_size: int | None = None,
    sha256: str | None = None,
    max_resumes: int = 3,
) -> DownloadFlow:
    """Fetch ``call``'s body into a file the driver holds, resuming with ``Range`` when the
    connection drops, restarting when the server ignores the range, then verify it."""
    expected_sha256 = checked_sha256(sha256)
    plain = prepare(call.request, config).with_headers((("accept-encoding", "identity"),))
    state = _State(plain, expected_size)
    started = clock.monotonic()
    while True:
        asked_from = state.received if state.resumable else 0
        sent = state.request
        if asked_from:
            sent = sent.with_headers((("range", f"bytes={asked_from}-"),))
        outcome = yield Send(sent, stream=True)
        if isinstance(outcome, HttpResponseHead):
            following = redirect(state.request, outcome)
            if following is not None and state.redirects < MAX_REDIRECTS:
                state.redirects += 1
                state.request = following
                continue
        plan = (
            plan_response(asked_from, state.received, outcome, state.total)
            if isinstance(outcome, HttpResponseHead)
            else Unsuccessful()
        )
        if isinstance(plan, Unsuccessful):
            failure = yield from _failed(call, config, clock, state, outcome, started)
            if failure is None:
                continue
            return Failure(failure)
        if isinstance(plan, Refuse):
            return Failure(_error(call, plan.reason, state))
        if isinstance(plan, Complete):
            break
        assert isinstance(outcome, HttpResponseHead)  # Resume/Restart come from a head
        if (plan.offset if isinstance(plan, Resume) else 0) < state.received:
            yield Truncate()
            state.restart()
        state.accept(plan, outcome)
        cut = yield from _receive(call, state)
        if cut is None:
            break
        if isinstance(cut, DownloadError) or state.resumes >= max_resumes:
            return Failure(cut if isinstance(cut, DownloadError) else _error(call, cut, state))
        state.resumes += 1
    return _verified(call, state, expected_size, expected_sha256)


def _receive(
    call: Call[Any], state: _State
) -> Generator[DownloadEffect, Any, str | DownloadError | None]:
    """Read the body into the file: ``None`` at its end, or why it was cut short."""
    while True:
        chunk = yield Read()
        whole = state.total is not None and state.received == state.total
        if isinstance(chunk, APIConnectionError):
            return None if whole else f"the connection dropped: {chunk.message}"
        if not chunk:
            return None if whole or state.total is None else "the body ended early"
        if state.total is not None and state.received + len(chunk) > state.total:
            return _error(call, f"the server sent more than the {state.total} bytes due", state)
        state.hasher.update(chunk)
        state.received += len(chunk)
        yield Write(chunk, state.received, state.total)


def _failed(
    call: Call[Any],
    config: ClientConfig,
    clock: Clock,
    state: _State,
    outcome: HttpResponseHead | APIConnectionError,
    started: float,
) -> Generator[DownloadEffect, Any, TogetherError | None]:
    """Retry (``None``) or the error: a connection failure, or the server's refusal."""
    body = b""
    if isinstance(outcome, HttpResponseHead):
        body = yield from _read_capped()
    elapsed = clock.monotonic() - started
    decision = decide(
        config.retry,
        retries_done=state.retries,
        outcome=outcome,
        retryable=call.retryable,
        now=clock.wall(),
        elapsed=elapsed,
        rand=clock.random(),
    )
    if isinstance(decision, Retry):
        yield Sleep(decision.delay)
        state.retries += 1
        return None
    attempts = state.retries + state.resumes + 1
    if isinstance(outcome, APIConnectionError):
        return _error(call, f"the request failed: {outcome.message}", state)
    response = HttpResponse(status=outcome.status, headers=outcome.headers, body=body)
    return classify(response, attempts=attempts, elapsed=elapsed, retry_after=decision.retry_after)


def _read_capped() -> Generator[DownloadEffect, Any, bytes]:
    parts: list[bytes] = []
    size = 0
    while size < ERROR_BODY_LIMIT:
        chunk = yield Read()
        if isinstance(chunk, APIConnectionError) or not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)[:ERROR_BODY_LIMIT]


def _error(call: Call[Any], what: str, state: _State) -> DownloadError:
    # The path only: a query may hold a signature.
    where = urlsplit(call.request.url).path
    return DownloadError(message=f"download of {where}: {what} ({state.progress()})")


def _verified(
    call: Call[Any], state: _State, expected_size: int | None, expected_sha256: str | None
) -> Result[Fetched, TogetherError]:
    check = Verification(
        size=state.received,
        sha256=state.hasher.hexdigest(),
        expected_size=expected_size,
        expected_sha256=expected_sha256,
    )
    if check.problem is not None:
        return Failure(_error(call, check.problem, state))
    return Success(
        Fetched(
            size=check.size,
            sha256=check.sha256,
            suggested_name=state.name,
            response=state.head,
            resumes=state.resumes,
            attempts=state.retries + state.resumes + 1,
        )
    )
