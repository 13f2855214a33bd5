"""The one cattrs converter: models in, JSON out, and back.

The converters and their hooks live in :mod:`together_fn._converter` (which also provides
:func:`configure_converter` and :func:`make_converter`, served from here too). It is imported,
and the converters built, on the first decode or encode: importing together_fn costs neither
cattrs nor the converters.

Decoding is tolerant: unknown keys are ignored, ``null`` is accepted wherever the model says
``| None``, and integers of any size (the API sends 20-digit ``seed`` values) stay exact.
Encoding is strict and compact: fields left at their default are not sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast, get_args, get_origin

import attrs
from returns.result import Failure, Result, Success

from together_fn.errors import APIResponseValidationError

if TYPE_CHECKING:
    import cattrs

    from together_fn._converter import configure_converter as configure_converter
    from together_fn._converter import make_converter as make_converter

T = TypeVar("T")

#: Any JSON value (objects in schemas the API leaves open, such as a JSON schema).
JSON: TypeAlias = Any


#: What a failed decode may raise besides cattrs' own errors, which join these once cattrs is
#: imported (:data:`_DECODE_ERRORS`).
PLAIN_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    KeyError,
    RecursionError,
)


class _Unbuilt:
    """Stands in for a converter until it is first used: then both converters are built (and
    cattrs imported) and replace their stand-ins, so that later calls reach them directly."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        _build()
        return getattr(globals()[self._name], attribute)


# The module's own names for the converters: stand-ins until :func:`_build` rebinds them.
_detailed = cast("cattrs.Converter", _Unbuilt("_detailed"))
_fast = cast("cattrs.Converter", _Unbuilt("_fast"))
_DECODE_ERRORS = PLAIN_DECODE_ERRORS

#: The converter: every hook, with errors that name the path of each mismatch.
CONVERTER: cattrs.Converter
#: The same configuration compiled for speed; decoding tries it first and asks
#: :data:`CONVERTER` to explain only when it fails (so both always agree on what decodes).
_FAST: cattrs.Converter


def _build() -> None:
    global _detailed, _fast, _DECODE_ERRORS, CONVERTER, _FAST, configure_converter, make_converter
    from together_fn._converter import DECODE_ERRORS, DETAILED, FAST
    from together_fn._converter import configure_converter as configure
    from together_fn._converter import make_converter as make

    _detailed = CONVERTER = DETAILED
    _fast = _FAST = FAST
    _DECODE_ERRORS = DECODE_ERRORS
    configure_converter, make_converter = configure, make


#: What :func:`_build` binds, for code that reads these names from this module.
_BUILT = frozenset({"CONVERTER", "_FAST", "configure_converter", "make_converter"})


def __getattr__(name: str) -> Any:
    if name not in _BUILT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _build()
    return globals()[name]


def structure(value: object, cls: type[T]) -> T:
    """Structure plain data into ``cls`` with the shared converter (raises on mismatch,
    with cattrs' detailed errors)."""
    try:
        return _fast.structure(value, cls)
    except _DECODE_ERRORS:
        return _detailed.structure(value, cls)


def unstructure(value: object) -> JSON:
    """Plain JSON-ready data from a model, defaults omitted."""
    return _detailed.unstructure(value)


#: The compiled :func:`unstructure_arguments` of each request model built so far.
_ARGUMENTS_HOOKS: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


def unstructure_arguments(cls: type, arguments: Mapping[str, Any]) -> JSON:
    """``unstructure(cls(**given))``, ``given`` being the ``arguments`` that are not ``None``
    and name a field of ``cls`` (a builder passes its ``locals()``), without making the model
    when it can be spared (see :mod:`together_fn._fast_unstructure`). Bad arguments raise
    what ``cls(**given)`` raises.
    """
    hook = _ARGUMENTS_HOOKS.get(cls)
    if hook is None:
        from together_fn._converter import arguments_unstructure_hook

        hook = _ARGUMENTS_HOOKS[cls] = arguments_unstructure_hook(cls)
    return hook(arguments)


