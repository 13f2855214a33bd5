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
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from together_fn.schema import WIRE_NAME

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

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


def _only_none_accepts_null(hint: Any) -> bool:
    """Whether ``hint`` is a union with ``None`` whose other members all reject JSON null."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return False
    members = typing.get_args(hint)
    return type(None) in members and all(
        m is type(None)
        or m in _EXACT
        or typing.get_origin(m) in (tuple, list, dict)
        or (isinstance(m, type) and attrs.has(m))
        for m in members
    )


def _model_of(hint: Any) -> tuple[Any, bool, bool]:
    """For ``C``, ``C | None``, ``tuple[C, ...]`` or ``tuple[C, ...] | None`` with ``C`` an
    attrs class: ``C``, whether it is an array of them, and whether ``None`` may stand in."""
    nullable = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        others = [m for m in members if m is not type(None)]
        if len(members) != 2 or len(others) != 1:
            return None, False, False
        hint, nullable = others[0], True
    array = typing.get_origin(hint) is tuple
    if array:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            return None, False, False
        hint = args[0]
    if isinstance(hint, type) and attrs.has(hint):
        return hint, array, nullable
    return None, False, False


def fast_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    """A structure function for attrs class ``cls``; unknown keys are ignored."""
    hints = typing.get_type_hints(cls, include_extras=True)
    hooks: list[Callable[[Any, Any], Any]] = []
    names: dict[str, Any] = {"cls": cls, "Mapping": Mapping, "H": hooks, "new": object.__new__}
    setters = _slot_setters(cls)
    lines = [
        "def structure(o, _):",
        "    if type(o) is not dict and not isinstance(o, Mapping):",
        "        raise TypeError(f'expected an object, got {type(o).__name__}')",
        "    res = {}" if setters is None else "    self = new(cls)",
    ]
    for index, field in enumerate(attrs.fields(cls)):
        if not field.init:
            continue
        key = field.metadata.get(WIRE_NAME) or field.name
        hint = hints.get(field.name, field.type)
        optional = field.default is not attrs.NOTHING
        indent = "        " if optional else "    "
        if optional:
            # ``in`` then a lookup beats ``get`` with a sentinel: most optional keys are absent.
            lines.append(f"    if {key!r} in o:")
        lines.append(f"{indent}v = o[{key!r}]")
        value = _value_of(converter, hint, index, names, hooks, lines, indent)
        if setters is None:
            lines.append(f"{indent}res[{field.alias!r}] = {value}")
            continue
        names[f"s{index}"] = setters[field.name]
        lines.append(f"{indent}s{index}(self, {value})")
        if optional:
            lines.append("    else:")
            lines.append(f"        s{index}(self, {_default_of(field, index, names)})")
    lines.append("    return cls(**res)" if setters is None else "    return self")
    source = "\n".join(lines) + "\n"
    filename = f"<together_fn fast structure {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), names)  # noqa: S102 - our own generated source
    # Tracebacks through the function show its lines, as cattrs' do.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    structure: Callable[[Any, type], Any] = names["structure"]
    return structure


def _value_of(
    converter: cattrs.Converter,
    hint: Any,
    index: int,
    names: dict[str, Any],
    hooks: list[Callable[[Any, Any], Any]],
    lines: list[str],
    indent: str,
) -> str:
    """The expression for field ``index``'s value, made of ``v`` (lines it needs first are
    appended to ``lines``)."""
    names[f"t{index}"] = hint
    slot = len(hooks)
    hooks.append(_first_use(converter, hint, hooks, slot))
    hook = f"H[{slot}](v, t{index})"
    model, array, model_nullable = _model_of(hint)
    if model is not None:
        # Nested models skip the union and array hooks around them: those would check
        # the kind of ``v`` and then call the model's own hook, as done here.
        names[f"m{index}"] = model
        inner = len(hooks)
        hooks.append(_first_use(converter, model, hooks, inner))
        if array:
            lines.append(f"{indent}h = H[{inner}]")
            # One choice per chunk is the rule: no comprehension for a single item.
            each = (
                f"(h(v[0], m{index}),) if len(v) == 1 else "
                f"tuple([h(x, m{index}) for x in v]) if v else ()"
            )
            value = f"({each}) if type(v) is list else {hook}"
        else:
            value = f"H[{inner}](v, m{index}) if type(v) is dict else {hook}"
        return f"None if v is None else {value}" if model_nullable else value
    exact, nullable = _exact_of(hint)
    if exact is None:
        if _only_none_accepts_null(hint):
            return f"None if v is None else {hook}"  # what the union hook makes of null
        return hook
    names[f"e{index}"] = exact
    quick = f"v is None or type(v) is e{index}" if nullable else f"type(v) is e{index}"
    if exact is float:  # JSON writes whole floats as integers: float() is the hook's answer
        hook = f"float(v) if type(v) is int else {hook}"
    return f"v if {quick} else {hook}"


def slot_constructor(cls: type[T], *, keywords: bool = False) -> Callable[..., T] | None:
    """A constructor that sets ``cls``'s slots directly (see :func:`_slot_setters`), taking
    its fields positionally in order or, with ``keywords``, by name with their defaults as
    ``__init__`` does; ``None`` when ``cls`` needs its ``__init__``. For values made on every
    call or every stream event."""
    setters = _slot_setters(cls)
    if setters is None:
        return None
    scope: dict[str, Any] = {"cls": cls, "new": object.__new__}
    parameters = []
    fields = attrs.fields(cast(Any, cls))  # the order of ``setters`` too
    for index, field in enumerate(fields):
        scope[f"s{index}"] = setters[field.name]
        if not keywords or field.default is attrs.NOTHING:
            parameters.append(field.name)
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return None  # made anew by each __init__
        else:
            scope[f"d{index}"] = field.default
            parameters.append(f"{field.name}=d{index}")
    signature = f"*, {', '.join(parameters)}" if keywords else ", ".join(parameters)
    lines = [f"def make({signature}):", "    self = new(cls)"]
    lines += [f"    s{i}(self, {field.name})" for i, field in enumerate(fields)]
    lines.append("    return self")
    exec("\n".join(lines) + "\n", scope)  # noqa: S102 - our own generated source
    make: Callable[..., T] = scope["make"]
    return make


def fast_constructor(cls: type[T]) -> type[T]:
    """``cls`` itself, or what makes the same values faster: its keyword
    :func:`slot_constructor`, typed as the class so that calls are checked against its fields."""
    return cast("type[T]", slot_constructor(cls, keywords=True) or cls)


def _slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """The slot setters of ``cls``'s fields, if an instance can be made by setting its
    slots directly: what attrs' ``__init__`` does, without its call and keyword parsing.

    Only for a plain slotted class: any converter, validator, init hook or cached hash
    needs the real ``__init__``.
    """
    init_code = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if init_code is None or not init_code.co_filename.startswith("<attrs generated"):
        return None  # a hand-written ``__init__`` may do anything
    if any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return None
    fields = attrs.fields(cls)
    if any(f.converter or f.validator or not f.init for f in fields):
        return None
    setters = {}
    for field in fields:
        slot = next((k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__), None)
        if type(slot) is not types.MemberDescriptorType:
            return None
        setters[field.name] = slot.__set__
    slots = {name for k in cls.__mro__ for name in getattr(k, "__slots__", ())}
    if "__attrs_cached_hash__" in slots:
        return None
    return setters


def _default_of(field: attrs.Attribute[Any], index: int, names: dict[str, Any]) -> str:
    """The expression for a missing field's default, as attrs' ``__init__`` computes it."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        names[f"f{index}"] = default.factory
        return f"f{index}(self)" if default.takes_self else f"f{index}()"
    names[f"d{index}"] = default
    return f"d{index}"


def _first_use(
    converter: cattrs.Converter, hint: Any, hooks: list[Callable[[Any, Any], Any]], slot: int
) -> Callable[[Any, Any], Any]:
    # The hook is looked up on first use, then put in its slot: the hint may be the class
    # being made (or a union of it), whose hook does not exist yet.
    def first(value: Any, target: Any) -> Any:
        hooks[slot] = converter.get_structure_hook(hint)
        return hooks[slot](value, target)

    return first
