"""Code interpreter models (OpenAPI: ``ExecuteRequest``, ``ExecuteResponse``,
``SessionListResponse``; outputs are the spec's ``InterpreterOutput`` items).

A run that fails still answers 200: ``data`` is ``null`` and ``errors`` says why, so
:attr:`ExecuteResponse.ok` is the thing to check. An output's ``type`` is ``stdout``, ``stderr``,
``error``, ``display_data`` or ``execute_result``; display outputs carry a mapping of MIME type
to content (``image/png`` is base64) instead of text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from together_fn.models._fields import non_empty

FileEncoding: TypeAlias = Literal["string", "base64"]
Language: TypeAlias = Literal["python"]

LANGUAGES: tuple[str, ...] = ("python",)
ENCODINGS: tuple[str, ...] = ("string", "base64")


def _choice(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: Any, value: str) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


@attrs.frozen(kw_only=True)
class ExecuteFile:
    """A file to create in the session before the code runs (OpenAPI: an item of ``files``)."""

    name: str = attrs.field(validator=non_empty)
    content: str
    encoding: FileEncoding = attrs.field(default="string", validator=_choice(ENCODINGS))


def _files(
    value: Iterable[ExecuteFile | Mapping[str, Any]] | None,
) -> tuple[ExecuteFile, ...] | None:
    if value is None:
        return None
    if isinstance(value, Mapping | str):
        raise TypeError("files must be a list of {'name', 'encoding', 'content'} objects")
    items = []
    for item in value:
        if isinstance(item, ExecuteFile):
            items.append(item)
        elif isinstance(item, Mapping):
            items.append(ExecuteFile(**item))
        else:
            raise TypeError(f"files items must be objects, got {type(item).__name__}")
    return tuple(items)


def _session_id(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not value:
        raise ValueError("session_id must not be empty when given")


@attrs.frozen(kw_only=True)
class ExecuteRequest:
    """Body of ``POST /tci/execute``."""

    code: str = attrs.field(validator=non_empty)
    language: Language = attrs.field(default="python", validator=_choice(LANGUAGES))
    session_id: str | None = attrs.field(default=None, validator=_session_id)
    files: tuple[ExecuteFile, ...] | None = attrs.field(default=None, converter=_files)


@attrs.frozen(kw_only=True)
class InterpreterOutput:
    """One output: text for streams and errors, a MIME mapping for display results."""

    type: str
    data: str | dict[str, Any] = ""


@attrs.frozen(kw_only=True)
class ExecuteResponseData:
    """What a successful run produced, and the session to send follow-up code to."""

    session_id: str
    outputs: tuple[InterpreterOutput, ...] = ()
    status: str | None = None


@attrs.frozen(kw_only=True)
class ExecuteResponse:
    """The result of a run: ``data`` on success, ``errors`` (strings or objects) on failure."""

    data: ExecuteResponseData | None = None
    errors: tuple[Any, ...] | None = None

    @property
    def ok(self) -> bool:
        """Whether the code ran (it may still have raised: see outputs of type ``error``)."""
        return self.data is not None and not self.errors


@attrs.frozen(kw_only=True)
class CodeSession:
    """An active code interpreter session (OpenAPI: an item of ``sessions``)."""

    id: str
    execute_count: int | None = None
    started_at: str | None = None
    last_execute_at: str | None = None
    expires_at: str | None = None


@attrs.frozen(kw_only=True)
class SessionList:
    """The ``data`` of :class:`SessionListResponse`."""

    sessions: tuple[CodeSession, ...] = ()


@attrs.frozen(kw_only=True)
class SessionListResponse:
    """Your active sessions (``errors`` when listing them failed)."""

    data: SessionList | None = None
    errors: tuple[Any, ...] | None = None
