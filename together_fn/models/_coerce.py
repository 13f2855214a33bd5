"""Strict coercion of request arguments that may be given as models or as plain mappings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from together_fn.codec import JSON, structure, unstructure

_SCALARS = frozenset({str, int, float, bool})


def without_nulls(value: JSON) -> JSON:
    """``value`` with ``None`` dropped from every object, at any depth."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {
            k: v if type(v) in _SCALARS else without_nulls(v)
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [without_nulls(v) for v in value]
    return value


def _problems(exc: BaseException) -> str:
    # The innermost errors say what is wrong (a validator's message, an expected type).
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_problems(inner) for inner in exc.exceptions)
    return str(exc)


def _covers(written: JSON, given: JSON) -> bool:
    # What the model writes back holds everything given (defaults it adds are fine).
    if isinstance(given, dict):
        return isinstance(written, dict) and all(
            k in written and _covers(written[k], v) for k, v in given.items()
        )
    if isinstance(given, list | tuple):
        return (
            isinstance(written, list | tuple)
            and len(written) == len(given)
            and all(_covers(w, g) for w, g in zip(written, given, strict=True))
        )
    if isinstance(given, bool) or isinstance(written, bool):
        return written is given
    if isinstance(given, int | float) and isinstance(written, int | float):
        return written == given  # an int given for a float field means the same number
    return bool(written == given and type(written) is type(given))


def model_of(value: object, cls: Any, name: str, *, accepts: tuple[type, ...] = ()) -> Any:
    """``value`` as a ``cls`` model: instances (of ``cls`` or of ``accepts``) pass through, a
    mapping is structured and must mean exactly what it says (no unknown keys, no values
    quietly converted); anything else is a ``TypeError``."""
    instances = accepts or (cls,)
    if isinstance(value, instances):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping or a model, got {type(value).__name__}")
    raw = dict(value)
    try:
        typed = structure(raw, cls)
    except (ValueError, TypeError, KeyError, ExceptionGroup) as exc:  # cattrs raises groups
        raise ValueError(f"{name} is not valid: {_problems(exc)}") from exc
    written = unstructure(typed)
    unknown = sorted(set(without_nulls(raw)) - set(written)) if isinstance(written, dict) else []
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}: {raw!r}")
    if not _covers(written, without_nulls(raw)):
        raise ValueError(f"{name} has values of the wrong type: {raw!r}")
    return typed


def models_of(
    values: Iterable[object] | None, cls: Any, name: str, *, accepts: tuple[type, ...] = ()
) -> tuple[Any, ...] | None:
    """Each of ``values`` through :func:`model_of`; ``None`` stays ``None``."""
    if values is None:
        return None
    if isinstance(values, str | bytes | Mapping):
        raise TypeError(f"{name} must be a sequence, got {type(values).__name__}")
    return tuple(model_of(v, cls, f"{name}[{i}]", accepts=accepts) for i, v in enumerate(values))


def strings(values: Iterable[str] | None, name: str) -> tuple[str, ...] | None:
    """A sequence of strings as a tuple (a lone string is a mistake, not one item per letter)."""
    if values is None:
        return None
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of strings, not a single string")
    items = tuple(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold strings, got {type(item).__name__}")
    return items
