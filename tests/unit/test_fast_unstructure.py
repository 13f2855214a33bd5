"""``unstructure_arguments`` answers what ``unstructure(cls(**given))`` answers, without the
model; ``dumps`` writes what ``json.dumps`` writes; the keyword slot constructors make what
the classes make."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Success

import together_fn.models
from together_fn._converter import _unstructure_overrides
from together_fn._fast_structure import slot_constructor
from together_fn._fast_unstructure import arguments_unstructure_fn
from together_fn.api._build import NO_OPTIONS
from together_fn.api.chat import create_chat_completion
from together_fn.api.completions import create_completion
from together_fn.calls import Call, Exchange, new_call, new_exchange
from together_fn.codec import CONVERTER, dumps, unstructure, unstructure_arguments
from together_fn.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    JsonBody,
    Method,
    Timeout,
    new_head,
    new_request,
    new_response,
)
from together_fn.models.chat import ChatCompletionMessage, ChatCompletionRequest
from together_fn.models.common import FunctionCall
from together_fn.models.completions import CompletionRequest
from together_fn.schema import json_shortcut, wire_name


def outcome(thunk: Callable[[], Any]) -> tuple[object, ...]:
    """What ``thunk`` returns (with its JSON, which shows key order), or what it raises."""
    try:
        value = thunk()
    except Exception as error:
        return (type(error), str(error))
    return ("ok", value, dumps(value))


def same_as_the_model(cls: type, arguments: Mapping[str, Any]) -> None:
    # What ``params(locals())`` keeps of a builder's arguments.
    names = {field.alias for field in attrs.fields(cls)}
    given = {k: v for k, v in arguments.items() if v is not None and k in names}
    fast = outcome(lambda: unstructure_arguments(cls, arguments))
    assert fast == outcome(lambda: unstructure(cls(**given)))


def compiled(cls: type) -> bool:
    """Whether ``cls`` gets a compiled function (not ``unstructure(cls(**given))``)."""
    function = arguments_unstructure_fn(cls, CONVERTER, _unstructure_overrides(cls))
    return function.__name__ == "unstructure_arguments"


USER = {"role": "user", "content": "hi"}

CHAT_FIELDS: list[dict[str, Any]] = [
    {"model": "m", "messages": [USER]},
    {"model": "m", "messages": (USER, {"role": "system", "content": "be brief"})},
    {
        "model": "m",
        "messages": [
            {"role": "developer", "content": "d"},
            {"role": "assistant", "content": "a"},
            {"role": "user", "content": "u", "name": "ann"},
            {"role": "user", "content": [{"type": "text", "text": "t"}, {"type": "x", "y": 1}]},
            {"role": "tool", "content": "42", "tool_call_id": "c1"},
            {"role": "function", "content": "f", "name": "fn"},
            {"role": "critic", "content": "unknown roles are sent as given"},
            {"role": "user", "content": None},
            ChatCompletionMessage(content="an answer fed back"),
            ChatCompletionMessage(function_call=FunctionCall(name="f", arguments="{}")),
        ],
    },
    {
        "model": "m",
        "messages": [USER],
        "max_tokens": 0,
        "stop": "\n",
        "temperature": 0.5,
        "top_p": 1,
        "top_k": 40,
        "repetition_penalty": 1.1,
        "stream": False,
        "logprobs": 3,
        "echo": True,
        "n": 2,
        "safety_model": "guard",
        "min_p": 0.1,
        "presence_penalty": -2,
        "frequency_penalty": 2,
        "logit_bias": {"105": 21.4, 1024: -1},
        "seed": 93137811394053800001,
        "context_length_exceeded_behavior": "truncate",
        "function_call": {"name": "f"},
        "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {}}},
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "tool_choice": "auto",
        "compliance": "hipaa",
        "chat_template_kwargs": {"thinking": True},
        "reasoning_effort": "low",
        "reasoning": {"enabled": True},
    },
    {"model": "m", "messages": [USER], "stop": ["a", "b"], "response_format": {"type": "text"}},
    {"model": "m", "messages": [USER], "tool_choice": {"type": "function", "function": {}}},
    {"model": "m", "messages": [USER], "temperature": None, "seed": None},  # None: not sent
    {"model": "m", "messages": [USER], "options": NO_OPTIONS},  # not a field: not sent
    # Refused, as the model refuses them:
    {"model": "m", "messages": []},
    {"model": "m", "messages": "hi"},
    {"model": "m", "messages": USER},
    {"model": "m", "messages": [42]},
    {"model": "", "messages": [USER]},
    {"model": "m", "messages": [USER], "temperature": -1},
    {"model": "m", "messages": [USER], "top_p": 2},
    {"model": "m", "messages": [USER], "n": 0},
    {"model": "m", "messages": [USER], "logprobs": 21},
    {"model": "m", "messages": [USER], "stop": []},
    {"messages": [USER]},
    {"model": None, "messages": [USER]},
    {"model": "m"},
    {},
]


@pytest.mark.parametrize("fields", CHAT_FIELDS)
def test_chat_requests_encode_as_the_model_does(fields: dict[str, Any]) -> None:
    same_as_the_model(ChatCompletionRequest, fields)


@pytest.mark.parametrize(
    ("builder", "cls"),
    [(create_chat_completion, ChatCompletionRequest), (create_completion, CompletionRequest)],
)
def test_builders_that_pass_their_locals_take_exactly_the_fields(
    builder: Callable[..., Any], cls: type
) -> None:
    # Arguments that are not fields are dropped: a parameter of another name would be lost.
    parameters = set(inspect.signature(builder).parameters) - {"options"}
    assert parameters <= {field.alias for field in attrs.fields(cls)}
    assert compiled(cls)


@pytest.mark.parametrize(
    "fields",
    [
        {"model": "m", "prompt": "Paris is", "max_tokens": 5, "stop": ["."], "seed": 1},
        {"model": "m", "prompt": ""},
        {"model": "m", "prompt": "p", "top_p": -0.5},
        {"model": "m"},
    ],
)
def test_completion_requests_encode_as_the_model_does(fields: dict[str, Any]) -> None:
    same_as_the_model(CompletionRequest, fields)


_ROLES = st.sampled_from(["system", "developer", "user", "assistant", "tool", "function", "x"])
_CONTENT = st.one_of(
    st.text(max_size=5),
    st.none(),
    st.integers(),
    st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=3)})),
)
_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": _ROLES, "content": _CONTENT}),
    st.fixed_dictionaries(
        {"role": _ROLES, "content": _CONTENT},
        optional={"name": st.text(max_size=3), "tool_call_id": st.text(max_size=3)},
    ),
    st.dictionaries(st.sampled_from(["role", "content", "other"]), st.text(max_size=3)),
)


@given(messages=st.lists(_MESSAGE, max_size=4))
def test_any_messages_encode_as_the_model_does(messages: list[dict[str, Any]]) -> None:
    same_as_the_model(ChatCompletionRequest, {"model": "m", "messages": messages})


def _models() -> list[type]:
    found: dict[str, type] = {}
    for module in pkgutil.iter_modules(together_fn.models.__path__):
        loaded = importlib.import_module(f"together_fn.models.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if attrs.has(value) and value.__module__.startswith("together_fn.models"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


@pytest.mark.parametrize("cls", _models(), ids=lambda cls: cls.__name__)
def test_every_model_made_of_its_defaults_encodes_as_the_model_does(cls: type) -> None:
    # With no arguments, each field takes its default, or is missing: the same answer.
    same_as_the_model(cls, {})


def test_validators_off_are_off_for_both() -> None:
    fields = {"model": "m", "messages": [USER], "temperature": -1}
    with attrs.validators.disabled():
        same_as_the_model(ChatCompletionRequest, fields)
        assert unstructure_arguments(ChatCompletionRequest, fields)["temperature"] == -1


def _upper(value: str) -> str:
    return value.upper()


def _positive(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be positive")


@attrs.frozen(kw_only=True)
class _Plain:
    kind: Literal["plain"] = "plain"  # a default that is not None is always written
    name: str = attrs.field(converter=_upper)
    from_: str | None = attrs.field(default=None, metadata=wire_name("from"))
    count: int | None = attrs.field(default=None, validator=_positive)
    tags: tuple[str, ...] = ("a",)  # a default written anew for each call


def _none_if_blank(value: str) -> str | None:
    return value.strip() or None


@attrs.frozen(kw_only=True)
class _ConvertedToNone:
    label: str | None = attrs.field(default="default", converter=_none_if_blank)


@attrs.frozen(kw_only=True)
class _PostInit:
    name: str

    def __attrs_post_init__(self) -> None:
        if self.name == "no":
            raise ValueError("refused after __init__")


class _OwnInit(_Plain):
    def __init__(self, **fields: Any) -> None:
        super().__init__(**{**fields, "name": "own"})


@attrs.frozen(kw_only=True)
class _FactoryDefault:
    seen: dict[str, int] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class _RefusedDefault:
    count: int = attrs.field(default=0, validator=_positive)


def _exclaimed(value: str, _self: object) -> str:
    return f"{value}!"


_TAKES_SELF: Any = attrs.Converter(_exclaimed, takes_self=True)


@attrs.frozen(kw_only=True)
class _SelfConverter:
    name: str = attrs.field(converter=_TAKES_SELF)  # type: ignore[misc]


@attrs.frozen(kw_only=True)
class _ShortcutWithDefault:
    name: str | None = attrs.field(default=None, metadata=json_shortcut(lambda value: None))


def test_a_plain_model_is_compiled_with_renames_defaults_and_checks() -> None:
    assert compiled(_Plain)
    for fields in (
        {"name": "ann"},
        {"name": "ann", "from_": "x", "count": 2, "tags": ("b", "c"), "kind": "plain"},
        {"name": "ann", "count": 0},
        {"name": 1},
        {"from_": "x"},
    ):
        same_as_the_model(_Plain, fields)
    first, second = (unstructure_arguments(_Plain, {"name": "a"}) for _ in range(2))
    assert first == second == {"kind": "plain", "name": "A", "tags": ["a"]}
    assert first["tags"] is not second["tags"]  # the caller may change what it gets


@pytest.mark.parametrize("label", [" ", "x", None])
def test_a_converter_that_answers_none_is_not_taken_for_a_missing_argument(
    label: str | None,
) -> None:
    assert compiled(_ConvertedToNone)
    same_as_the_model(_ConvertedToNone, {"label": label})


@pytest.mark.parametrize(
    ("cls", "fields"),
    [
        (_PostInit, {"name": "yes"}),
        (_PostInit, {"name": "no"}),
        (_OwnInit, {"name": "given"}),
        (_FactoryDefault, {}),
        (_RefusedDefault, {"count": 3}),
        (_RefusedDefault, {}),
        (_SelfConverter, {"name": "n"}),
        (_ShortcutWithDefault, {"name": "n"}),
    ],
)
def test_models_it_cannot_mirror_are_made(cls: type, fields: dict[str, Any]) -> None:
    assert not compiled(cls)
    same_as_the_model(cls, fields)


# -- dumps ----------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


def _json_dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@given(_JSON)
def test_dumps_writes_what_json_dumps_writes(value: object) -> None:
    assert outcome(lambda: dumps(value)) == outcome(lambda: _json_dumps(value))


def _cycle() -> list[object]:
    loop: list[object] = []
    loop.append(loop)
    return loop


@pytest.mark.parametrize(
    "value",
    [float("nan"), {"x": float("inf")}, {"x": object()}, {(1, 2): "tuple key"}, _cycle()],
)
def test_dumps_fails_as_json_dumps_fails(value: object) -> None:
    assert outcome(lambda: dumps(value)) == outcome(lambda: _json_dumps(value))


@pytest.mark.parametrize("value", [{"x": float("nan")}, [float("-inf"), 1.5], {"x": object()}])
def test_dumps_allowing_nan_writes_what_json_dumps_writes(value: object) -> None:
    lenient = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    assert outcome(lambda: dumps(value, allow_nan=True)) == outcome(lambda: lenient.encode(value))


# -- keyword slot constructors ---------------------------------------------------------------


def test_the_hot_values_are_made_by_setting_slots() -> None:
    for fast, cls in (
        (new_request, HttpRequest),
        (new_response, HttpResponse),
        (new_head, HttpResponseHead),
        (new_call, Call),
        (new_exchange, Exchange),
    ):
        assert fast is not cls, f"{cls.__name__} needs its __init__ now"


def test_keyword_slot_constructors_make_what_the_classes_make() -> None:
    body = JsonBody(b"{}")
    request = new_request(method=Method.POST, url="/x", body=body)
    assert request == HttpRequest(method=Method.POST, url="/x", body=body)
    assert type(request) is HttpRequest
    full: dict[str, Any] = {
        "method": Method.GET,
        "url": "/y",
        "query": (("a", "1"),),
        "headers": (("x", "y"),),
        "timeout": Timeout(),
        "server": "v2",
    }
    assert new_request(**full) == HttpRequest(**full)
    assert new_response(status=200) == HttpResponse(status=200)
    assert new_head(status=404, url="u") == HttpResponseHead(status=404, url="u")
    call = new_call(operation="GET /y", request=request, response_type=int)
    assert call == Call(operation="GET /y", request=request, response_type=int)
    assert new_exchange(result=Success(1)) == Exchange(result=Success(1))
    with pytest.raises(TypeError):
        new_request(url="/x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        new_head(status=200, body=b"")  # type: ignore[call-arg]
    # A factory default is made anew by each __init__: no constructor for such a class.
    assert slot_constructor(_FactoryDefault, keywords=True) is None
