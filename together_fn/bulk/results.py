"""Result lines: one JSON object per request, keyed by the input's ``custom_id``.

    {"custom_id": "q-1", "status": "ok", "response": {...}, "attempts": 1,
     "elapsed": 0.41, "started_at": 1732370000.1, "waited": 0.0}
    {"custom_id": "q-2", "status": "error", "error": {"status": 400, "type":
     "invalid_request_error", "message": "...", "request_id": "..."}, "attempts": 1, ...}

``response`` is the JSON the server answered, as it answered it. ``elapsed`` covers every
attempt and wait of the retry policy; ``waited`` is the time the rate governor held the
request back. A line is complete only with its newline: anything else is a torn write.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs
from returns.result import Failure, Success

from together_fn.calls import Exchange
from together_fn.codec import dumps
from together_fn.errors import TogetherError

OK: Literal["ok"] = "ok"
ERROR: Literal["error"] = "error"


@attrs.frozen(kw_only=True)
class ResultError:
    """Why a request failed: the HTTP status (``None`` if no answer), the error type, the
    server's message and the request id."""

    status: int | None = None
    type: str | None = None
    message: str = ""
    request_id: str | None = None


@attrs.frozen(kw_only=True)
class ResultLine:
    """The outcome of one request. ``status`` is ``"ok"`` or ``"error"``."""

    custom_id: str
    status: str
    response: Any = None
    error: ResultError | None = None
    attempts: int = 1
    elapsed: float = 0.0
    started_at: float | None = None
    waited: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the request succeeded."""
        return self.status == OK


def error_of(error: TogetherError, request_id: str | None = None) -> ResultError:
    """The fields of an error that a result line keeps."""
    status = getattr(error, "status", None)
    kind = getattr(error, "type", None)
    return ResultError(
        status=status if isinstance(status, int) else None,
        type=kind if isinstance(kind, str) and kind else type(error).__name__,
        message=error.message or str(error),
        request_id=getattr(error, "request_id", None) or request_id,
    )


def result_of(
    custom_id: str, exchange: Exchange[Any], *, started_at: float | None = None, waited: float = 0
) -> ResultLine:
    """The result line of a finished exchange."""
    common: dict[str, Any] = {
        "custom_id": custom_id,
        "attempts": exchange.attempts,
        "elapsed": round(exchange.elapsed, 6),
        "started_at": started_at,
        "waited": round(waited, 6),
    }
    match exchange.result:
        case Success(value):
            return ResultLine(status=OK, response=value, **common)
        case Failure(error):
            return ResultLine(status=ERROR, error=error_of(error, exchange.request_id), **common)
    raise TypeError(f"not a Result: {exchange.result!r}")  # pragma: no cover


def encode_result(line: ResultLine) -> bytes:
    """One complete line (newline included): what a single ``write`` appends."""
    data: dict[str, Any] = {"custom_id": line.custom_id, "status": line.status}
    if line.ok:
        data["response"] = line.response
    else:
        error = line.error or ResultError()
        data["error"] = {
            "status": error.status,
            "type": error.type,
            "message": error.message,
            "request_id": error.request_id,
        }
    data["attempts"] = line.attempts
    data["elapsed"] = line.elapsed
    if line.started_at is not None:
        data["started_at"] = line.started_at
    data["waited"] = line.waited
    # JSON escapes every newline inside strings: the only one is the terminator.
    return dumps(data, allow_nan=True).encode() + b"\n"


def encode_answer(
    custom_id: str,
    body: bytes,
    *,
    attempts: int = 1,
    elapsed: float = 0.0,
    started_at: float | None = None,
    waited: float = 0.0,
) -> bytes:
    """The ``ok`` line of a response ``body`` already known to be valid JSON, the same line
    as :func:`encode_result` writes. A body on one line is spliced in as it came, unencoded:
    the server's bytes are what the output keeps."""
    if b"\n" in body or b"\r" in body:
        return encode_result(
            ResultLine(
                custom_id=custom_id,
                status=OK,
                response=json.loads(body),
                attempts=attempts,
                elapsed=elapsed,
                started_at=started_at,
                waited=waited,
            )
        )
    started = f',"started_at":{float(started_at)!r}' if started_at is not None else ""
    return b"".join(
        (
            b'{"custom_id":',
            dumps(custom_id).encode(),
            b',"status":"ok","response":',
            body.strip(),
            f',"attempts":{int(attempts)},"elapsed":{float(elapsed)!r}{started},'
            f'"waited":{float(waited)!r}}}\n'.encode(),
        )
    )


def _error_from(value: object) -> ResultError:
    if not isinstance(value, dict):
        return ResultError(message=str(value))
    status = value.get("status")
    return ResultError(
        status=status if isinstance(status, int) else None,
        type=value.get("type") if isinstance(value.get("type"), str) else None,
        message=str(value.get("message") or ""),
        request_id=value.get("request_id") if isinstance(value.get("request_id"), str) else None,
    )


def parse_result(data: bytes | str) -> ResultLine | None:
    """Read one output line back; ``None`` if it is not a complete result line."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    custom_id, status = value.get("custom_id"), value.get("status")
    if not isinstance(custom_id, str) or status not in (OK, ERROR):
        return None
    attempts = value.get("attempts")
    elapsed = value.get("elapsed")
    started = value.get("started_at")
    waited = value.get("waited")
    return ResultLine(
        custom_id=custom_id,
        status=status,
        response=value.get("response") if status == OK else None,
        error=_error_from(value.get("error")) if status == ERROR else None,
        attempts=attempts if isinstance(attempts, int) else 1,
        elapsed=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
        started_at=float(started) if isinstance(started, int | float) else None,
        waited=float(waited) if isinstance(waited, int | float) else 0.0,
    )
