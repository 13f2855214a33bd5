"""Markers that models use to describe their wire shape without knowing about cattrs.

``codec.py`` reads them: :func:`wire_name` renames a field on the wire, and a union wrapped
in ``Annotated[A | B, Tagged(...)]`` or ``Annotated[A | B, ByKey(...)]`` is told apart by a
tag value or by which keys are present (the API omits the ``type`` tag the spec promises on
image items, so a tag alone is not enough everywhere). :func:`json_shortcut` lets a request
field be encoded without its model, for common arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

WIRE_NAME = "together_fn.wire_name"


def wire_name(name: str) -> dict[str, str]:
    """Field metadata naming the JSON key, for keys that are not Python names."""
    return {WIRE_NAME: name}


JSON_SHORTCUT = "together_fn.json_shortcut"


def json_shortcut(shortcut: Callable[[Any], Any]) -> dict[str, Callable[[Any], Any]]:
    """Field metadata for a required field: ``shortcut(argument)`` is the field's JSON
    straight from an ``__init__`` argument it knows (what the converter, the validator and
    the field's hook would make of it), or ``None`` for any other argument.

    Used by :func:`~together_fn.codec.unstructure_fields`, for arguments as common as chat
    messages made of a role and a text.
    """
    return {JSON_SHORTCUT: shortcut}


def _pairs(
    value: Mapping[str, type] | tuple[tuple[str, type], ...],
) -> tuple[tuple[str, type], ...]:
    return tuple(value.items()) if isinstance(value, Mapping) else tuple(value)


@attrs.frozen
class Tagged:
    """A union told apart by the value of ``tag``; unknown tags fall back to ``default``."""

    tag: str
    variants: tuple[tuple[str, type], ...] = attrs.field(converter=_pairs)
    default: type | None = None

    def variant(self, value: object) -> type | None:
        """The class for a tag value."""
        for tag, cls in self.variants:
            if tag == value:
                return cls
        return self.default


@attrs.frozen
class ByKey:
    """A union told apart by the first of ``keys`` present in the object."""

    keys: tuple[tuple[str, type], ...]
    default: type | None = None
