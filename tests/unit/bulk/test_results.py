"""Result lines: one complete line per result, read back as written."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.bulk.results import (
    ResultError,
    ResultLine,
    encode_answer,
    encode_result,
    error_of,
    parse_result,
    result_of,
)
from together_fn.calls import Exchange
from together_fn.errors import APIConnectionError, BadRequestError, RateLimitError
from together_fn.http import HttpResponseHead

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(custom_id=st.text(min_size=1), response=json_values, message=st.text())
def test_a_line_has_one_newline_at_its_end_and_reads_back(
    custom_id: str, response: object, message: str
) -> None:
    for line in (
        ResultLine(custom_id=custom_id, status="ok", response=response, attempts=2, elapsed=0.5),
        ResultLine(
            custom_id=custom_id,
            status="error",
            error=ResultError(status=500, type="server", message=message, request_id="r"),
            started_at=1.5,
            waited=0.25,
        ),
    ):
        data = encode_result(line)
        assert data.count(b"\n") == 1
        assert data.endswith(b"\n")
        assert parse_result(data) == line


@given(
    custom_id=st.text(min_size=1),
    response=json_values,
    indent=st.sampled_from([None, 2]),
    started=st.none() | st.floats(min_value=0, max_value=2e9),
)
def test_a_raw_answer_is_spliced_into_the_same_line(
    custom_id: str, response: object, indent: int | None, started: float | None
) -> None:
    body = json.dumps(response, indent=indent).encode()
    data = encode_answer(custom_id, body, attempts=2, elapsed=0.125, started_at=started, waited=0.5)
    expected = ResultLine(
        custom_id=custom_id,
        status="ok",
        response=response,
        attempts=2,
        elapsed=0.125,
        started_at=started,
        waited=0.5,
    )
    assert data.count(b"\n") == 1
    assert data.endswith(b"\n")
    assert parse_result(data) == expected
    assert json.loads(data) == json.loads(encode_result(expected))


def test_a_one_line_answer_keeps_the_servers_bytes() -> None:
    body = b'{"b": 1.50, "a": "\\u00e9"}'
    assert b'"response":{"b": 1.50, "a": "\\u00e9"},' in encode_answer("x", body)


def test_the_wire_shape_of_both_kinds() -> None:
    ok = ResultLine(custom_id="a", status="ok", response={"id": "x"}, elapsed=0.1, started_at=5.0)
    assert json.loads(encode_result(ok)) == {
        "custom_id": "a",
        "status": "ok",
        "response": {"id": "x"},
        "attempts": 1,
        "elapsed": 0.1,
        "started_at": 5.0,
        "waited": 0.0,
    }
    error = ResultLine(custom_id="b", status="error", error=ResultError(message="no"))
    assert json.loads(encode_result(error))["error"] == {
        "status": None,
        "type": None,
        "message": "no",
        "request_id": None,
    }


def test_what_is_not_a_complete_result_line() -> None:
    assert parse_result(b'{"custom_id":"a","status":"ok"') is None
    assert parse_result(b'{"custom_id":"a","status":"maybe"}\n') is None
    assert parse_result(b'{"status":"ok"}\n') is None
    assert parse_result(b"[]\n") is None


def test_an_exchange_becomes_a_line() -> None:
    head = HttpResponseHead(status=200, headers=(("x-request-id", "req-1"),))
    ok = Exchange(result=Success({"id": "c"}), response=head, attempts=3, elapsed=1.25)
    assert result_of("a", ok, started_at=9.0, waited=0.5) == ResultLine(
        custom_id="a",
        status="ok",
        response={"id": "c"},
        attempts=3,
        elapsed=1.25,
        started_at=9.0,
        waited=0.5,
    )
    limited = RateLimitError(message="slow down", status=429, type="rate_limit", request_id="r9")
    failed = result_of("b", Exchange(result=Failure(limited), response=head, attempts=6))
    assert failed.error == ResultError(
        status=429, type="rate_limit", message="slow down", request_id="r9"
    )
    assert failed.attempts == 6


def test_errors_without_a_response_keep_their_class_as_type() -> None:
    cut = APIConnectionError(message="the connection broke")
    assert error_of(cut) == ResultError(
        status=None, type="APIConnectionError", message="the connection broke"
    )
    bare = BadRequestError(message="", status=400)
    assert error_of(bare, request_id="from-head") == ResultError(
        status=400, type="BadRequestError", message=str(bare), request_id="from-head"
    )
