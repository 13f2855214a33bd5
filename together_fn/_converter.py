"""The cattrs converters behind :mod:`together_fn.codec`, built when first needed.

Shaped like cattrs' ``preconf`` modules: :func:`configure_converter` registers every hook on
a converter and :func:`make_converter` builds a fresh one. Models know nothing about JSON;
renames (a field called ``from_`` on the wire as ``from``) are declared with
:func:`~together_fn.schema.wire_name` metadata and applied here.

A module of its own so that importing together_fn does not import cattrs nor build the
converters: :mod:`together_fn.codec` imports it on the first decode or encode.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from together_fn._fast_structure import fast_structure_fn
from together_fn._fast_unstructure import ArgumentsUnstructure, arguments_unstructure_fn
from together_fn.codec import PLAIN_DECODE_ERRORS, type_name
from together_fn.schema import WIRE_NAME, ByKey, Tagged


def _structure_overrides(cls: type) -> dict[str, Any]:
    return {
        a.name: override(rename=a.metadata[WIRE_NAME])
        for a in attrs.fields(cls)
        if WIRE_NAME in a.metadata
    }


def _unstructure_overrides(cls: type) -> dict[str, Any]:
    # ``None`` means "not sent": a field whose default is None is omitted while it is None,
    # every other field (a union's tag, say) is always written.
    return {
        a.name: override(rename=a.metadata.get(WIRE_NAME), omit_if_default=a.default is None)
        for a in attrs.fields(cls)
    }


def _marker(t: object) -> Tagged | ByKey | None:
    if get_origin(t) is Annotated:
        for extra in t.__metadata__:  # type: ignore[attr-defined]
            if isinstance(extra, Tagged | ByKey):
                return extra
    return None


def _union_structure_hook(
    converter: cattrs.Converter, marker: Tagged | ByKey
) -> Callable[[Any, type], Any]:
    def structure_union(value: Any, _: type) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        chosen = _choose(marker, value)
        if chosen is None:
            raise ValueError(f"cannot tell which variant this object is: keys {sorted(value)}")
        return converter.structure(value, chosen)

    return structure_union


def _is_str(v: object) -> bool:
    return isinstance(v, str)


def _is_bool(v: object) -> bool:
    return isinstance(v, bool)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_array(v: object) -> bool:
    return isinstance(v, list | tuple)


def _is_object(v: object) -> bool:
    return isinstance(v, dict)


def _is_none(v: object) -> bool:
    return v is None


def _always(_: object) -> bool:
    return True


_KIND_CHECKS: dict[Any, Callable[[object], bool]] = {
    str: _is_str,
    bool: _is_bool,
    int: _is_int,
    float: _is_number,
    tuple: _is_array,
    list: _is_array,
    dict: _is_object,
}


def _kind_check(member: Any) -> Callable[[object], bool]:
    """Whether a JSON value is of the kind ``member`` expects (worked out once per member)."""
    if member is Any:
        return _always
    if member is type(None):
        return _is_none
    origin = get_origin(member)
    if origin is Annotated:
        return _is_object
    if origin is Literal:
        options = get_args(member)
        return lambda v: v in options
    base = origin or member
    if base in _KIND_CHECKS:
        return _KIND_CHECKS[base]
    return lambda v: isinstance(v, dict) and attrs.has(base)


_UNION_ORIGINS: tuple[object, ...] = (typing.Union, types.UnionType)


def _is_union(t: object) -> bool:
    origin: object = get_origin(t)
    return origin in _UNION_ORIGINS


def _kind_union_hook(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    # Unions of JSON kinds (``str | tuple[Part, ...]``, ``int | float``, ``X | None``) are
    # told apart by the kind of the JSON value; several models in one union are tried in order.
    # A factory, so that each union's members and kind checks are worked out once, not per value.
    def for_union(union: Any) -> Callable[[Any, Any], Any]:
        checks = tuple((member, _kind_check(member)) for member in get_args(union))
        others = [(m, accepts) for m, accepts in checks if m is not type(None)]
        if len(checks) == 2 and len(others) == 1 and not others[0][1](None):
            return _optional_hook(converter, union, *others[0])

        # null is usually accepted by ``None`` alone: then it needs no candidate list.
        only_none = [m for m, accepts in checks if accepts(None)] == [type(None)]

        def structure_union(value: Any, _: Any) -> Any:
            if value is None and only_none:
                return converter.structure(value, type(None))
            candidates = [member for member, accepts in checks if accepts(value)]
            if not candidates:
                raise TypeError(f"{type(value).__name__} is none of {type_name(union)}")
            for member in candidates[:-1]:
                try:
                    return converter.structure(value, member)
                except DECODE_ERRORS:
                    continue
            return converter.structure(value, candidates[-1])

        return structure_union

    return for_union


def _optional_hook(
    converter: cattrs.Converter, union: Any, member: Any, accepts: Callable[[object], bool]
) -> Callable[[Any, Any], Any]:
    # ``X | None`` where ``X`` never accepts null: the general hook's answer, without
    # building a candidate list for every value (most optional fields of every model).
    scalar = _optional_scalar(converter, union, member)
    if scalar is not None:
        return scalar
    # Hooks are looked up on first use, not here: ``X`` may be the class being generated.
    hooks: dict[Any, Callable[[Any, Any], Any]] = {}

    def structure_optional(value: Any, _: Any) -> Any:
        if value is None:
            target: Any = type(None)
        elif accepts(value):
            target = member
        else:
            raise TypeError(f"{type(value).__name__} is none of {type_name(union)}")
        hook = hooks.get(target)
        if hook is None:
            hook = hooks[target] = converter.get_structure_hook(target)
        return hook(value, target)

    return structure_optional


def _optional_scalar(
    converter: cattrs.Converter, union: Any, member: Any
) -> Callable[[Any, Any], Any] | None:
    # ``str | None`` and friends, the commonest fields: while the converter uses this module's
    # hooks for ``X`` and for null, the kind check plus ``X``'s hook is one isinstance test.
    if member not in (str, int, float, bool):
        return None
    if converter.get_structure_hook(type(None)) is not _structure_none:
        return None
    if converter.get_structure_hook(member) is not _SCALAR_HOOKS[member]:
        return None
    name = type_name(union)

    def mismatch(value: Any) -> TypeError:
        return TypeError(f"{type(value).__name__} is none of {name}")

    return _scalar_or_none(member, mismatch)


def _scalar_or_none(member: Any, mismatch: Callable[[Any], TypeError]) -> Callable[[Any, Any], Any]:
    if member is float:

        def structure_number(value: Any, _: Any) -> Any:
            if type(value) is float or value is None:
                return value  # float() of an exact float is that very float
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            raise mismatch(value)

        return structure_number
    if member is int:

        def structure_int(value: Any, _: Any) -> Any:
            if type(value) is int or value is None:
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise mismatch(value)

        return structure_int
    kind = str if member is str else bool

    def structure_scalar(value: Any, _: Any) -> Any:
        if value is None or isinstance(value, kind):
            return value
        raise mismatch(value)

    return structure_scalar


def _choose(marker: Tagged | ByKey, value: dict[str, Any]) -> type | None:
    if isinstance(marker, Tagged):
        return marker.variant(value.get(marker.tag))
    for key, variant in marker.keys:
        if key in value:
            return variant
    return marker.default


def _structure_int(value: object, _: type) -> int:
    # bool is an int subclass in Python but never a JSON integer.
    if isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value)
    raise TypeError(f"expected an integer, got {value!r}")


def _structure_bool(value: object, _: type) -> bool:
    # Registered for bool itself: otherwise bool dispatches to the int hook (its base class),
    # which rejects booleans.
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected a boolean, got {value!r}")


def _structure_float(value: object, _: type) -> float:
    if type(value) is float:
        return value  # what float() would return, without the slower checks below
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _structure_str(value: object, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {value!r}")


def _structure_float_tuple(value: object, _: type) -> tuple[float, ...]:
    # The hot path of embeddings: one C-level pass instead of a hook call per float.
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected an array of numbers, got {type(value).__name__}")
    try:
        return tuple(map(float, value))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"expected an array of numbers: {exc}") from None


def _passthrough(value: object, _: type) -> object:
    return value


def _is_array_type(t: object) -> bool:
    args = get_args(t)
    if get_origin(t) is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return get_origin(t) is list


def _array_hook(converter: cattrs.Converter, t: Any) -> Callable[[Any, Any], Any]:
    # cattrs turns any iterable into a sequence: a string would become its characters
    # and an object its keys. Only a JSON array is an array.
    make = homogenous_tuple_structure_factory if get_origin(t) is tuple else list_structure_factory
    inner = make(t, converter)

    def structure_array(value: Any, cls: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected an array, got {type(value).__name__}")
        return inner(value, cls)

    return structure_array


def _structure_none(value: object, _: type) -> None:
    # The ``None`` member of ``X | None``: only JSON null is accepted.
    if value is not None:
        raise TypeError(f"expected null, got {value!r}")


_SCALAR_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {
    str: _structure_str,
    int: _structure_int,
    float: _structure_float,
    bool: _structure_bool,
}


def configure_converter(converter: cattrs.Converter, *, fast: bool = False) -> None:
    """Register together_fn's hooks on ``converter`` (``fast``: models structured by
    :mod:`together_fn._fast_structure` instead of cattrs' generated functions)."""
    converter.register_structure_hook_factory(_is_array_type, lambda t: _array_hook(converter, t))
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook_func(lambda t: t == tuple[float, ...], _structure_float_tuple)
    converter.register_structure_hook_func(lambda t: t is Any, _passthrough)
    converter.register_structure_hook(type(None), _structure_none)
    converter.register_structure_hook_factory(_is_union, _kind_union_hook(converter))
    converter.register_structure_hook_factory(
        lambda t: _marker(t) is not None,
        lambda t: _union_structure_hook(converter, _marker(t)),  # type: ignore[arg-type]
    )
    converter.register_unstructure_hook_func(
        lambda t: _marker(t) is not None, lambda v: converter.unstructure(v)
    )

    def structure_factory(cls: type) -> Callable[[Any, type], Any]:
        if fast:
            return fast_structure_fn(cls, converter)
        fields: Callable[[Any, type], Any] = make_dict_structure_fn(
            cls, converter, **_structure_overrides(cls)
        )

        def structure_object(value: Any, target: type) -> Any:
            # The generated function only looks keys up: an array or a string would
            # quietly become a model made of its defaults.
            # (dict first: it spares the slow ABC check in the common case.)
            if type(value) is not dict and not isinstance(value, Mapping):
                raise TypeError(f"expected an object, got {type(value).__name__}")
            return fields(value, target)

        return structure_object

    def unstructure_factory(cls: type) -> Callable[[Any], Any]:
        return make_dict_unstructure_fn(cls, converter, **_unstructure_overrides(cls))

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A fresh converter configured for the Together API.

    ``detailed_validation=False`` compiles the same hooks without cattrs' per-field error
    bookkeeping, and models with :mod:`together_fn._fast_structure`: several times as fast,
    but a mismatch says less about where it is.
    """
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_converter(converter, fast=not detailed_validation)
    return converter


#: What a failed decode may raise: cattrs' own errors and whatever a hook raises.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    cattrs.ClassValidationError,
    cattrs.IterableValidationError,
    cattrs.BaseValidationError,
    *PLAIN_DECODE_ERRORS,
)

#: Every hook, with errors that name the path of each mismatch (``codec.CONVERTER``).
DETAILED = make_converter()
#: The same configuration compiled for speed; decoding tries it first and asks
#: :data:`DETAILED` to explain only when it fails (so both always agree on what decodes).
FAST = make_converter(detailed_validation=False)


def arguments_unstructure_hook(cls: type) -> ArgumentsUnstructure:
    """A builder's arguments -> ``DETAILED.unstructure(cls(**given))``, compiled so as not to
    make the model (see :mod:`together_fn._fast_unstructure`)."""
    return arguments_unstructure_fn(cls, DETAILED, _unstructure_overrides(cls))
