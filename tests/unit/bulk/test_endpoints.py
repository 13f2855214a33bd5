"""The endpoint table: which path builds which Call, and the token estimates."""

from __future__ import annotations

from typing import Any

import pytest

from together_fn import api
from together_fn.bulk.endpoints import (
    DEFAULT_COMPLETION_TOKENS,
    ENDPOINTS,
    actual_tokens,
    build_call,
    endpoint_for,
)
from together_fn.calls import Call
from together_fn.http import HttpRequest, JsonBody, Method


@pytest.mark.parametrize(
    "name", ["/v1/embeddings", "/embeddings", "embeddings", "v1/embeddings/", " /v1/embeddings "]
)
def test_an_endpoint_is_found_by_any_spelling(name: str) -> None:
    assert endpoint_for(name).operation == "POST /embeddings"


def test_an_unknown_endpoint_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="/v1/chat/completions"):
        endpoint_for("/v1/fine-tunes")


def test_every_endpoint_performs_an_operation_of_the_spec() -> None:
    assert set(ENDPOINTS) == {
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/rerank",
        "/v1/images/generations",
    }
    for endpoint in ENDPOINTS.values():
        assert endpoint.operation in api.REGISTRY


def test_the_body_is_sent_as_given() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "é"}], "unknown": [1, None]}
    call = build_call(endpoint_for("/v1/chat/completions"), body)
    assert call == Call(
        operation="POST /chat/completions",
        request=HttpRequest(
            method=Method.POST,
            url="/chat/completions",
            body=JsonBody(
                b'{"model":"m","messages":[{"role":"user","content":"\xc3\xa9"}],"unknown":[1,null]}'
            ),
        ),
        response_type=bytes,
    )
    assert call.retryable


@pytest.mark.parametrize(
    "body", [{"messages": []}, {"model": ""}, {"model": "m", "stream": True}, ["model"]]
)
def test_a_body_that_cannot_be_sent_fails_at_build_time(body: Any) -> None:
    with pytest.raises(ValueError, match=r"body|model|stream"):
        build_call(endpoint_for("/v1/chat/completions"), body)


def test_token_estimates_count_prompt_characters_and_completion_budget() -> None:
    chat = endpoint_for("/v1/chat/completions").estimate_tokens
    parts = [{"type": "text", "text": "x" * 40}, {"type": "image_url", "image_url": {"url": "u"}}]
    messages = [{"role": "user", "content": "y" * 80}, {"role": "user", "content": parts}]
    assert chat({"model": "m", "messages": messages, "max_tokens": 10}) == 30 + 10
    assert chat({"model": "m", "messages": []}) == DEFAULT_COMPLETION_TOKENS
    completions = endpoint_for("/v1/completions").estimate_tokens
    assert completions({"model": "m", "prompt": "z" * 400, "max_tokens": 1}) == 101
    embeddings = endpoint_for("/v1/embeddings").estimate_tokens
    assert embeddings({"model": "m", "input": ["a" * 8, "b" * 8]}) == 4
    assert embeddings({"model": "m", "input": ""}) == 1
    rerank = endpoint_for("/v1/rerank").estimate_tokens
    assert rerank({"model": "m", "query": "q" * 4, "documents": ["d" * 8, {"t": "x"}]}) == 5
    assert endpoint_for("/v1/images/generations").estimate_tokens({"model": "m"}) == 0


def test_actual_tokens_come_from_usage() -> None:
    assert actual_tokens({"usage": {"total_tokens": 17}}) == 17
    assert actual_tokens({"usage": None}) is None
    assert actual_tokens({"usage": {"total_tokens": True}}) is None
    assert actual_tokens([]) is None
