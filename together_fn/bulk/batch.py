"""Reading the Batch API's output and error files into the runner's result lines.

Each line of those files names its request by ``custom_id``; a success carries
``{"response": {"status_code": 200, "body": {...}}}``, a failure a non-2xx ``response``
and/or an ``error`` object (``{"message", "type"/"code"}``, or a bare string). Shapes vary,
so reading is tolerant: anything with a ``custom_id`` becomes a result line.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from together_fn.bulk.results import ERROR, OK, ResultError, ResultLine


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _status(response: dict[str, Any]) -> int | None:
    for key in ("status_code", "status"):
        value = response.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _error_fields(value: object) -> tuple[str | None, str | None]:
    """(type, message) of an error object, a bare string, or a body holding ``error``."""
    if isinstance(value, str):
        return None, value
    if not isinstance(value, dict):
        return None, None
    if "error" in value and not ({"message", "type", "code"} & value.keys()):
        return _error_fields(value["error"])
    kind = _text(value.get("type")) or _text(value.get("code"))
    if isinstance(value.get("code"), int):
        kind = kind or str(value["code"])
    return kind, _text(value.get("message"))


def parse_batch_line(data: bytes | str) -> ResultLine | None:
    """One line of a batch output or error file as a result line (``None``: not a request's
    line). ``attempts`` is 1 and the timings are unknown: the batch ran them."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not _text(value.get("custom_id")):
        return None
    custom_id: str = value["custom_id"]
    response = value.get("response")
    response = response if isinstance(response, dict) else {}
    status = _status(response)
    body = response.get("body")
    if isinstance(body, str):  # some writers keep the body as the text they received
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    failed = value.get("error") not in (None, "", {})
    if not failed and body is not None and (status is None or 200 <= status < 300):
        return ResultLine(custom_id=custom_id, status=OK, response=body)
    kind, message = _error_fields(value.get("error"))
    if message is None:
        kind, message = _error_fields(body)
    return ResultLine(
        custom_id=custom_id,
        status=ERROR,
        error=ResultError(
            status=status,
            type=kind or "batch_error",
            message=message or "the batch did not answer this request",
            request_id=_text(response.get("request_id")),
        ),
    )
