"""Dataset formats: detection, consistency, fields of general, instruction and preference data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.dataset.helpers import GOOD_CHAT, check, codes, only
from together_fn.dataset import detect_format

PREFERENCE: dict[str, Any] = {
    "input": {"messages": [{"role": "user", "content": "Which is better?"}]},
    "preferred_output": [{"role": "assistant", "content": "This one."}],
    "non_preferred_output": [{"role": "assistant", "content": "No idea."}],
}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ({"text": "t"}, "general"),
        (GOOD_CHAT, "conversation"),
        ({"prompt": "p", "completion": "c"}, "instruction"),
        (PREFERENCE, "preference"),
        ({"completion": "c"}, "instruction"),
        ({"other": 1}, None),
    ],
)
def test_detect_format(sample: dict[str, Any], expected: str | None) -> None:
    assert detect_format(sample) == expected


@pytest.mark.parametrize(
    "sample",
    [
        {"text": "Once upon a time"},
        {"prompt": "2+2=", "completion": "4"},
        PREFERENCE,
        GOOD_CHAT,
    ],
)
def test_each_format_accepts_a_valid_sample(sample: dict[str, Any]) -> None:
    report = check(sample, sample)
    assert report.ok, report.problems
    assert report.format == detect_format(sample)


def test_unknown_fields_make_the_format_unknown() -> None:
    report = check({"question": "q", "answer": "a"})
    assert codes(report)[0] == (1, "unknown_format")
    assert "answer, question" in report.problems[0].message
    assert "instruction: completion, prompt" in report.problems[0].message


def test_a_file_must_keep_one_format() -> None:
    report = check(GOOD_CHAT, {"text": "t"}, GOOD_CHAT)
    assert codes(report) == [(2, "mixed_formats")]
    assert "general format" in report.problems[0].message
    assert report.format == "conversation"


def test_missing_and_extra_fields_are_named() -> None:
    assert only({"prompt": "p"}) == ["missing_field"]
    report = check({"text": "t", "label": 1})
    assert codes(report) == [(1, "extra_field")]
    assert "`label`" in report.problems[0].message
    assert only({"messages": GOOD_CHAT["messages"], "meta": {}}) == ["extra_field"]


@pytest.mark.parametrize(
    ("sample", "field"),
    [
        ({"text": 3}, "text"),
        ({"prompt": ["p"], "completion": "c"}, "prompt"),
        ({"prompt": "p", "completion": None}, "completion"),
    ],
)
def test_text_fields_must_be_strings(sample: dict[str, Any], field: str) -> None:
    report = check(sample)
    assert codes(report) == [(1, "field_type")]
    assert f"`{field}`" in report.problems[0].message


def test_preference_input_must_hold_messages() -> None:
    assert only({**PREFERENCE, "input": "hi"}) == ["preference_input"]
    assert only({**PREFERENCE, "input": {"prompt": "hi"}}) == ["preference_input"]


def test_preference_input_messages_follow_the_message_rules() -> None:
    sample = {**PREFERENCE, "input": {"messages": [{"role": "robot", "content": "x"}]}}
    assert only(sample) == ["invalid_role"]


def test_preference_input_must_not_end_with_the_assistant() -> None:
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert only({**PREFERENCE, "input": {"messages": messages}}) == ["preference_input_last"]


def test_preference_outputs_are_one_assistant_message_each() -> None:
    two = [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]
    assert only({**PREFERENCE, "preferred_output": two}) == ["preference_output"]
    assert only({**PREFERENCE, "non_preferred_output": "text"}) == ["preference_output"]
    user = [{"role": "user", "content": "a"}]
    assert only({**PREFERENCE, "preferred_output": user}) == ["preference_output"]


def test_preference_outputs_follow_the_message_rules() -> None:
    bad = [{"role": "assistant", "content": 5}]
    report = check({**PREFERENCE, "non_preferred_output": bad})
    assert codes(report) == [(1, "content_type")]
    assert report.problems[0].message.startswith("non_preferred_output[0].content")


def test_preference_may_offer_tools() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    sample = {**PREFERENCE, "input": {**PREFERENCE["input"], "tools": tools}}
    assert check(sample).ok
    bad = {**PREFERENCE, "input": {**PREFERENCE["input"], "tools": {"f": 1}}}
    assert only(bad) == ["tools_type"]


def test_preference_missing_an_output_is_reported_once() -> None:
    sample = {key: value for key, value in PREFERENCE.items() if key != "preferred_output"}
    assert only(sample) == ["missing_field"]
