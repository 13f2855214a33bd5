"""Every model class, and a Hypothesis strategy for values of any of them, from their types.

Request models validate their arguments; a drawn combination they refuse is not a value
of the model, so it is rejected (``assume``) rather than reported.
"""

from __future__ import annotations

import ast
import collections.abc
import enum
import importlib
import inspect
import pkgutil
import re
import types
import typing
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

import attrs
from hypothesis import assume
from hypothesis import strategies as st

import together_fn.models

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@cache
def model_classes() -> tuple[type, ...]:
    """Every attrs class defined in ``together_fn.models``."""
    found: list[type] = []
    for info in sorted(pkgutil.iter_modules(together_fn.models.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"together_fn.models.{info.name}")
        for _, obj in sorted(vars(module).items()):
            if inspect.isclass(obj) and attrs.has(obj) and obj.__module__ == module.__name__:
                found.append(obj)
    return tuple(found)


SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: st.integers(-(2**40), 2**40),
    float: st.floats(allow_nan=False, allow_infinity=False),
    # Mostly non-empty: request models refuse empty names and ids.
    str: st.text(min_size=1, max_size=10) | st.just(""),
    bytes: st.binary(max_size=10),
    type(None): st.none(),
}
SEQUENCES = (list, collections.abc.Sequence)
MAPPINGS = (dict, collections.abc.Mapping)


def values_of(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the type ``tp`` as models declare it."""
    origin = get_origin(tp)
    if tp is Any or tp is object:
        return JSON
    if tp in SCALARS:
        return SCALARS[tp]
    if origin is Annotated:
        return values_of(get_args(tp)[0], depth)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in get_args(tp) if depth < 3 or not _is_model(m)]
        if any(_is_model(m) for m in members):
            # ``Model | dict[str, Any]`` lets a request send a shape the model does not know
            # yet; read back, such a dict is the model by design, so it cannot round-trip.
            members = [m for m in members if get_origin(m) not in MAPPINGS] or members
        return st.one_of([values_of(m, depth) for m in members] or [st.none()])
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if inspect.isclass(tp) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if _is_model(tp):
        return instances(tp, depth + 1)
    return _containers(tp, origin, depth)


def _containers(tp: Any, origin: Any, depth: int) -> st.SearchStrategy[Any]:
    args = get_args(tp)
    room = 3 if depth < 3 else 0
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(values_of(args[0], depth + 1), max_size=room).map(tuple)
    if origin is tuple:
        return st.tuples(*(values_of(a, depth + 1) for a in args))
    if origin in SEQUENCES:
        return st.lists(values_of(args[0], depth + 1), max_size=room)
    if origin in MAPPINGS:
        key, value = args or (str, Any)
        return st.dictionaries(
            values_of(key, depth + 1), values_of(value, depth + 1), max_size=room
        )
    raise TypeError(f"no strategy for {tp!r}")


def _is_model(tp: Any) -> bool:
    return inspect.isclass(tp) and attrs.has(tp)


@cache
def instances(cls: type, depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of the model ``cls``; optional fields are often left at their default."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    required = {f.alias or f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        drawn = values_of(hints[field.name], depth)
        if isinstance(field.default, str) and field.default:
            # A string with a default of its own is a union's tag: drawing it would make the
            # value claim to be another variant.
            drawn = st.just(_DEFAULT)
        elif field.default is not attrs.NOTHING:
            drawn = st.just(_DEFAULT) | drawn
        fields[field.alias or field.name] = drawn

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        kwargs = {name: draw(s) for name, s in fields.items()}
        kwargs = {name: value for name, value in kwargs.items() if value is not _DEFAULT}
        return _construct(cls, kwargs, required)

    return build()


_DEFAULT = object()


_ONE_OF = re.compile(r"(\w+) must be one of (\(.*?\)), got")


def _construct(cls: type, kwargs: dict[str, Any], required: set[str]) -> Any:
    """``cls(**kwargs)``; a value a validator names its choices for is replaced by the first
    choice, and other refusals fall back to the required fields alone."""
    fallback = False
    for _ in range(8):
        try:
            return cls(**kwargs)
        except (ValueError, TypeError) as refused:
            match = _ONE_OF.search(str(refused))
            if match and match.group(1) in kwargs:
                kwargs = {**kwargs, match.group(1): ast.literal_eval(match.group(2))[0]}
            elif not fallback:
                fallback = True
                kwargs = {k: v for k, v in kwargs.items() if k in required}
            else:
                break
    assume(False)  # not one of the model's values
    raise AssertionError("unreachable")


def _seeds() -> dict[str, Any]:
    from together_fn.models.endpoints import Autoscaling, CreateEndpointRequest
    from together_fn.models.evaluation import EvaluationClassifyParameters, EvaluationTypedRequest
    from together_fn.models.rl_inputs import ForwardBackwardBody

    judge = {"model": "judge", "system_template": "You judge.", "model_source": "serverless"}
    classify = EvaluationClassifyParameters(
        judge=judge, labels=("good", "bad"), pass_labels=("good",), input_data_file_path="f-1"
    )
    sample = {
        "model_input": {"chunks": [{"encoded_text": {"tokens": [1, 2]}}]},
        "loss_inputs": {"target_tokens": {"data": [2, 3]}},
    }
    return {
        "CreateEndpointRequest": CreateEndpointRequest(
            model="m", hardware="h", autoscaling=Autoscaling(min_replicas=1, max_replicas=2)
        ),
        "EvaluationClassifyParameters": classify,
        "EvaluationTypedRequest": EvaluationTypedRequest(type="classify", parameters=classify),
        "ForwardBackwardBody": ForwardBackwardBody(
            samples=(sample,), loss={"type": "LOSS_TYPE_CROSS_ENTROPY"}
        ),
    }


def models_of(cls: type) -> st.SearchStrategy[Any]:
    """Instances of ``cls``; for the few request models whose rules (at least two labels, a
    non-empty batch...) random values almost never meet, a hand-made valid one."""
    seed = _seeds().get(cls.__name__)
    return instances(cls) if seed is None else st.just(seed)
