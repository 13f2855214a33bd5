"""Pure rendering for the command line: tables, JSON, requests and error lines."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl

from together_fn.codec import unstructure
from together_fn.http import (
    HttpRequest,
    JsonBody,
    MultipartBody,
    NoBody,
    RawBody,
    header,
    redact_headers,
    redact_json,
)

#: Form bodies are shown field by field.
FORM = "application/x-www-form-urlencoded"

#: What a secret becomes in anything the command line prints.
REDACTED = "<redacted>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table: left-aligned columns two spaces apart, no trailing spaces.

    ``None`` shows as ``-``; cells are single lines (line breaks shown as spaces).
    """
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, expected {len(headers)}")
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [list(headers), *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return " ".join(str(value).split())


def details(pairs: Iterable[tuple[str, object]]) -> str:
    """``label: value`` lines, aligned, leaving out values that are ``None``."""
    shown = [(label, _cell(value)) for label, value in pairs if value is not None]
    width = max((len(label) for label, _ in shown), default=0)
    return "\n".join(f"{label + ':':<{width + 1}} {value}".rstrip() for label, value in shown)


def when(timestamp: int | float | None) -> str | None:
    """A Unix time as ``YYYY-MM-DD HH:MM:SS`` UTC; ``None`` stays ``None``."""
    if timestamp is None:
        return None
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def size(count: int | None) -> str | None:
    """A byte count for people: ``512 B``, ``1.5 KiB``, ``2.0 GiB``."""
    if count is None:
        return None
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def to_json(value: object) -> str:
    """A response model (or any value the codec knows) as indented JSON."""
    return json.dumps(unstructure(value), indent=2, ensure_ascii=False)


def to_json_line(value: object) -> str:
    """A model as one line of JSON (for a stream's events)."""
    return json.dumps(unstructure(value), ensure_ascii=False)


def request_data(request: HttpRequest) -> dict[str, object]:
    """A prepared request as plain data, with secret headers and body fields redacted."""
    return {
        "method": request.method.value,
        "url": request.full_url,
        "headers": dict(redact_headers(request.headers)),
        "body": _body_data(request),
    }


def _body_data(request: HttpRequest) -> object:
    body = request.body
    if isinstance(body, JsonBody):
        return redact_json(body.json())
    if isinstance(body, NoBody):
        return None
    if isinstance(body, RawBody):
        if body.content_type.startswith(FORM):
            return dict(parse_qsl(body.data.decode("utf-8", "replace"), keep_blank_values=True))
        return f"<{len(body.data)} bytes of {body.content_type}>"
    assert isinstance(body, MultipartBody)
    return {
        "fields": dict(body.fields),
        "files": [f"{part.name}: {part.filename}" for part in body.files],
    }


def render_request(request: HttpRequest) -> str:
    """What would be sent, as an HTTP message: request line, headers, blank line, body."""
    data = request_data(request)
    lines = [f"{data['method']} {data['url']}"]
    lines += [f"{name}: {value}" for name, value in redact_headers(request.headers)]
    if isinstance(request.body, RawBody) and header(request.headers, "content-type") is None:
        lines.append(f"content-type: {request.body.content_type}")
    body = data["body"]
    if body is not None:
        lines += ["", json.dumps(body, indent=2, ensure_ascii=False)]
    return "\n".join(lines)


def render_request_json(request: HttpRequest) -> str:
    """What would be sent, as JSON."""
    return json.dumps(request_data(request), indent=2, ensure_ascii=False)


def error_line(error: BaseException) -> str:
    """One line saying what went wrong: the kind of error, then its own description.

    API errors describe themselves with status, type, code, message and request id.
    """
    text = " ".join(str(error).split())
    return f"error: {type(error).__name__}: {text}" if text else f"error: {type(error).__name__}"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by :data:`REDACTED`."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
