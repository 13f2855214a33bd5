"""Input lines and the check of a whole input: every problem, with its line number."""

from __future__ import annotations

import json

import pytest

from together_fn.bulk import lines as bulk_lines
from together_fn.bulk.lines import (
    BulkInputError,
    InputCheck,
    Problem,
    RequestLine,
    check_input,
    digest,
    duplicate_problems,
    parse_request_line,
)


def line(custom_id: object = "a", **body: object) -> str:
    return json.dumps({"custom_id": custom_id, "body": {"model": "m", **body}})


def test_a_sound_line_is_read_with_its_body_as_given() -> None:
    parsed = parse_request_line(line("q-1", messages=[{"role": "user", "content": "hi"}]), 7)
    assert parsed == RequestLine(
        custom_id="q-1",
        body={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        line=7,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[1]", "not a JSON object"),
        (json.dumps({"body": {"model": "m"}}), "custom_id is missing"),
        (json.dumps({"custom_id": "", "body": {"model": "m"}}), "custom_id must be a non-empty"),
        (json.dumps({"custom_id": 3, "body": {"model": "m"}}), "custom_id must be a non-empty"),
        (json.dumps({"custom_id": "a"}), "body is missing (custom_id 'a')"),
        (json.dumps({"custom_id": "a", "body": []}), "body must be a JSON object"),
        (json.dumps({"custom_id": "a", "body": {"x": 1}}), "body.model is required"),
        (line("a", stream=True), "body.stream must not be true"),
    ],
)
def test_each_problem_is_named(text: str, message: str) -> None:
    parsed = parse_request_line(text, 4)
    assert isinstance(parsed, Problem)
    assert parsed.line == 4
    assert message in parsed.message


def test_every_problem_is_reported_with_line_numbers_and_blank_lines_are_skipped() -> None:
    text = [
        line("a"),
        "",
        json.dumps({"body": {"model": "m"}}),
        line("b"),
        line("a"),
        "oops",
        line("b"),
        line("a"),
        "   ",
    ]
    requests, problems, count = check_input(text)
    assert requests == 5
    assert count == 5
    assert [str(p) for p in problems] == [
        "line 3: custom_id is missing",
        "line 5: custom_id 'a' already used on line 1",
        "line 6: not JSON (Expecting value: line 1 column 1 (char 0))",
        "line 7: custom_id 'b' already used on line 4",
        "line 8: custom_id 'a' already used on line 1",
    ]


def test_a_sound_input_has_no_problems() -> None:
    assert check_input([line(f"id-{n}") for n in range(1000)]) == (1000, (), 0)


def test_digest_collisions_are_told_apart_from_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every id gets the same digest: the second pass must still find only the true duplicate.
    monkeypatch.setattr(bulk_lines, "digest", lambda _: 42)
    text = [line("a"), line("b"), line("c"), line("b")]
    check = InputCheck()
    for data in text:
        check.feed(data)
    assert check.colliding() == frozenset({42})
    assert duplicate_problems(text, check.colliding()) == [
        Problem(line=4, message="custom_id 'b' already used on line 2")
    ]


def test_digest_is_the_same_for_the_same_id_and_64_bits() -> None:
    assert digest("q-1") == digest("q-1") != digest("q-2")
    assert 0 <= digest("q-1") < 2**64


def test_the_error_lists_problems() -> None:
    error = BulkInputError((Problem(line=2, message="custom_id is missing"),), total=3)
    assert "3 problem(s)" in str(error)
    assert "line 2: custom_id is missing" in str(error)
    assert "and 2 more" in str(error)
    assert isinstance(error, ValueError)
