"""Builders for ``/tci`` (the code interpreter)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
)
from together_fn.calls import Call
from together_fn.models.tci import (
    ExecuteFile,
    ExecuteRequest,
    ExecuteResponse,
    Language,
    SessionListResponse,
)


@operation("POST", "/tci/execute")
def execute_code(
    *,
    code: str,
    language: Language = "python",
    session_id: str | None = None,
    files: Iterable[ExecuteFile | Mapping[str, Any]] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[ExecuteResponse]:
    """The Call that runs ``code`` in a new session, or in ``session_id``'s (its variables,
    packages and files persist between runs). ``files`` are created before the code runs.

    Not retried once sent: running code twice could repeat its side effects.

    >>> call = execute_code(code="print(1)")
    >>> call.request.body.json(), call.retryable
    ({'code': 'print(1)', 'language': 'python'}, False)
    """
    body = ExecuteRequest(
        code=code,
        language=language,
        session_id=session_id,
        files=files,
    )
    return json_call("POST /tci/execute", ExecuteResponse, body, retryable=False, options=options)


@operation("GET", "/tci/sessions")
def list_sessions(*, options: RequestOptions = NO_OPTIONS) -> Call[SessionListResponse]:
    """The Call that lists your active code interpreter sessions.

    >>> list_sessions().request.url
    '/tci/sessions'
    """
    return bodiless_call("GET /tci/sessions", SessionListResponse, "/tci/sessions", options=options)
