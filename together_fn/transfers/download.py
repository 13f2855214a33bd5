"""Downloads, decided purely: safe file names, header parsing, resumption, verification.

:mod:`together_fn.transfers.download_flow` strings these decisions into a whole download;
the drivers in ``executors/download.py`` only move bytes.
"""

from __future__ import annotations

import os.path
import re
import unicodedata
from typing import TypeAlias
from urllib.parse import unquote, urlsplit

import attrs

from together_fn.http import HttpRequest, HttpResponseHead

# --- names --------------------------------------------------------------------------------

#: Longest name written, in UTF-8 bytes: under the 255 of common file systems, with room
#: for the temporary file's affixes.
MAX_NAME_BYTES = 200

#: Used when neither the server's nor the fallback name survives cleaning.
LAST_RESORT_NAME = "download"

# Names Windows reserves for devices, whatever the extension.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
)
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_SEPARATORS = re.compile(r"[/\\]")
# Path segments that name an action rather than the thing downloaded.
_GENERIC_SEGMENTS = frozenset({"content", "download", "files", "v1"})


def _kept(ch: str) -> bool:
    # Control, format (bidi overrides), surrogate, private and unassigned characters, and
    # line/paragraph separators, can hide or forge what a name looks like.
    category = unicodedata.category(ch)
    return not (category.startswith("C") or category in ("Zl", "Zp"))


def _capped(name: str) -> str:
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    keep = f".{extension}" if dot and stem and len(extension.encode()) <= 16 else ""
    room = MAX_NAME_BYTES - len(keep.encode())
    head = (stem if keep else name).encode()[:room].decode("utf-8", "ignore")
    return head.rstrip(" .") + keep


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _SEPARATORS.split(name)[-1]  # the last component, whichever separator was used
    name = "".join(ch for ch in name if _kept(ch))
    name = _WINDOWS_FORBIDDEN.sub("_", name).strip()
    # No leading dot: the name can be neither ``.``/``..`` nor a hidden file.
    name = name.lstrip(". ").rstrip(" .")
    name = _capped(name)
    if name.split(".", 1)[0].upper() in _RESERVED:
        name = f"_{name}"
    return name


def safe_filename(name: str | None, fallback: str) -> str:
    """``name`` (from a header, a URL or a user) reduced to a plain, safe base name.

    Only the last path component is kept (``/`` and ``\\`` both count), control and
    invisible characters are dropped, leading dots and trailing dots and spaces removed, and
    the length capped. If nothing is left, ``fallback`` is cleaned the same way.

    >>> safe_filename("../../etc/passwd", "f"), safe_filename("..", "file-1")
    ('passwd', 'file-1')
    """
    for candidate in (name, fallback):
        cleaned = _clean(candidate) if candidate else ""
        if cleaned:
            return cleaned
    return LAST_RESORT_NAME


def is_within(directory: str, path: str) -> bool:
    """Whether absolute ``path`` names an entry directly or deeper inside ``directory``."""
    if not (os.path.isabs(directory) and os.path.isabs(path)):
        return False
    root, target = os.path.normpath(directory), os.path.normpath(path)
    try:
        return target != root and os.path.commonpath([root, target]) == root
    except ValueError:  # different drives
        return False


def default_name(request: HttpRequest) -> str:
    """A name for what ``request`` fetches when the server suggests none: the last
    specific path segment (``file-1`` of ``/files/file-1/content``), or the query values
    when the path ends in a generic word (``/finetune/download?ft_id=ft-1`` gives ``ft-1``).
    """
    segments = [unquote(s) for s in urlsplit(request.url).path.split("/") if s]
    values = [v for _, v in request.query if v]
    if segments and segments[-1].lower() in _GENERIC_SEGMENTS and values:
        return "-".join(values)
    specific = [s for s in segments if s.lower() not in _GENERIC_SEGMENTS]
    return specific[-1] if specific else LAST_RESORT_NAME


