"""Conversation rules: roles and their order, content, weights, tools, tool calls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.dataset.helpers import GOOD_CHAT, chat, check, codes, only
from together_fn.dataset.messages import check_messages, fast_conversation_ok
from together_fn.dataset.report import ProblemLog


def call(name: str = "get_weather", arguments: Any = '{"city": "Paris"}', **extra: Any) -> Any:
    return {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
        **extra,
    }


def tool_chat(*tail: dict[str, Any], calls: list[Any] | None = None) -> dict[str, Any]:
    """User asks, assistant calls a tool, then ``tail``."""
    return {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "tool_calls": calls or [call()]},
            *tail,
        ]
    }


TOOL_REPLY = {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 21}'}
FINAL = {"role": "assistant", "content": "It is 21 degrees."}


def test_system_user_assistant_alternation_is_valid() -> None:
    sample = chat(
        ("system", "Be brief"), ("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d")
    )
    assert check(sample).ok


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ("hi", ["messages_type"]),
        ([], ["messages_empty"]),
        (["hi", {"role": "assistant", "content": "b"}], ["message_type"]),
        ([{"content": "a"}, {"role": "assistant", "content": "b"}], ["missing_role"]),
        (
            [{"role": "bot", "content": "a"}, {"role": "assistant", "content": "b"}],
            ["invalid_role"],
        ),
        ([{"role": "user"}, {"role": "assistant", "content": "b"}], ["missing_content"]),
        ([{"role": "user", "content": 3}, {"role": "assistant", "content": "b"}], ["content_type"]),
    ],
)
def test_message_shape(messages: object, expected: list[str]) -> None:
    assert only({"messages": messages}) == expected


def test_roles_must_alternate() -> None:
    report = check(chat(("user", "a"), ("user", "b"), ("assistant", "c"), ("assistant", "d")))
    assert codes(report) == [(1, "roles_not_alternating"), (1, "roles_not_alternating")]
    assert report.problems[0].message.startswith("messages[1] repeats role 'user'")


def test_system_only_first() -> None:
    assert only(chat(("user", "a"), ("system", "s"), ("assistant", "b"))) == ["system_position"]


def test_training_needs_an_assistant_message() -> None:
    report = check(chat(("system", "s"), ("user", "a")))
    assert codes(report) == [(1, "no_assistant")]


@pytest.mark.parametrize("weight", [0, 1])
def test_weights_0_and_1_are_valid(weight: int) -> None:
    sample = chat(("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"))
    sample["messages"][1]["weight"] = weight
    sample["messages"][0]["weight"] = 0
    assert check(sample).ok


@pytest.mark.parametrize("weight", [2, -1, 0.5, True, "1", None])
def test_other_weights_are_invalid(weight: object) -> None:
    sample = chat(("user", "a"), ("assistant", "b"))
    sample["messages"][1]["weight"] = weight
    report = check(sample)
    assert codes(report) == [(1, "invalid_weight")]
    assert repr(weight) in report.problems[0].message


def test_all_assistant_weights_zero_leaves_nothing_to_train() -> None:
    sample = chat(("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"))
    for message in sample["messages"][1::2]:
        message["weight"] = 0
    assert only(sample) == ["all_weights_zero"]


def test_a_tools_column_is_valid_in_conversations() -> None:
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    assert check({**tool_chat(TOOL_REPLY, FINAL), "tools": tools}).ok


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("get_weather", "tools_type"),
        ([{"type": "retrieval"}], "tool_type"),
        (["f"], "tool_type"),
        ([{"type": "function", "function": {"description": "no name"}}], "tool_function"),
        ([{"type": "function", "function": {"name": "f", "parameters": []}}], "tool_function"),
    ],
)
def test_invalid_tools(tools: object, expected: str) -> None:
    assert only({**GOOD_CHAT, "tools": tools}) == [expected]


def test_tool_calls_and_tool_replies_are_valid() -> None:
    two_calls = [call(), call(name="get_time", arguments="{}", id="call_2")]
    reply_2 = {"role": "tool", "tool_call_id": "call_2", "content": "noon"}
    report = check(tool_chat(TOOL_REPLY, reply_2, FINAL, calls=two_calls))
    assert report.ok, report.problems


def test_an_assistant_tool_call_may_have_null_content() -> None:
    sample = tool_chat(TOOL_REPLY, FINAL)
    sample["messages"][1]["content"] = None
    assert check(sample).ok


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ({"id": "x"}, "tool_calls_type"),
        (["get_weather"], "tool_call_type"),
        ([call(type="retrieval")], "tool_call_type"),
        ([call(id=7)], "tool_call_id_type"),
        ([{"id": "call_1", "type": "function"}], "tool_call_function"),
        ([call(name="")], "tool_call_function"),
        ([call(arguments={"city": "Paris"})], "tool_call_arguments"),
        ([call(arguments="{city: Paris}")], "tool_call_arguments"),
    ],
)
def test_invalid_tool_calls(calls: Any, expected: str) -> None:
    sample = tool_chat()
    sample["messages"][1]["tool_calls"] = calls
    sample["messages"][1]["content"] = ""
    assert only(sample) == [expected]


def test_only_assistants_call_tools() -> None:
    sample = chat(("user", "a"), ("assistant", "b"))
    sample["messages"][0]["tool_calls"] = [call()]
    assert only(sample) == ["tool_calls_role"]


def test_a_tool_message_must_answer_a_tool_call() -> None:
    assert only(chat(("user", "a"), ("tool", "r"), ("assistant", "b"))) == ["tool_without_call"]
    after_plain = chat(("user", "a"), ("assistant", "b"), ("tool", "r"), ("assistant", "c"))
    assert only(after_plain) == ["tool_without_call"]


def test_a_tool_reply_must_name_a_known_call() -> None:
    reply = {**TOOL_REPLY, "tool_call_id": "call_9"}
    report = check(tool_chat(reply, FINAL))
    assert codes(report) == [(1, "unknown_tool_call_id")]
    assert "'call_9'" in report.problems[0].message
    assert only(tool_chat({**TOOL_REPLY, "tool_call_id": 1}, FINAL)) == ["tool_call_id_type"]


def test_consecutive_tool_replies_are_allowed_but_not_consecutive_assistants() -> None:
    assert check(tool_chat(TOOL_REPLY, TOOL_REPLY, FINAL)).ok
    assert only(tool_chat(FINAL)) == ["roles_not_alternating"]


def test_every_problem_of_a_line_is_reported() -> None:
    sample = {
        "messages": [{"role": "bot", "content": 1}, {"role": "user", "weight": 3, "content": "x"}]
    }
    assert only(sample) == ["invalid_role", "content_type", "invalid_weight", "no_assistant"]


@pytest.mark.parametrize(
    ("messages", "fast"),
    [
        (GOOD_CHAT["messages"], True),
        ([{"role": "system", "content": "s"}, *GOOD_CHAT["messages"]], True),
        (
            [
                {"role": "user", "content": "a", "weight": 0},
                {"role": "assistant", "content": "b", "weight": 1},
            ],
            True,
        ),
        (
            [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}],
            False,
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b", "weight": True},
            ],
            False,
        ),
        (
            [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "name": "x"}],
            False,
        ),
        ([{"role": "user", "content": "a"}], False),
        ([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], False),
        ([{"role": "user", "content": "a"}, {"role": "system", "content": "b"}], False),
        ([{"role": "user", "content": ["a"]}, {"role": "assistant", "content": "b"}], False),
        ([{"role": "tool", "content": "a"}, {"role": "assistant", "content": "b"}], False),
        ([], False),
        ("x", False),
    ],
)
def test_the_fast_path_accepts_only_what_the_full_rules_accept(messages: Any, fast: bool) -> None:
    assert fast_conversation_ok(messages) is fast
    # Whatever the fast path accepts, the full rules accept too.
    log = ProblemLog()
    check_messages(messages, 1, log, where="messages", require_assistant=True)
    assert log.count == 0 or not fast


_message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["system", "user", "assistant", "tool", "bot"]),
        "content": st.one_of(st.text(max_size=3), st.none(), st.integers()),
    },
    optional={"weight": st.sampled_from([0, 1, 2, True, None]), "name": st.just("x")},
)


@given(st.lists(_message, max_size=6))
def test_the_fast_path_never_accepts_what_the_full_rules_reject(messages: list[Any]) -> None:
    log = ProblemLog()
    check_messages(messages, 1, log, where="messages", require_assistant=True)
    if fast_conversation_ok(messages):
        assert log.count == 0
    # And a file is judged the same whether or not the fast path is taken.
    line = json.dumps({"messages": messages}).encode() + b"\n"
    assert codes(check(GOOD_CHAT, line)) == [(2, p.code) for p in log.sorted_problems()]
