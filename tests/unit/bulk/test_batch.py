"""Lines of the Batch API's output and error files, read into result lines."""

from __future__ import annotations

import json

import pytest

from together_fn.bulk.batch import parse_batch_line
from together_fn.bulk.results import ResultError, ResultLine


def test_a_success_keeps_the_body() -> None:
    line = {
        "id": "r-1",
        "custom_id": "a",
        "response": {"status_code": 200, "request_id": "req-1", "body": {"id": "c", "n": 1}},
    }
    assert parse_batch_line(json.dumps(line)) == ResultLine(
        custom_id="a", status="ok", response={"id": "c", "n": 1}
    )


def test_a_body_kept_as_text_is_read_as_json() -> None:
    line = {"custom_id": "a", "response": {"status_code": 200, "body": '{"id": "c"}'}}
    parsed = parse_batch_line(json.dumps(line))
    assert parsed is not None
    assert parsed.response == {"id": "c"}


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            {"custom_id": "a", "error": {"message": "bad", "code": "invalid"}},
            ResultError(type="invalid", message="bad"),
        ),
        (
            {"custom_id": "a", "error": "model not found"},
            ResultError(type="batch_error", message="model not found"),
        ),
        (
            {
                "custom_id": "a",
                "response": {
                    "status_code": 400,
                    "request_id": "req-9",
                    "body": {"error": {"message": "too long", "type": "invalid_request_error"}},
                },
            },
            ResultError(
                status=400, type="invalid_request_error", message="too long", request_id="req-9"
            ),
        ),
        (
            {"custom_id": "a", "response": {"status_code": 500}},
            ResultError(
                status=500, type="batch_error", message="the batch did not answer this request"
            ),
        ),
        (
            {"custom_id": "a", "error": {"message": "x", "code": 42}},
            ResultError(type="42", message="x"),
        ),
    ],
)
def test_failures_become_error_lines(line: dict[str, object], error: ResultError) -> None:
    assert parse_batch_line(json.dumps(line)) == ResultLine(
        custom_id="a", status="error", error=error
    )


@pytest.mark.parametrize("data", ["", "{", "[]", '{"custom_id": ""}', '{"response": {}}'])
def test_lines_without_a_request_are_skipped(data: str) -> None:
    assert parse_batch_line(data) is None