# One encoder each: ``json.dumps`` with any non-default option builds a new one per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_LENIENT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_CANONICAL = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _c_compact(allow_nan: bool) -> Callable[[object, int], Any] | None:
    # ``JSONEncoder.encode`` makes a C encoder (and a dict to track cycles) on every call;
    # this one is made once, as :data:`_COMPACT` (or :data:`_LENIENT`) without cycle tracking.
    try:
        from json import encoder as json_encoder

        c_make_encoder = getattr(json_encoder, "c_make_encoder", None)
        if c_make_encoder is None:
            return None
        encode_basestring = json_encoder.encode_basestring
        encoder: Callable[[object, int], Any] = c_make_encoder(
            None, _COMPACT.default, encode_basestring, None, ":", ",", False, False, allow_nan
        )
        encoder({"a": [1, 1.5, "\u00e9", True, None]}, 0)
    except Exception:  # a Python without it, or with another signature
        return None
    return encoder


_C_COMPACT, _C_LENIENT = _c_compact(False), _c_compact(True)


def dumps(data: JSON, *, allow_nan: bool = False) -> str:
    """Compact JSON text of plain data, non-ASCII kept; NaN and infinities are refused
    unless ``allow_nan`` (they are not JSON, though Python's json reads and writes them)."""
    encoder = _C_LENIENT if allow_nan else _C_COMPACT
    if encoder is not None:
        try:
            return "".join(encoder(data, 0))
        except (TypeError, ValueError, RecursionError):
            pass  # the JSONEncoder says what is wrong (a cycle, say) as json.dumps would
    return (_LENIENT if allow_nan else _COMPACT).encode(data)


def encode_json(value: object) -> bytes:
    """Compact UTF-8 JSON of a model or plain value."""
    return dumps(unstructure(value)).encode()


def canonical_json(data: bytes) -> bytes:
    """The same JSON with sorted keys and no spaces, for comparing bodies."""
    return _CANONICAL.encode(json.loads(data)).encode()


def _problems(exc: BaseException) -> tuple[str, ...]:
    import cattrs  # imported by now: only a built converter raises its errors

    if isinstance(exc, cattrs.BaseValidationError):
        return tuple(cattrs.transform_error(exc))
    return (f"{type(exc).__name__}: {exc}",)


#: The fast converter's hook of each type decoded so far (a stream decodes one per event).
_FAST_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}


def decode_value(value: object, cls: type[T]) -> Result[T, APIResponseValidationError]:
    """Structure already-parsed JSON into ``cls``, as a :class:`Result`."""
    try:
        hook = _FAST_HOOKS.get(cls) or _FAST_HOOKS.setdefault(cls, _fast.get_structure_hook(cls))
        return Success(hook(value, cls))
    except _DECODE_ERRORS:
        pass
    try:
        return Success(_detailed.structure(value, cls))
    except _DECODE_ERRORS as exc:
        return Failure(
            APIResponseValidationError(
                message=f"response does not match {type_name(cls)}",
                type_name=type_name(cls),
                problems=_problems(exc),
            )
        )


def decode_json(data: bytes, cls: type[T]) -> Result[T, APIResponseValidationError]:
    """Parse ``data`` as JSON and structure it into ``cls``.

    ``bytes`` asks for the body itself; ``None`` accepts any body (a 204, a bare ``{}``).
    """
    if cls is bytes:
        return Success(data)  # type: ignore[arg-type]
    if cls is type(None):
        return Success(None)
    try:
        value = loads(data)
    except (ValueError, RecursionError) as exc:
        return Failure(
            APIResponseValidationError(
                message=f"response is not JSON (expected {type_name(cls)})",
                type_name=type_name(cls),
                problems=(f"{type(exc).__name__}: {exc}",),
                body=data,
            )
        )
    decoded = decode_value(value, cls)
    if isinstance(decoded, Success):
        return decoded
    return decoded.alt(lambda e: attrs.evolve(e, body=data))


#: The C scanner behind ``json.loads``, without the Python layers around it.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``: the same value or the same error, sooner.

    A body or an event is almost always one UTF-8 JSON object or array and nothing else: the
    scanner alone parses it. Anything else (another encoding, spaces around the value, two
    values, no value) goes to ``json.loads`` itself.
    """
    if isinstance(data, str):
        text = data
    elif type(data) is bytes and data[:1] in (b"{", b"[") and data[1:2] != b"\x00":
        # UTF-8 for certain: ``json.loads`` tells UTF-16 and -32 by their BOM or zero bytes.
        text = data.decode("utf-8", "surrogatepass")
    else:
        return json.loads(data)
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def type_name(cls: object) -> str:
    origin = get_origin(cls)
    if origin is not None:
        args = ", ".join(type_name(a) for a in get_args(cls))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(cls, "__name__", str(cls))


def drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``mapping`` without ``None`` values."""
    return {k: v for k, v in mapping.items() if v is not None}
