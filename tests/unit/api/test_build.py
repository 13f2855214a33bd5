"""The shared request plumbing: options merged into the request the same way on every path."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from together_fn.api._build import NO_OPTIONS, RequestOptions, bodiless_call, json_call, request
from together_fn.http import NO_BODY, HttpRequest, Method, Timeout
from together_fn.models.chat import (
    ChatCompletionMessageParam,
    ChatCompletionRequest,
    ChatCompletionResponse,
    _message,
)
from together_fn.models.common import typed_or_raw


def test_a_request_without_options_query_or_headers_has_none_of_them() -> None:
    assert request(Method.GET, "/models") == HttpRequest(method=Method.GET, url="/models")
    assert request(Method.GET, "/models", query={}, headers={}) == HttpRequest(
        method=Method.GET, url="/models"
    )


def test_options_equal_to_the_default_build_the_same_request() -> None:
    body = ChatCompletionRequest(model="m", messages=[{"role": "user", "content": "hi"}])
    key = "POST /chat/completions"
    assert json_call(key, ChatCompletionResponse, body, options=RequestOptions()) == json_call(
        key, ChatCompletionResponse, body, options=NO_OPTIONS
    )
    assert bodiless_call("GET /models", list, "/models", options=RequestOptions()) == (
        bodiless_call("GET /models", list, "/models")
    )


def test_extra_query_and_headers_are_merged_last_and_win() -> None:
    options = RequestOptions(
        extra_query={"limit": 5, "after": None},
        extra_headers={"X-Trace": "t"},
        timeout=2.0,
    )
    made = request(
        Method.GET,
        "/files",
        query={"limit": 1, "order": "desc"},
        headers={"x-trace": "old", "Accept": "application/json"},
        options=options,
    )
    assert made == HttpRequest(
        method=Method.GET,
        url="/files",
        query=(("limit", "5"), ("order", "desc")),
        # Names are lowercased after merging: both spellings of a name are kept.
        headers=(("x-trace", "old"), ("accept", "application/json"), ("x-trace", "t")),
        body=NO_BODY,
        timeout=Timeout(connect=2.0, read=2.0),
    )


def test_only_extra_query_or_only_query_is_sent_as_given() -> None:
    only_extra = request(Method.GET, "/x", options=RequestOptions(extra_query={"a": True}))
    only_query = request(Method.GET, "/x", query={"a": True}, options=RequestOptions(timeout=1))
    assert only_extra.query == only_query.query == (("a", "true"),)


@pytest.mark.parametrize(
    "message",
    [
        {"role": "user", "content": "text"},
        {"role": "tool", "content": "text"},  # no tool_call_id: sent as given
        {"role": "user", "content": [{"type": "text", "text": "t"}]},
        {"role": "assistant", "content": None},
        {"content": "text", "name": "n"},
    ],
)
def test_any_mapping_message_is_typed_as_the_general_path_types_it(
    message: dict[str, object],
) -> None:
    expected = typed_or_raw(message, ChatCompletionMessageParam)
    assert _message(message) == expected
    assert _message(MappingProxyType(message)) == expected
