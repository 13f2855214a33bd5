"""Validators and converters shared by request models (pure; no cattrs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: What :func:`non_empty` checks; a constant, as ``str | tuple | list`` would be rebuilt on
#: every call.
_SIZED = (str, tuple, list)


def non_empty(_: object, attribute: Any, value: Any) -> None:
    """A required string or sequence must not be empty."""
    if isinstance(value, _SIZED) and len(value) == 0:
        raise ValueError(f"{attribute.name} must not be empty")


def str_or_strings(value: str | Iterable[str]) -> str | tuple[str, ...]:
    """A single string stays a string; any other iterable becomes a tuple of strings."""
    if isinstance(value, str):
        return value
    items = tuple(value)
    if not items:
        raise ValueError("at least one input is required")
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"inputs must be strings, got {type(item).__name__}")
    return items


def to_tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    """Lists (or any iterable) become tuples so that models stay immutable and hashable."""
    return None if value is None else tuple(value)


def in_range(low: float, high: float) -> Any:
    """A validator: ``None`` or a number within ``[low, high]``."""

    def check(_: object, attribute: Any, value: float | None) -> None:
        if value is not None and not low <= value <= high:
            raise ValueError(f"{attribute.name} must be between {low} and {high}, got {value}")

    return check


def at_least(low: float) -> Any:
    """A validator: ``None`` or a number ``>= low``."""

    def check(_: object, attribute: Any, value: float | None) -> None:
        if value is not None and value < low:
            raise ValueError(f"{attribute.name} must be at least {low}, got {value}")

    return check


def positive(_: object, attribute: Any, value: Any) -> None:
    """A validator: ``None`` or a number ``> 0``."""
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")