# --- headers ------------------------------------------------------------------------------

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf';\s*({_TCHARS})\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_EXTENDED = re.compile(r"([A-Za-z0-9!#$%&+^_`{}~-]+)'[^']*'(.*)")


def parse_content_disposition(value: str | None) -> str | None:
    """The file name a ``Content-Disposition`` header suggests (RFC 6266), unsanitized.

    ``filename*`` (RFC 8187, percent-encoded with a charset) wins over ``filename``.

    >>> parse_content_disposition("attachment; filename=\\"a.csv\\"; filename*=UTF-8''%C3%A9.csv")
    'é.csv'
    """
    if not value:
        return None
    params: dict[str, str] = {}
    for key, raw in _PARAM.findall(value[value.find(";") :] if ";" in value else ""):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.setdefault(key.lower(), raw)
    extended = _EXTENDED.fullmatch(params.get("filename*", ""))
    if extended:
        try:
            return unquote(extended.group(2), encoding=extended.group(1), errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown charset or bad bytes: fall back to the plain parameter
    return params.get("filename") or None


@attrs.frozen(kw_only=True)
class ContentRange:
    """``Content-Range: bytes start-end/total`` (``total`` is ``None`` for ``*``)."""

    start: int
    end: int
    total: int | None = None


_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*")
_UNSATISFIED = re.compile(r"\s*bytes\s+\*/(\d+)\s*")


def parse_content_range(value: str | None) -> ContentRange | None:
    """The range of a 206 answer, or ``None`` if the header is missing or inconsistent."""
    found = _RANGE.fullmatch(value or "")
    if found is None:
        return None
    start, end = int(found.group(1)), int(found.group(2))
    total = None if found.group(3) == "*" else int(found.group(3))
    if end < start or (total is not None and end >= total):
        return None
    return ContentRange(start=start, end=end, total=total)


def _content_length(head: HttpResponseHead) -> int | None:
    raw = (head.header("content-length") or "").strip()
    return int(raw) if raw.isdigit() else None


def is_identity(head: HttpResponseHead) -> bool:
    """Whether the body is sent as stored: byte offsets and lengths then mean file bytes."""
    return (head.header("content-encoding") or "identity").strip().lower() == "identity"


# --- the resume decision --------------------------------------------------------------------


@attrs.frozen
class Resume:
    """The answer continues the file at ``offset``; ``total`` is its size if known."""

    offset: int
    total: int | None


@attrs.frozen
class Restart:
    """The answer is the whole file again: start over from zero."""

    total: int | None


@attrs.frozen
class Complete:
    """Nothing is left to fetch: the server says the file ends where ours does."""


@attrs.frozen
class Refuse:
    """The answer cannot be used; ``reason`` says why."""

    reason: str


@attrs.frozen
class Unsuccessful:
    """Not a success: the body is an error to classify (or a reason to retry)."""


Plan: TypeAlias = Resume | Restart | Complete | Refuse | Unsuccessful


def plan_response(
    asked_from: int, received: int, head: HttpResponseHead, known_total: int | None
) -> Plan:
    """What to make of ``head``, having asked for bytes from ``asked_from`` (0: no
    ``Range``) while holding ``received`` bytes, the file's size ``known_total`` if known.

    A 206 is used only when its ``Content-Range`` starts exactly where we asked (and its
    total matches what we know); a 200 restarts from zero; anything else is not a success.
    """
    if head.status == 206:
        found = parse_content_range(head.header("content-range"))
        if found is None:
            shown = head.header("content-range")
            return Refuse(f"a 206 answer with no valid Content-Range: {shown!r}")
        if found.start != asked_from:
            return Refuse(
                f"asked for bytes from {asked_from}, the server sent {found.start}-{found.end}"
            )
        if found.total is not None and known_total is not None and found.total != known_total:
            return Refuse(f"the file is now {found.total} bytes, not {known_total}")
        return Resume(asked_from, found.total if found.total is not None else known_total)
    if head.status == 200:
        length = _content_length(head) if is_identity(head) else None
        if length is not None and known_total is not None and length != known_total:
            return Refuse(f"the server announced {length} bytes, {known_total} were expected")
        return Restart(length if length is not None else known_total)
    if head.status == 416 and received > 0:
        found_total = _UNSATISFIED.fullmatch(head.header("content-range") or "")
        size = int(found_total.group(1)) if found_total else None
        if size == received and known_total in (None, received):
            return Complete()
        return Unsuccessful()
    if 200 <= head.status < 300:
        return Refuse(f"unexpected status {head.status} for a download")
    return Unsuccessful()


# --- verification -----------------------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")


def checked_sha256(value: str | None) -> str | None:
    """An expected SHA-256 in lowercase hex; raises ``ValueError`` for anything else."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if not _SHA256.fullmatch(lowered):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {value!r}")
    return lowered


@attrs.frozen(kw_only=True)
class Verification:
    """What arrived against what was expected."""

    size: int
    sha256: str
    expected_size: int | None = None
    expected_sha256: str | None = None

    @property
    def problem(self) -> str | None:
        """Why the file is not the expected one, or ``None`` if it is."""
        if self.expected_size is not None and self.size != self.expected_size:
            return f"received {self.size} bytes, expected {self.expected_size}"
        if self.expected_sha256 is not None and self.sha256 != self.expected_sha256:
            return f"sha256 is {self.sha256}, expected {self.expected_sha256}"
        return None


@attrs.frozen(kw_only=True)
class DownloadedFile:
    """A file saved to disk: where, how big, its SHA-256, and how the download went."""

    path: str
    size: int
    sha256: str
    resumes: int = 0
    attempts: int = 1
    response: HttpResponseHead | None = None

    @property
    def filename(self) -> str:
        """The saved file's name (the old SDK's ``FileObject.filename``)."""
        return os.path.basename(self.path)
