"""The JSON a request model would unstructure to, without making the model.

A builder makes a request model only to encode it, and the instance is dropped once its JSON
is written. For a model with many optional fields (``ChatCompletionRequest`` has 27), most of
a call's build time went into setting fields left at ``None`` and then reading them back.

:func:`arguments_unstructure_fn` compiles, per model, a function that takes a builder's
arguments (its ``locals()``) and returns ``unstructure(cls(**given))``, where ``given`` are
the arguments that are not ``None`` and name a field (a builder's ``options`` does not):

- the given fields get the same converters and validators as in the model's ``__init__``,
  which runs all the converters before any validator;
- a field not given takes its converted default, which was checked once, when the function
  was made;
- the output uses the hooks, names and omissions of cattrs' generated unstructure function.

Errors take the slow road: when anything raises, the model itself is made, so a bad argument
fails exactly as ``cls(**given)`` fails. A model this cannot mirror gets
``unstructure(cls(**given))`` every time. That includes a model with an init hook, a
converter or default that takes the instance, or a default that its own validator refuses.
"""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from together_fn.schema import JSON_SHORTCUT

if TYPE_CHECKING:
    import cattrs

ArgumentsUnstructure = Callable[[Mapping[str, Any]], Any]

#: Scalars a hook returns unchanged: tried on each field's hook before relying on it.
_PROBES: tuple[object, ...] = ("text", 1, 1.5, True)
#: Values worth computing once: immutable, so one object can serve every call.
_IMMUTABLE = (str, int, float, bool, type(None))


class _NoMirrorError(Exception):
    """The model's ``__init__`` does something the compiled function would not repeat."""


