"""Which recording answers a request.

A request matches a recording on method, scheme + host + port, path, query (in any order) and
body: JSON compared canonically (key order and spacing ignored), ``multipart/form-data`` on
its plain fields only (boundaries are random and file parts may be elided), anything else
byte for byte. Among the matches, the first one not played yet is played.
"""

from __future__ import annotations

import json
from email.message import Message
from urllib.parse import parse_qsl, urlsplit

from together_fn.errors import excerpt
from together_fn.executors.cassette import Cassette, CassetteError, RecordedRequest, request_bytes
from together_fn.http import HttpRequest, MultipartBody, header, origin, redact_json

Fields = tuple[tuple[str, str], ...]


def differences(request: HttpRequest, recorded: RecordedRequest) -> tuple[str, ...]:
    """The parts of ``request`` that differ from ``recorded``; empty when they match."""
    sent, stored = urlsplit(request.full_url), urlsplit(recorded.uri)
    found: list[str] = []
    if request.method.value != recorded.method.upper():
        found.append("method")
    if origin(request.full_url) != origin(recorded.uri):
        found.append("host")
    if (sent.path or "/") != (stored.path or "/"):
        found.append("path")
    if _query(sent.query) != _query(stored.query):
        found.append("query")
    if not body_matches(request, recorded):
        found.append("body")
    return tuple(found)


def _query(query: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(query, keep_blank_values=True))


def body_matches(request: HttpRequest, recorded: RecordedRequest) -> bool:
    """Whether the bodies are the same: canonical JSON, multipart fields, or bytes."""
    if isinstance(request.body, MultipartBody):
        stored = multipart_fields(recorded.body, header(recorded.headers, "content-type"))
        return stored is not None and stored == tuple(sorted(request.body.fields))
    return same_content(request_bytes(request), recorded.body or b"")


def same_content(sent: bytes, stored: bytes) -> bool:
    """Equal bytes, or equal JSON documents."""
    if sent == stored:
        return True
    try:
        # Secret fields are redacted in recordings: compare both sides redacted.
        return _canonical(sent) == _canonical(stored)
    except (ValueError, RecursionError):
        return False


def _canonical(data: bytes) -> str:
    parsed = redact_json(json.loads(data))
    return json.dumps(parsed, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def multipart_fields(body: bytes | None, content_type: str | None) -> Fields | None:
    """The plain (non-file) fields of a ``multipart/form-data`` body, sorted; ``None`` if the
    body is not multipart. The boundary comes from the header, else from the first line."""
    if not body:
        return None
    boundary = _param(content_type, "content-type", "boundary") if content_type else None
    if not boundary and body.startswith(b"--"):
        boundary = body[2 : body.find(b"\r\n")].decode("latin-1")
    if not boundary:
        return None
    fields: list[tuple[str, str]] = []
    parts = body.split(b"--" + boundary.encode("latin-1"))
    if len(parts) < 3:
        return None
    for part in parts[1:]:
        if part.startswith(b"--"):
            break
        head, blank, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not blank:
            return None
        disposition = next(
            (
                line.split(b":", 1)[1].decode("latin-1").strip()
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-disposition:")
            ),
            None,
        )
        if (
            disposition is None
            or _param(disposition, "content-disposition", "filename") is not None
        ):
            continue  # a file part (an empty filename too): not matched on
        name = _param(disposition, "content-disposition", "name") or ""
        fields.append((name, content.removesuffix(b"\r\n").decode("utf-8", "replace")))
    return tuple(sorted(fields))


def _param(value: str, header_name: str, param: str) -> str | None:
    message = Message()
    message[header_name] = value
    found = message.get_param(param, header=header_name)
    if found is None:
        return None
    return found if isinstance(found, str) else str(found[2])


# --- choosing what to play ----------------------------------------------------------------


def choose(
    cassette: Cassette, plays: list[int] | tuple[int, ...], request: HttpRequest, *, repeats: bool
) -> int | None:
    """The interaction to play for ``request``: the first matching one not yet played, or,
    with ``repeats``, the last matching one (the latest state of a resource)."""
    matching = [
        index
        for index, interaction in enumerate(cassette.interactions)
        if not differences(request, interaction.request)
    ]
    for index in matching:
        if plays[index] == 0:
            return index
    if repeats and matching:
        return matching[-1]
    return None


def describe(request: HttpRequest) -> str:
    """``METHOD url`` of a request."""
    return f"{request.method.value} {request.full_url}"


def no_match(
    cassette: Cassette, plays: list[int] | tuple[int, ...], request: HttpRequest, hint: str = ""
) -> CassetteError:
    """The error for a request the cassette cannot answer, naming the closest recording."""
    lines = [f"no recorded interaction in {cassette.source} matches {describe(request)}"]
    scored = [
        (len(diff), index, diff)
        for index, interaction in enumerate(cassette.interactions)
        for diff in [differences(request, interaction.request)]
    ]
    if not scored:
        lines.append("the cassette holds no interactions")
    else:
        _, index, diff = min(scored)
        stored = cassette.interactions[index].request
        state = f"played {plays[index]}x" if plays[index] else "not played yet"
        what = f"differs in {', '.join(diff)}" if diff else "already played"
        lines.append(f"closest recording: #{index} {stored.method} {stored.uri} ({what}; {state})")
        if "body" in diff:
            lines.append(f"  sent body:     {_shown(request)}")
            lines.append(f"  recorded body: {_shown_bytes(stored.body or b'')}")
    if hint:
        lines.append(hint)
    return CassetteError(message="\n".join(lines), cassette=cassette.source)


def _shown(request: HttpRequest) -> str:
    if isinstance(request.body, MultipartBody):
        return f"multipart fields {sorted(request.body.fields)!r}"
    return _shown_bytes(request_bytes(request))


def _shown_bytes(data: bytes) -> str:
    try:
        return excerpt(json.dumps(json.loads(data), sort_keys=True), 300)
    except (ValueError, RecursionError):
        return excerpt(data.decode("utf-8", "replace"), 300) if data else "(empty)"
