"""Golden tests of the ``/rerank`` builder and its models."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.rerank import create_rerank
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, encode_json
from together_fn.errors import APIResponseValidationError, NotFoundError
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.rerank import (
    RerankDocument,
    RerankRequest,
    RerankResponse,
    RerankResult,
    UsageData,
)

MODEL = "Salesforce/Llama-Rank-v1"
ANIMALS = [
    {"title": "Llama", "text": "The llama is a domesticated South American camelid."},
    {"title": "Panda", "text": "The giant panda is a bear species endemic to China."},
    {"title": "Guanaco", "text": "The guanaco is a camelid native to South America."},
]


def test_string_documents_are_the_exact_request():
    call = create_rerank(model=MODEL, query="rainy day", documents=["sun", "rain"])
    assert call == Call(
        operation="POST /rerank",
        request=HttpRequest(
            method=Method.POST,
            url="/rerank",
            body=JsonBody(
                b'{"model":"Salesforce/Llama-Rank-v1","query":"rainy day",'
                b'"documents":["sun","rain"]}'
            ),
        ),
        response_type=RerankResponse,
        retryable=True,
    )


def test_object_documents_with_every_option():
    call = create_rerank(
        model=MODEL,
        query="What animals can I find near Peru?",
        documents=ANIMALS,
        top_n=2,
        return_documents=True,
        rank_fields=["title", "text"],
    )
    assert isinstance(call.request.body, JsonBody)
    assert json.loads(call.request.body.data) == {
        "model": MODEL,
        "query": "What animals can I find near Peru?",
        "documents": ANIMALS,
        "top_n": 2,
        "return_documents": True,
        "rank_fields": ["title", "text"],
    }


def test_return_documents_false_is_sent():
    call = create_rerank(model=MODEL, query="q", documents=["a"], return_documents=False)
    assert call.request.body.json()["return_documents"] is False  # type: ignore[union-attr,index]


def test_documents_are_copied_into_tuples():
    docs = [{"text": "a"}]
    request = RerankRequest(model=MODEL, query="q", documents=docs)
    docs[0]["text"] = "changed"
    assert request.documents == ({"text": "a"},)
    assert RerankRequest(model=MODEL, query="q", documents=["x", "y"]).documents == ("x", "y")


def test_options_are_applied():
    call = create_rerank(
        model=MODEL,
        query="q",
        documents=["a"],
        options=RequestOptions(extra_query={"trace": 1}),
    )
    assert call.request.full_url == "/rerank?trace=1"


def test_the_builder_is_registered():
    assert "together_fn.api.rerank.create_rerank" in REGISTRY["POST /rerank"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": ""}, ValueError, "model must not be empty"),
        ({"query": ""}, ValueError, "query must not be empty"),
        ({"documents": []}, ValueError, "documents must not be empty"),
        ({"documents": "one document"}, TypeError, "not a single value"),
        ({"documents": {"text": "a"}}, TypeError, "not a single value"),
        ({"documents": ["a", {"text": "b"}]}, TypeError, "all strings or all objects"),
        ({"documents": [1, 2]}, TypeError, "got int"),
        ({"top_n": 0}, ValueError, "top_n must be at least 1"),
        ({"rank_fields": []}, ValueError, "rank_fields must not be empty"),
        ({"rank_fields": "title"}, TypeError, "not one string"),
        ({"rank_fields": ["title", ""]}, ValueError, "non-empty strings"),
        ({"documents": ["a"], "rank_fields": ["title"]}, ValueError, "objects"),
    ],
)
def test_invalid_requests_fail_at_construction(kwargs, error, message):
    arguments = {"model": MODEL, "query": "q", "documents": ANIMALS, **kwargs}
    with pytest.raises(error, match=message):
        create_rerank(**arguments)


documents = st.lists(st.text(min_size=1), min_size=1, max_size=4) | st.lists(
    st.dictionaries(st.text(min_size=1), st.text() | st.integers() | st.booleans(), max_size=3),
    min_size=1,
    max_size=4,
)


@given(
    documents=documents,
    top_n=st.none() | st.integers(1, 10),
    return_documents=st.none() | st.booleans(),
)
def test_requests_round_trip(documents, top_n, return_documents):
    request = RerankRequest(
        model=MODEL,
        query="q",
        documents=documents,
        top_n=top_n,
        return_documents=return_documents,
    )
    assert decode_json(encode_json(request), RerankRequest) == Success(request)


def test_response_with_documents_returned():
    body = {
        "object": "rerank",
        "id": "9dfa1a09-5ebc-4a40-970f-586cb8f4ae47",
        "model": MODEL,
        "results": [
            {"index": 2, "relevance_score": 0.75, "document": {"text": "Guanaco"}},
            {"index": 0, "relevance_score": 0.5, "document": {"text": None}},
        ],
        "usage": {"prompt_tokens": 1837, "completion_tokens": 0, "total_tokens": 1837},
    }
    call = create_rerank(model=MODEL, query="q", documents=ANIMALS, return_documents=True)
    result = interpret(call, HttpResponse(status=200, body=json.dumps(body).encode()))
    assert result == Success(
        RerankResponse(
            id="9dfa1a09-5ebc-4a40-970f-586cb8f4ae47",
            model=MODEL,
            results=(
                RerankResult(
                    index=2, relevance_score=0.75, document=RerankDocument(text="Guanaco")
                ),
                RerankResult(index=0, relevance_score=0.5, document=RerankDocument()),
            ),
            usage=UsageData(prompt_tokens=1837, completion_tokens=0, total_tokens=1837),
        )
    )


def test_response_without_usage_or_documents():
    body = b'{"object":"rerank","model":"m","results":[{"index":1,"relevance_score":1}]}'
    response = decode_json(body, RerankResponse).unwrap()
    assert response.usage is None
    assert response.id is None
    assert response.results == (RerankResult(index=1, relevance_score=1.0),)


def test_a_result_without_a_score_is_a_validation_error():
    body = b'{"object":"rerank","model":"m","results":[{"index":1}]}'
    result = decode_json(body, RerankResponse)
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), APIResponseValidationError)


def test_ranked_orders_the_callers_documents():
    response = RerankResponse(
        results=(
            RerankResult(index=2, relevance_score=0.9),
            RerankResult(index=0, relevance_score=0.1),
        )
    )
    assert response.ranked(ANIMALS) == (ANIMALS[2], ANIMALS[0])
    with pytest.raises(IndexError, match="result index 2 is outside the 2 documents"):
        response.ranked(ANIMALS[:2])


def test_an_unknown_model_is_a_not_found_error():
    call = create_rerank(model="nope/nope", query="q", documents=["a"])
    body = b'{"error":{"message":"Unable to access model nope/nope.","code":"model_not_found"}}'
    result = interpret(call, HttpResponse(status=404, body=body))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, NotFoundError)
    assert (error.code, error.message) == ("model_not_found", "Unable to access model nope/nope.")
