"""The converter: round trips, tolerant decoding, strict kinds, unions, and failures as values."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.codec import (
    canonical_json,
    decode_json,
    decode_value,
    drop_none,
    encode_json,
    make_converter,
    unstructure,
)
from together_fn.errors import APIResponseValidationError
from together_fn.schema import ByKey, Tagged, wire_name


@attrs.frozen(kw_only=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int | None = None
    total_tokens: int = 0


@attrs.frozen(kw_only=True)
class TextPart:
    type: Literal["text"] = "text"
    text: str


@attrs.frozen(kw_only=True)
class ImagePart:
    type: Literal["image_url"] = "image_url"
    image_url: str


@attrs.frozen(kw_only=True)
class OtherPart:
    type: str


Part = Annotated[
    TextPart | ImagePart | OtherPart,
    Tagged("type", {"text": TextPart, "image_url": ImagePart}, default=OtherPart),
]


@attrs.frozen(kw_only=True)
class Message:
    role: str
    content: str | tuple[Part, ...] | None = None
    from_: str | None = attrs.field(default=None, metadata=wire_name("from"))


@attrs.frozen(kw_only=True)
class B64Image:
    b64_json: str
    index: int = 0


@attrs.frozen(kw_only=True)
class UrlImage:
    url: str
    index: int = 0


Image = Annotated[B64Image | UrlImage, ByKey((("b64_json", B64Image), ("url", UrlImage)))]


@attrs.frozen(kw_only=True)
class Response:
    id: str
    seed: int | None = None
    score: int | float = 0
    usage: Usage | None = None
    messages: tuple[Message, ...] = ()
    images: tuple[Image, ...] = ()
    stop: str | tuple[str, ...] | None = None
    metadata: Any = None
    vector: tuple[float, ...] = ()


def test_round_trip() -> None:
    value = Response(
        id="r1",
        seed=1,
        score=0.5,
        usage=Usage(prompt_tokens=3, completion_tokens=4, total_tokens=7),
        messages=(
            Message(role="user", content="hi", from_="me"),
            Message(
                role="user",
                content=(TextPart(text="look"), ImagePart(image_url="https://x.test/i.png")),
            ),
        ),
        images=(B64Image(b64_json="aGk=", index=0), UrlImage(url="https://x.test/a", index=1)),
        stop=("\n", "END"),
        metadata={"free": ["form", 1, None]},
        vector=(0.25, -1.0),
    )
    encoded = encode_json(value)
    assert decode_json(encoded, Response) == Success(value)


def test_encode_is_compact_utf8_and_renames() -> None:
    message = Message(role="user", content="caf\u00e9", from_="x")
    assert encode_json(message) == '{"role":"user","content":"caf\u00e9","from":"x"}'.encode()


def test_none_fields_with_a_none_default_are_omitted() -> None:
    assert json.loads(encode_json(Message(role="user"))) == {"role": "user"}
    assert json.loads(encode_json(Usage(prompt_tokens=1))) == {
        "prompt_tokens": 1,
        "total_tokens": 0,
    }


def test_tags_with_a_default_are_always_written() -> None:
    assert unstructure(TextPart(text="t")) == {"type": "text", "text": "t"}


def test_wire_name_is_read_back() -> None:
    decoded = decode_value({"role": "a", "from": "b"}, Message)
    assert decoded == Success(Message(role="a", from_="b"))


def test_unknown_keys_are_ignored() -> None:
    body = {"id": "r", "brand_new": {"x": 1}, "usage": {"prompt_tokens": 1, "cache_hit_rate": 0}}
    assert decode_value(body, Response) == Success(Response(id="r", usage=Usage(prompt_tokens=1)))


def test_null_is_accepted_where_the_model_says_none() -> None:
    body = {"id": "r", "seed": None, "usage": None, "stop": None, "metadata": None}
    assert decode_value(body, Response) == Success(Response(id="r"))


def test_huge_ints_stay_exact() -> None:
    seed = 12345678901234567890123
    body = b'{"id": "r", "seed": 12345678901234567890123}'
    decoded = decode_json(body, Response)
    assert decoded == Success(Response(id="r", seed=seed))
    assert b"12345678901234567890123" in encode_json(Response(id="r", seed=seed))


def test_tagged_union() -> None:
    body = {
        "role": "user",
        "content": [
            {"type": "text", "text": "a"},
            {"type": "image_url", "image_url": "u"},
            {"type": "audio", "data": "?"},
        ],
    }
    decoded = decode_value(body, Message)
    assert decoded == Success(
        Message(
            role="user",
            content=(TextPart(text="a"), ImagePart(image_url="u"), OtherPart(type="audio")),
        )
    )


def test_tagged_union_without_a_default_rejects_unknown_tags() -> None:
    strict = Annotated[TextPart | ImagePart, Tagged("type", {"text": TextPart})]
    assert isinstance(decode_value({"type": "video"}, strict), Failure)  # type: ignore[arg-type]


def test_by_key_union() -> None:
    body = {"id": "r", "images": [{"b64_json": "AA==", "timings": {}}, {"url": "u", "index": 1}]}
    decoded = decode_value(body, Response)
    assert decoded == Success(
        Response(id="r", images=(B64Image(b64_json="AA=="), UrlImage(url="u", index=1)))
    )


def test_by_key_union_with_no_known_key_fails() -> None:
    result = decode_value({"id": "r", "images": [{"png": "?"}]}, Response)
    error = result.failure()
    assert any("$.images[0]" in p for p in error.problems)


@pytest.mark.parametrize(
    ("stop", "expected"),
    [("\n", "\n"), (["a", "b"], ("a", "b")), ([], ()), (None, None)],
)
def test_str_or_tuple_union(stop: object, expected: object) -> None:
    assert decode_value({"id": "r", "stop": stop}, Response) == Success(
        Response(id="r", stop=expected)  # type: ignore[arg-type]
    )


def test_content_as_text_or_parts() -> None:
    assert decode_value({"role": "a", "content": "hi"}, Message) == Success(
        Message(role="a", content="hi")
    )
    assert isinstance(decode_value({"role": "a", "content": {"text": "x"}}, Message), Failure)


@pytest.mark.parametrize(("score", "kind"), [(1, int), (1.5, float), (10**30, int)])
def test_int_or_float_keeps_the_kind(score: float, kind: type) -> None:
    decoded = decode_value({"id": "r", "score": score}, Response).unwrap()
    assert decoded.score == score
    assert type(decoded.score) is kind


@pytest.mark.parametrize("field", ["seed", "score"])
def test_bool_is_not_a_number(field: str) -> None:
    result = decode_value({"id": "r", field: True}, Response)
    assert isinstance(result, Failure)
    assert isinstance(decode_value({"prompt_tokens": False}, Usage), Failure)


def test_a_string_is_not_an_array() -> None:
    # The quiet failure mode of a permissive converter: "ab" becoming ("a", "b").
    assert isinstance(decode_value({"id": "r", "messages": "ab"}, Response), Failure)
    assert isinstance(decode_value({"id": "r", "vector": "12"}, Response), Failure)
    assert isinstance(decode_value({"id": "r", "images": {"url": "u"}}, Response), Failure)
    assert isinstance(decode_value("ab", tuple[str, ...]), Failure)
    assert isinstance(decode_value("ab", list[str]), Failure)
    assert decode_value(["a", "b"], list[str]) == Success(["a", "b"])


@attrs.frozen(kw_only=True)
class Defaults:
    a: int = 0
    b: str = ""


@pytest.mark.parametrize("value", [[], ["a"], [{"a": 1}], "a", "", 3, True, None])
def test_only_an_object_decodes_into_a_model(value: object) -> None:
    # A model whose fields all have defaults must not come out of an array or a string.
    error = decode_value(value, Defaults).failure()
    assert isinstance(error, APIResponseValidationError)
    assert error.problems
    assert decode_value({}, Defaults) == Success(Defaults())
    assert decode_value(None, Defaults | None) == Success(None)  # type: ignore[arg-type]


def test_tolerant_scalars() -> None:
    decoded = decode_value({"prompt_tokens": "12", "total_tokens": 3.0}, Usage)
    assert decoded == Success(Usage(prompt_tokens=12, total_tokens=3))
    assert isinstance(decode_value({"prompt_tokens": 1.5}, Usage), Failure)
    assert decode_value({"id": 42}, Response) == Success(Response(id="42"))


def test_any_is_passed_through() -> None:
    blob = {"a": [1, {"b": None}], "c": 1.5}
    assert decode_value({"id": "r", "metadata": blob}, Response).unwrap().metadata == blob


def test_decode_failure_is_a_validation_error_with_paths_and_body() -> None:
    body = json.dumps(
        {"id": "r", "usage": {"prompt_tokens": "many"}, "messages": [{"role": "a"}, {}]}
    ).encode()
    error = decode_json(body, Response).failure()
    assert isinstance(error, APIResponseValidationError)
    assert error.body == body
    assert error.type_name == "Response"
    assert any("$.usage.prompt_tokens" in p for p in error.problems)
    assert any("$.messages[1].role" in p for p in error.problems)
    assert "Response" in str(error)


@pytest.mark.parametrize("body", [b"", b"{", b"not json", b"\xff\xfe", b'{"id": "r"} trailing'])
def test_invalid_json_is_a_failure_that_keeps_the_body(body: bytes) -> None:
    error = decode_json(body, Response).failure()
    assert isinstance(error, APIResponseValidationError)
    assert error.body == body
    assert "not JSON" in error.message


def test_deeply_nested_json_is_a_failure_not_a_crash() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert isinstance(decode_json(body, Response), Failure)
    assert isinstance(decode_json(body, Any), Failure)


def test_bytes_and_none_targets() -> None:
    assert decode_json(b"\x00raw", bytes) == Success(b"\x00raw")
    assert decode_json(b"", type(None)) == Success(None)
    assert decode_json(b"{}", type(None)) == Success(None)


def test_typed_containers() -> None:
    assert decode_json(b"[1, 2]", tuple[int, ...]) == Success((1, 2))
    assert decode_json(b'{"a": 1}', dict[str, int]) == Success({"a": 1})
    assert isinstance(decode_json(b'{"a": "x"}', dict[str, int]), Failure)


def test_each_converter_is_independent() -> None:
    a, b = make_converter(), make_converter()
    assert a is not b
    assert a.structure({"prompt_tokens": 1}, Usage) == Usage(prompt_tokens=1)


def test_canonical_json_and_drop_none() -> None:
    assert canonical_json(b'{"b": 1, "a": [1, 2]}') == b'{"a":[1,2],"b":1}'
    assert drop_none({"a": None, "b": 0, "c": False}) == {"b": 0, "c": False}


KEYS: tuple[str, ...] = (
    "id",
    "seed",
    "score",
    "usage",
    "messages",
    "images",
    "stop",
    "role",
    "content",
)
KEYS += ("type", "text", "url", "b64_json", "prompt_tokens", "metadata", "vector")
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYS) | st.text(max_size=4),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)
_targets = st.sampled_from(
    [Response, Message, Usage, Part, Image, tuple[Message, ...], int, str, float, Any]
)


@given(value=_json, target=_targets)
def test_arbitrary_json_never_makes_decode_json_raise(value: object, target: Any) -> None:
    result = decode_json(json.dumps(value).encode(), target)
    assert isinstance(result, Success | Failure)
    if not isinstance(result, Success):
        assert isinstance(result.failure(), APIResponseValidationError)
        assert result.failure().problems


@given(body=st.binary(max_size=100), target=_targets)
def test_arbitrary_bytes_never_make_decode_json_raise(body: bytes, target: Any) -> None:
    assert isinstance(decode_json(body, target), Success | Failure)


@given(
    usage=st.builds(
        Usage,
        prompt_tokens=st.integers(),
        completion_tokens=st.none() | st.integers(),
        total_tokens=st.integers(),
    )
)
def test_round_trip_property(usage: Usage) -> None:
    assert decode_json(encode_json(usage), Usage) == Success(usage)


def test_the_fast_converter_decodes_exactly_as_the_detailed_one() -> None:
    import attrs as _attrs

    from together_fn.codec import _FAST, CONVERTER
    from together_fn.schema import wire_name

    @_attrs.frozen(kw_only=True)
    class Sample:
        name: str
        count: int = 0
        ratio: float | None = None
        scale: float = 1.0
        flag: bool | None = None
        from_: str | None = _attrs.field(default=None, metadata=wire_name("from"))
        tags: tuple[str, ...] = ()

    values: list[object] = [
        {"name": "a"},
        {"name": "a", "count": 3, "ratio": 2, "scale": 4, "flag": True, "from": "x", "tags": ["t"]},
        {"name": "a", "ratio": None, "flag": None, "unknown": {"deep": 1}},
        {"name": 7, "count": "12", "scale": 2.5},
        {"name": "a", "count": True},
        {"name": "a", "ratio": "1"},
        {"name": "a", "flag": 1},
        {"count": 1},
        ["not", "an", "object"],
    ]
    for value in values:
        outcomes: list[tuple[str, object]] = []
        for converter in (_FAST, CONVERTER):
            try:
                outcomes.append(("ok", converter.structure(value, Sample)))
            except Exception as error:
                outcomes.append(("error", type(error).__name__))
        fast, detailed = outcomes
        assert fast[0] == detailed[0], value
        if fast[0] == "ok":
            assert fast[1] == detailed[1], value
            assert all(
                type(getattr(fast[1], f)) is type(getattr(detailed[1], f))
                for f in ("count", "ratio", "scale")
            ), value


@attrs.frozen(kw_only=True)
class _Leaf:
    text: str | None = None
    extra: dict[str, int] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class _Tree:
    name: str
    leaf: _Leaf = attrs.field(factory=_Leaf)
    leaves: tuple[_Leaf, ...] | None = None
    size: int = attrs.field(default=attrs.Factory(lambda self: len(self.name), takes_self=True))


@attrs.frozen(kw_only=True)
class _Checked:
    count: int = attrs.field(validator=attrs.validators.ge(0))
    label: str = attrs.field(default="", converter=lambda text: text.upper())


@attrs.frozen(kw_only=True)
class _Hooked:
    text: str
    seen: list[str] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        self.seen.append(self.text)


def test_models_made_by_setting_slots_equal_models_made_by_init() -> None:
    # The fast converter fills plain slotted models' slots directly; a model with a
    # validator, a converter or an init hook goes through its __init__, whose checks run.
    from together_fn.codec import _FAST, CONVERTER

    def both(value: object, cls: type) -> tuple[object, object]:
        return _FAST.structure(value, cls), CONVERTER.structure(value, cls)

    fast, detailed = both({"name": "tree", "leaves": [{"text": "a"}, {}]}, _Tree)
    assert fast == detailed == _Tree(name="tree", leaves=(_Leaf(text="a"), _Leaf()), leaf=_Leaf())
    assert fast.size == 4
    fast, detailed = both({"name": "t", "leaf": {"extra": {"x": 1}}}, _Tree)
    assert fast == detailed == _Tree(name="t", leaf=_Leaf(extra={"x": 1}))
    first, second = (_FAST.structure({}, _Leaf) for _ in range(2))
    assert first.extra is not second.extra  # a factory runs for every instance
    fast, detailed = both({"count": 2, "label": "x"}, _Checked)
    assert fast == detailed == _Checked(count=2, label="X")
    with pytest.raises(ValueError, match="count"):
        _FAST.structure({"count": -1}, _Checked)
    assert _FAST.structure({"text": "hi"}, _Hooked).seen == ["hi"]
    for broken in ({"name": "t", "leaves": "not a list"}, {"name": "t", "leaf": ["x"]}, {}):
        with pytest.raises((TypeError, KeyError)):
            _FAST.structure(broken, _Tree)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": [1, 2.5, "x", null, true]}',
        b'[{"seed": 93137811394053800001}]',
        b' {"a": 1}',
        b'{"a": 1} ',
        b'{"a": 1}{"b": 2}',
        b'{"a": ',
        b"",
        b"null",
        b'"text"',
        b"\xef\xbb\xbf" + b'{"a": 1}',
        '{"a": "\u00e9"}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-16-le"),
        '{"a": 1}'.encode("utf-32"),
        b'{"a": "\xff"}',
        b'{"a": "\\ud800"}',
        b'{"a": NaN}',
        bytearray(b'{"a": 1}'),
        '{"a": "\u2028"}',
        " [1]",
        "",
    ],
)
def test_loads_answers_as_json_loads_does(data: bytes | str) -> None:
    from together_fn.codec import loads

    def outcome(parse: Any) -> object:
        try:
            return ("ok", parse(data))
        except (ValueError, RecursionError) as error:
            return (type(error), str(error))

    assert outcome(loads) == outcome(json.loads)


def test_a_slot_constructor_makes_what_init_makes() -> None:
    from together_fn._fast_structure import slot_constructor

    make = slot_constructor(_Leaf)
    assert make is not None
    made = make("t", {"x": 1})
    assert made == _Leaf(text="t", extra={"x": 1})
    assert type(made) is _Leaf
    # Models whose __init__ checks or converts are made by their __init__.
    assert slot_constructor(_Checked) is None
    assert slot_constructor(_Hooked) is None
