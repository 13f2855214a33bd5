"""Golden tests of the ``/embeddings`` builder and its models."""

from __future__ import annotations

import pytest
from returns.result import Failure, Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.embeddings import create_embeddings
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, encode_json
from together_fn.errors import APIResponseValidationError, BadRequestError
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method, Timeout
from together_fn.models.embeddings import Embedding, EmbeddingsRequest, EmbeddingsResponse

MODEL = "BAAI/bge-base-en-v1.5"


def test_single_string_is_the_exact_request():
    call = create_embeddings(model=MODEL, input="Our solar system orbits the Milky Way")
    assert call == Call(
        operation="POST /embeddings",
        request=HttpRequest(
            method=Method.POST,
            url="/embeddings",
            body=JsonBody(
                b'{"model":"BAAI/bge-base-en-v1.5","input":"Our solar system orbits the Milky Way"}'
            ),
        ),
        response_type=EmbeddingsResponse,
        retryable=True,
    )


def test_a_list_of_strings_is_sent_as_an_array():
    call = create_embeddings(model=MODEL, input=["first", "second"])
    assert call.request.body == JsonBody(
        b'{"model":"BAAI/bge-base-en-v1.5","input":["first","second"]}'
    )
    assert call.request.query == ()
    assert call.request.headers == ()


def test_any_iterable_of_strings_becomes_a_tuple():
    request = EmbeddingsRequest(model=MODEL, input=(s for s in ["a", "b"]))
    assert request.input == ("a", "b")
    assert EmbeddingsRequest(model=MODEL, input=["a", "b"]) == request
    hash(request)


def test_non_ascii_text_is_sent_as_utf8_not_escaped():
    call = create_embeddings(model=MODEL, input="vicuña 🦙")
    assert isinstance(call.request.body, JsonBody)
    assert "vicuña 🦙".encode() in call.request.body.data


def test_options_add_headers_query_body_fields_and_timeout():
    options = RequestOptions(
        extra_headers={"X-Trace": "abc"},
        extra_query={"debug": True},
        extra_body={"dimensions": 256, "input": "overridden"},
        timeout=30,
    )
    call = create_embeddings(model=MODEL, input="hi", options=options)
    assert call.request == HttpRequest(
        method=Method.POST,
        url="/embeddings",
        query=(("debug", "true"),),
        headers=(("x-trace", "abc"),),
        body=JsonBody(b'{"model":"BAAI/bge-base-en-v1.5","input":"overridden","dimensions":256}'),
        timeout=Timeout(connect=5.0, read=30.0),
    )


def test_the_builder_is_registered_for_its_operation():
    assert "together_fn.api.embeddings.create_embeddings" in REGISTRY["POST /embeddings"]
    assert create_embeddings.__together_operation__ == "POST /embeddings"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": "", "input": "x"}, ValueError, "model must not be empty"),
        ({"model": MODEL, "input": []}, ValueError, "at least one input"),
        ({"model": MODEL, "input": ["ok", 3]}, TypeError, "inputs must be strings, got int"),
    ],
)
def test_invalid_requests_fail_before_any_io(kwargs, error, message):
    with pytest.raises(error, match=message):
        create_embeddings(**kwargs)


def test_request_round_trips_through_the_codec():
    request = EmbeddingsRequest(model=MODEL, input=("a", "b"))
    assert decode_json(encode_json(request), EmbeddingsRequest) == Success(request)


def test_a_response_decodes_with_exact_floats():
    body = (
        b'{"object":"list","model":"BAAI/bge-base-en-v1.5","data":['
        b'{"object":"embedding","index":1,"embedding":[0.5,-2,1e-07]},'
        b'{"object":"embedding","index":0,"embedding":[0.25,0.125]}]}'
    )
    call = create_embeddings(model=MODEL, input=["a", "b"])
    result = interpret(call, HttpResponse(status=200, body=body))
    assert result == Success(
        EmbeddingsResponse(
            model=MODEL,
            data=(
                Embedding(index=1, embedding=(0.5, -2.0, 1e-07)),
                Embedding(index=0, embedding=(0.25, 0.125)),
            ),
        )
    )


def test_a_response_without_data_is_a_validation_error():
    call = create_embeddings(model=MODEL, input="a")
    result = interpret(call, HttpResponse(status=200, body=b'{"object":"list","model":"m"}'))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, APIResponseValidationError)
    assert error.type_name == "EmbeddingsResponse"
    assert error.status == 200


def test_a_non_number_in_a_vector_is_a_validation_error():
    body = b'{"data":[{"index":0,"embedding":[0.1,"x"]}]}'
    assert isinstance(decode_json(body, EmbeddingsResponse), Failure)


def test_an_error_status_becomes_the_matching_error():
    call = create_embeddings(model=MODEL, input="a")
    body = b'{"error":{"message":"bad model","type":"invalid_request_error","param":"model"}}'
    result = interpret(call, HttpResponse(status=400, body=body))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, BadRequestError)
    assert (error.message, error.param, error.type) == (
        "bad model",
        "model",
        "invalid_request_error",
    )
