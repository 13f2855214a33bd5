"""A faster structure function for attrs models, for the converter that decodes first.

cattrs' generated functions call a hook for every field present, even for a ``str`` that is
already a ``str``. Most fields of most answers are such scalars, and a stream decodes one
model per event, so the calls add up. The functions made here return a scalar that already
has its field's exact type as it is, and hand every other value to the very hook cattrs would
use: they decode exactly what cattrs' functions decode, only sooner. (The detailed converter
keeps cattrs' own functions, for its error messages.)
"""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from together_fn.schema import WIRE_NAME

#: Types a JSON value already has exactly when ``type(value) is`` that type: hooks return such
#: values unchanged, so they need no call.
_EXACT = (str, int, float, bool)


def _exact_of(hint: Any) -> tuple[type | None, bool]:
    """The exact scalar type a field's value may be returned as, and whether ``None`` may."""
    if hint in _EXACT:
        return hint, False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        others = [m for m in members if m is not type(None)]
        if len(members) == 2 and len(others) == 1 and others[0] in _EXACT:
            return others[0], True
    return None, False


def fast_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    """A structure function for attrs class ``cls``; unknown keys are ignored."""
    hints = typing.get_type_hints(cls, include_extras=True)
    hooks: list[Callable[[Any, Any], Any]] = []
    names: dict[str, Any] = {"cls": cls, "Mapping": Mapping, "H": hooks}
    lines = [
        "def structure(o, _):",
        "    if type(o) is not dict and not isinstance(o, Mapping):",
        "        raise TypeError(f'expected an object, got {type(o).__name__}')",
        "    res = {}",
    ]
    for index, field in enumerate(attrs.fields(cls)):
        if not field.init:
            continue
        key = field.metadata.get(WIRE_NAME) or field.name
        hint = hints.get(field.name, field.type)
        exact, nullable = _exact_of(hint)
        names[f"t{index}"] = hint
        slot = len(hooks)
        hooks.append(_first_use(converter, hint, hooks, slot))
        indent = "    "
        if field.default is not attrs.NOTHING:
            # ``in`` then a lookup beats ``get`` with a sentinel: most optional keys are absent.
            lines.append(f"    if {key!r} in o:")
            indent = "        "
        lines.append(f"{indent}v = o[{key!r}]")
        if exact is None:
            lines.append(f"{indent}res[{field.alias!r}] = H[{slot}](v, t{index})")
        else:
            names[f"e{index}"] = exact
            quick = f"v is None or type(v) is e{index}" if nullable else f"type(v) is e{index}"
            slow = f"H[{slot}](v, t{index})"
            if exact is float:  # JSON writes whole floats as integers: float() is the hook's answer
                slow = f"float(v) if type(v) is int else {slow}"
            value = f"v if {quick} else {slow}"
            lines.append(f"{indent}res[{field.alias!r}] = {value}")
    lines.append("    return cls(**res)")
    source = "\n".join(lines) + "\n"
    filename = f"<together_fn fast structure {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), names)  # noqa: S102 - our own generated source
    # Tracebacks through the function show its lines, as cattrs' do.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    structure: Callable[[Any, type], Any] = names["structure"]
    return structure


def _first_use(
    converter: cattrs.Converter, hint: Any, hooks: list[Callable[[Any, Any], Any]], slot: int
) -> Callable[[Any, Any], Any]:
    # The hook is looked up on first use, then put in its slot: the hint may be the class
    # being made (or a union of it), whose hook does not exist yet.
    def first(value: Any, target: Any) -> Any:
        hooks[slot] = converter.get_structure_hook(hint)
        return hooks[slot](value, target)

    return first
