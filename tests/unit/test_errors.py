"""Error values: every body shape the API (or a proxy in front of it) sends, every status."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reference import reference_dir
from together_fn import errors
from together_fn.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DownloadError,
    FileTypeError,
    InternalServerError,
    InvalidFileFormatError,
    InvalidRequestError,
    JSONError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    ServiceUnavailableError,
    StreamError,
    Timeout,
    TogetherError,
    TogetherException,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    classify,
    error_fields,
)
from together_fn.http import HttpResponse, to_headers

JSON_HEADERS = to_headers({"content-type": "application/json"})


def response(status: int, body: object | bytes, **headers: str) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status=status, headers=to_headers(headers), body=raw)


def test_error_data_shape() -> None:
    body = {"error": {"message": "bad model", "type": "invalid_request_error", "param": "model"}}
    error = classify(response(400, body))
    assert type(error) is BadRequestError
    assert (error.message, error.type, error.param, error.code) == (
        "bad model",
        "invalid_request_error",
        "model",
        None,
    )
    assert error.status == 400
    assert error.body == json.dumps(body).encode()


def test_error_data_beside_a_top_level_id() -> None:
    body = {"id": "o3Li-62bZ", "error": {"message": "no credit", "type": "credit_limit"}}
    error = classify(response(402, body))
    assert type(error) is PaymentRequiredError
    assert (error.message, error.type, error.code) == ("no credit", "credit_limit", None)


def test_error_as_plain_text() -> None:
    error = classify(response(400, {"error": "prompt too long", "type": "validation"}))
    assert (error.message, error.type) == ("prompt too long", "validation")


def test_unwrapped_error_object() -> None:
    body = {"message": "5 > 1", "type": "invalid_request_error", "param": "logprobs", "code": None}
    error = classify(response(400, body))
    assert (error.message, error.type, error.param, error.code) == (
        "5 > 1",
        "invalid_request_error",
        "logprobs",
        None,
    )


def test_code_and_message_shape_with_a_numeric_code() -> None:
    error = classify(response(500, {"code": 5001, "message": "engine failed"}))
    assert (error.message, error.code) == ("engine failed", "5001")


def test_detail_text() -> None:
    assert classify(response(404, {"detail": "Not Found"})).message == "Not Found"


def test_detail_list_keeps_every_problem() -> None:
    detail = [
        {"loc": ["body", "model"], "msg": "field required", "type": "value_error.missing"},
        {"loc": ["body", "n"], "msg": "must be >= 1", "type": "value_error"},
    ]
    error = classify(response(422, {"detail": detail}))
    assert type(error) is UnprocessableEntityError
    assert json.loads(error.message) == detail


def test_error_object_without_message_is_shown_whole() -> None:
    error = classify(response(400, {"error": {"reason": "quota"}}))
    assert json.loads(error.message) == {"reason": "quota"}


def test_html_proxy_page() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = classify(response(502, html, **{"content-type": "text/html"}))
    assert type(error) is InternalServerError
    assert "HTML" in error.message
    assert "nginx" not in str(error)
    assert error.body == html


def test_html_without_content_type_is_recognised() -> None:
    assert "HTML" in classify(response(503, b"  <!DOCTYPE html><p>down</p>")).message


def test_plain_text_body() -> None:
    error = classify(response(500, b"upstream connect error"))
    assert error.message == "upstream connect error"
    assert error.type is None


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_body(body: bytes) -> None:
    error = classify(response(503, body))
    assert error.message == "HTTP 503 with an empty body"


@pytest.mark.parametrize(
    "body",
    [
        b'{"error": {"message": "cut',
        b"[1, 2, 3]",
        b'"just a string"',
        b"null",
        b"\xff\xfe\x00garbage",
    ],
)
def test_bodies_that_are_not_an_error_object_fall_back_to_the_text(body: bytes) -> None:
    error = classify(response(500, body))
    assert error.message == body.decode("utf-8", "replace").strip()
    assert error.body == body


@pytest.mark.parametrize("depth", [5, 500, 5_000, 100_000])
def test_deeply_nested_json(depth: int) -> None:
    body = b'{"error":' * depth + b'"x"' + b"}" * depth
    error = classify(response(500, body))
    assert type(error) is InternalServerError
    assert len(str(error)) < 700


def test_empty_message_falls_back_to_the_status() -> None:
    assert classify(response(500, {"error": {"message": ""}})).message == "HTTP 500"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (415, UnsupportedMediaTypeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, ServiceUnavailableError),
        (504, InternalServerError),
        (418, InvalidRequestError),
        (451, InvalidRequestError),
    ],
)
def test_status_to_class(status: int, cls: type[APIStatusError]) -> None:
    error = classify(response(status, {"error": {"message": "m"}}))
    assert type(error) is cls
    assert error.status == status == error.http_status


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (BadRequestError, (InvalidRequestError, APIStatusError)),
        (PermissionDeniedError, (InvalidRequestError,)),
        (NotFoundError, (InvalidRequestError,)),
        (UnsupportedMediaTypeError, (InvalidRequestError,)),
        (UnprocessableEntityError, (InvalidRequestError,)),
        (ServiceUnavailableError, (InternalServerError, APIStatusError)),
        (RateLimitError, (APIStatusError, APIError, TogetherError)),
        (APITimeoutError, (APIConnectionError, APIError)),
        (StreamError, (APIError,)),
        (APIResponseValidationError, (APIError,)),
    ],
)
def test_hierarchy(cls: type[TogetherError], bases: tuple[type[Exception], ...]) -> None:
    for base in (*bases, TogetherError, Exception):
        assert issubclass(cls, base)


def test_blame_is_in_the_type() -> None:
    assert not issubclass(AuthenticationError, InvalidRequestError)
    assert not issubclass(RateLimitError, InvalidRequestError)
    assert not issubclass(APIConnectionError, APIStatusError)
    assert not issubclass(APIResponseValidationError, APIStatusError)


def test_old_names_are_the_new_classes() -> None:
    assert TogetherException is TogetherError
    assert Timeout is APITimeoutError
    assert ResponseError is APIStatusError
    assert JSONError is APIResponseValidationError
    assert InvalidFileFormatError is FileTypeError


@pytest.mark.parametrize(
    ("error", "old_name"),
    [
        (BadRequestError(message="x", status=400), InvalidRequestError),
        (NotFoundError(message="x", status=404), ResponseError),
        (APITimeoutError(message="slow"), Timeout),
        (APIResponseValidationError(message="bad"), JSONError),
        (DownloadError(message="d"), TogetherException),
        (FileTypeError(message="f"), InvalidFileFormatError),
    ],
)
def test_raisable_and_catchable_by_old_names(error: TogetherError, old_name: type) -> None:
    with pytest.raises(old_name) as caught:
        raise error
    assert caught.value is error


def test_errors_compare_by_value() -> None:
    a = classify(response(429, {"error": {"message": "slow down"}}, **{"x-request-id": "r1"}))
    b = classify(response(429, {"error": {"message": "slow down"}}, **{"x-request-id": "r1"}))
    c = classify(response(429, {"error": {"message": "slow down"}}, **{"x-request-id": "r2"}))
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    different: APIStatusError = NotFoundError(message="x")
    assert BadRequestError(message="x") != different


def _raise_from_key_error(error: Exception) -> None:
    try:
        raise KeyError("inner")
    except KeyError as inner:
        raise error from inner


def test_errors_survive_notes_causes_pickling_and_copying() -> None:
    error = classify(response(429, {"error": {"message": "m", "type": "t"}}, **{"cf-ray": "c"}))
    with pytest.raises(RateLimitError) as caught:
        _raise_from_key_error(error)
    caught.value.add_note("while testing")
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.__notes__ == ["while testing"]
    assert pickle.loads(pickle.dumps(error)) == error
    assert copy.copy(error) == error
    assert copy.deepcopy(StreamError(message="m", events_received=3)).events_received == 3


def test_request_id_from_x_request_id_then_cf_ray() -> None:
    body = {"error": {"message": "m"}}
    both = response(500, body, **{"x-request-id": "req-1", "cf-ray": "ray-1"})
    assert classify(both).request_id == "req-1"
    assert classify(response(500, body, **{"CF-Ray": "ray-2"})).request_id == "ray-2"
    assert classify(response(500, body)).request_id is None


def test_str_shows_what_the_server_said() -> None:
    body = {"error": {"message": "bad", "type": "invalid", "code": "c1", "param": "model"}}
    error = classify(response(400, body, **{"x-request-id": "req-9"}))
    assert str(error) == "400 [invalid] (c1): bad (param: model) (request id: req-9)"
    assert "req-9" in repr(error)


def test_rate_limit_error_carries_retry_after() -> None:
    error = classify(response(429, {"error": {"message": "m"}}), retry_after=12.0)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    raw = classify(response(429, b"", **{"retry-after": "12"}))
    assert raw.retry_after_header == "12"


def test_attempts_and_elapsed_are_recorded() -> None:
    error = classify(response(503, b""), attempts=3, elapsed=1.5)
    assert (error.attempts, error.elapsed) == (3, 1.5)


MEGABYTE = 1_000_000


@pytest.mark.parametrize(
    "body",
    [
        b"x" * MEGABYTE,
        json.dumps({"error": {"message": "m" * MEGABYTE}}).encode(),
        json.dumps(
            {"error": {"message": "m", "type": "t" * MEGABYTE, "code": "c" * MEGABYTE}}
        ).encode(),
        json.dumps({"message": "m", "param": "p" * MEGABYTE}).encode(),
        json.dumps({"detail": [{"msg": "m" * 1000}] * 1000}).encode(),
        b"<html>" + b"x" * MEGABYTE,
    ],
    ids=["text", "message", "type-and-code", "param", "detail", "html"],
)
def test_str_of_a_huge_body_is_short(body: bytes) -> None:
    error = classify(response(500, body, **{"x-request-id": "r" * MEGABYTE}))
    assert len(str(error)) < 1_500
    assert error.body == body


def test_text_excerpt_says_how_much_was_cut() -> None:
    text = "y" * 10_000
    shown = str(classify(response(500, text.encode())))
    cut = shown.split(": ", 1)[1]
    kept, _, rest = cut.partition("... (")
    assert set(kept) == {"y"}
    assert rest == f"{10_000 - len(kept)} more characters)"


def test_other_errors_str_is_capped() -> None:
    stream = StreamError(message="s" * MEGABYTE, type="t" * MEGABYTE, events_received=2)
    assert len(str(stream)) < 1_000
    assert str(stream).startswith("stream error after 2 events: [ttt")
    invalid = APIResponseValidationError(
        type_name="Model", problems=("p" * MEGABYTE,) * 10, body=b"b" * MEGABYTE
    )
    assert len(str(invalid)) < 1_500
    assert "(+5 more)" in str(invalid)
    assert str(APIConnectionError(message="refused")) == "connection error: refused"
    assert str(APITimeoutError(message="5s")) == "timed out: 5s"


def test_repr_hides_headers_and_body() -> None:
    body = {"error": {"message": "m"}, "echo": "zzz-hidden"}
    error = classify(response(500, body, authorization="Bearer sk-123"))
    assert "sk-123" not in repr(error)
    assert "zzz-hidden" not in repr(error)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"error": {"msg": "m", "type_": "t"}}, ("m", "t")),
        ({"error": {"message": {"nested": 1}}}, ('{"nested": 1}', None)),
        ({"unrelated": 1}, None),
        (["error"], None),
        ("error", None),
    ],
)
def test_error_fields(payload: object, expected: tuple[str, str | None] | None) -> None:
    fields = error_fields(payload)
    if expected is None:
        assert fields is None
    else:
        assert fields is not None
        assert (fields.message, fields.type) == expected


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["error", "message", "type", "code", "param", "detail", "id", "msg"])
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(
    status=st.integers(400, 599),
    headers=st.lists(st.tuples(st.text(max_size=15), st.text(max_size=30)), max_size=5),
    body=st.binary(max_size=300)
    | _json.map(lambda v: json.dumps(v).encode())
    | _json.map(lambda v: json.dumps({"error": v}).encode()),
)
def test_classify_never_raises(status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    error = classify(HttpResponse(status=status, headers=to_headers(headers), body=body))
    assert isinstance(error, APIStatusError)
    assert error.status == status
    assert error.message
    assert isinstance(str(error), str)
    assert isinstance(repr(error), str)
    assert error.body == body


# The error bodies the real API returned, recorded in public projects.
def _real_errors() -> list[Any]:
    folder = reference_dir() / "real-responses"
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no reference at {folder}"))]
    found = []
    for path in sorted(folder.glob("*/*.json")):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(recorded, dict) and recorded.get("response", {}).get("status", 0) >= 400:
            found.append(pytest.param(path, id=f"{path.parent.name}/{path.stem}"))
    return found


EXPECTED_CLASS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
    429: RateLimitError,
}


@pytest.mark.parametrize("path", _real_errors())
def test_real_error_payloads(path: Path) -> None:
    recorded = json.loads(path.read_text(encoding="utf-8"))["response"]
    body = recorded["body"]
    said = body.get("error", body)
    error = classify(
        HttpResponse(
            status=recorded["status"],
            headers=to_headers(recorded.get("headers") or {}),
            body=json.dumps(body).encode(),
        )
    )
    assert type(error) is EXPECTED_CLASS[recorded["status"]]
    assert error.message == said["message"]
    assert error.type == said.get("type")
    assert error.code == said.get("code")
    assert error.param == said.get("param")


def test_the_real_error_corpus_is_not_empty() -> None:
    folder = reference_dir() / "real-responses"
    if not folder.is_dir():
        pytest.skip(f"no reference at {folder}")
    assert len(_real_errors()) >= 8


def _error_classes() -> list[type[errors.TogetherError]]:
    found: list[type[errors.TogetherError]] = []
    pending: list[type[errors.TogetherError]] = [errors.TogetherError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(c for c in cls.__subclasses__() if c.__module__ == errors.__name__)
    return found


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_is_a_frozen_value_that_pickles_and_evolves(
    cls: type[errors.TogetherError],
) -> None:
    error = cls(message="something failed")
    assert error == cls(message="something failed")
    assert error != cls(message="something else")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        error.message = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(error)) == error
    changed = attrs.evolve(error, message="other")
    assert type(changed) is cls
    assert changed.message == "other"
    if cls is not errors.TogetherError:
        assert error != errors.TogetherError(message="something failed")