def _scalar_only(hint: Any) -> bool:
    """Whether every value of ``hint`` is a JSON scalar (or ``None``)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return all(_scalar_only(member) for member in typing.get_args(hint))
    if origin is Literal:
        return all(isinstance(value, _IMMUTABLE) for value in typing.get_args(hint))
    return hint in _IMMUTABLE


def _passed_through(hook: Callable[[Any], Any]) -> tuple[type, ...]:
    """The scalar types ``hook`` returns unchanged (so the compiled function need not call it)."""
    return tuple(type(probe) for probe in _PROBES if _returns_unchanged(hook, probe))


def _returns_unchanged(hook: Callable[[Any], Any], probe: object) -> bool:
    try:
        return hook(probe) is probe
    except Exception:  # a hook that refuses a probe keeps its calls
        return False


def _default_of(field: attrs.Attribute[Any]) -> tuple[bool, Any]:
    """Whether ``field`` has a default, and that default as its converter makes it."""
    default = field.default
    if default is attrs.NOTHING:
        return False, None
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        raise _NoMirrorError(f"{field.name}: a factory default is made anew by each __init__")
    # A plain callable: :func:`_check_mirrorable` has seen to it.
    converter = cast("Callable[[Any], Any] | None", field.converter)
    converted = default if converter is None else converter(default)
    if field.validator is not None:
        field.validator(None, field, converted)  # a default its validator refuses: no mirror
    if converted != converted:  # NaN-like: cattrs would always write it
        raise _NoMirrorError(f"{field.name}: the default is not equal to itself")
    return True, converted


def _check_mirrorable(cls: type, converter: cattrs.Converter) -> None:
    init_code = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if init_code is None or not init_code.co_filename.startswith("<attrs generated"):
        raise _NoMirrorError(f"{cls.__name__}'s __init__ is not the one attrs wrote")
    for hook in ("__attrs_pre_init__", "__attrs_post_init__", "__attrs_init__"):
        if hasattr(cls, hook):
            raise _NoMirrorError(f"{cls.__name__} has {hook}")
    if getattr(converter, "use_alias", False):
        raise _NoMirrorError("the converter writes aliases")
    for field in attrs.fields(cls):
        if not field.init:
            raise _NoMirrorError(f"{field.name} is not an __init__ argument")
        if field.converter is not None and not _plain_callable(field.converter):
            raise _NoMirrorError(f"{field.name}: the converter takes the instance or field")


def _plain_callable(converter: object) -> bool:
    return callable(converter) and not isinstance(converter, attrs.Converter)


def arguments_unstructure_fn(
    cls: type, converter: cattrs.Converter, overrides: Mapping[str, Any]
) -> ArgumentsUnstructure:
    """``arguments -> converter.unstructure(cls(**given))``, compiled for ``cls``.

    ``overrides`` are the cattrs attribute overrides the converter's unstructure function
    for ``cls`` was made with (only ``rename`` and ``omit_if_default`` are mirrored).
    """

    names = frozenset(field.alias for field in attrs.fields(cls))

    def slow(arguments: Mapping[str, Any]) -> Any:
        given = {k: v for k, v in arguments.items() if v is not None and k in names}
        return converter.unstructure(cls(**given))

    try:
        return _compile(cls, converter, overrides, slow)
    except Exception:  # whatever stops the mirror: the model itself
        return slow


def _compile(
    cls: type,
    converter: cattrs.Converter,
    overrides: Mapping[str, Any],
    slow: ArgumentsUnstructure,
) -> ArgumentsUnstructure:
    _check_mirrorable(cls, converter)
    attrs.resolve_types(cls)
    names: dict[str, Any] = {
        "_M": None,  # an argument that is None is not given
        "_slow": slow,
        "_disabled": attrs.validators.get_disabled,
    }
    take, convert, validate, always, optional = [], [], [], [], []
    for i, field in enumerate(attrs.fields(cls)):
        override = overrides.get(field.name)
        if override is not None and (override.unstruct_hook is not None or override.omit):
            raise _NoMirrorError(f"{field.name}: an unstructure override")
        key = (override.rename if override is not None else None) or field.name
        omit = override is not None and bool(override.omit_if_default)
        has_default, default = _default_of(field)
        value = f"v{i}"
        take.append(f"    {value} = arguments.get({field.alias!r})")
        if not has_default:
            take.append(f"    if {value} is _M: raise _NoMirrorError")
        shortcut = field.metadata.get(JSON_SHORTCUT)
        # With a shortcut, ``j{i}`` is the field's JSON when it knew the argument, else None.
        pending = f"{value} is not _M" if shortcut is None else f"j{i} is None"
        if shortcut is not None:
            if has_default:
                raise _NoMirrorError(f"{field.name}: a shortcut on a field with a default")
            names[f"s{i}"] = shortcut
            convert.append(f"    j{i} = s{i}({value})")
        if field.converter is not None:
            names[f"c{i}"] = field.converter
            convert.append(f"    if {pending}:")
            convert.append(f"        {value} = c{i}({value})")
            # None now would read as "not given": the model itself tells what it means.
            convert.append(f"        if {value} is _M: raise _NoMirrorError")
        if field.validator is not None:
            names[f"a{i}"], names[f"check{i}"] = field, field.validator
            validate.append(f"        if {pending}: check{i}(None, a{i}, {value})")
        hook = converter.get_unstructure_hook(field.type, cache_result=False)
        written = _written(names, i, hook, field.type, value)
        if shortcut is not None:
            written = f"j{i} if j{i} is not None else {written}"
        if omit and has_default:
            names[f"d{i}"] = default
            given = f"{value} is not _M and {value} != d{i}"
            optional.append(f"    if {given}: res[{key!r}] = {written}")
        elif has_default:
            names[f"d{i}"] = default
            fallback = f"d{i}"
            if not isinstance(default, _IMMUTABLE) or hook(default) is not default:
                fallback = f"h{i}(d{i})"  # written afresh: the caller may change what it gets
                names[f"h{i}"] = hook
            always.append(f"        {key!r}: {written} if {value} is not _M else {fallback},")
        else:
            always.append(f"        {key!r}: {written},")
    lines = [
        "def unstructure_arguments(arguments):",
        "  try:",
        *take,
        *convert,
        "    if not _disabled():",
        *(validate or ["        pass"]),
        "    res = {",
        *always,
        "    }",
        *optional,
        "    return res",
        "  except Exception:",
        "    return _slow(arguments)  # raises what cls(**given) raises",
    ]
    names["_NoMirrorError"] = _NoMirrorError
    source = "\n".join(lines) + "\n"
    filename = f"<together_fn fast unstructure {cls.__module__}.{cls.__qualname__}>"
    # Registered with linecache so that tracebacks and profilers can show the code.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)  # noqa: S102 - code generated above
    function: ArgumentsUnstructure = names["unstructure_arguments"]
    return function


def _written(names: dict[str, Any], i: int, hook: Any, hint: Any, value: str) -> str:
    """The expression that writes field ``i``'s (converted) value."""
    from cattrs.fns import identity

    if hook == identity:
        return value
    names[f"h{i}"] = hook
    kept = _passed_through(hook) if _scalar_only(hint) else ()
    if not kept:
        return f"h{i}({value})"
    names[f"k{i}"] = frozenset(kept)
    return f"({value} if type({value}) in k{i} else h{i}({value}))"
