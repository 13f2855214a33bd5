"""Builders and models of ``POST /completions``."""

from __future__ import annotations

import inspect
import json
from typing import Any

import attrs
import pytest
import yaml
from returns.result import Success

from tests.reference import spec_path
from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.completions import (
    accumulate_completion_chunks,
    create_completion,
    stream_completion,
)
from together_fn.calls import Call, StreamCall
from together_fn.codec import decode_json, encode_json
from together_fn.http import NO_BODY, HttpRequest, JsonBody, Method
from together_fn.models.common import ChatCompletionChoiceDelta, UsageData
from together_fn.models.completions import (
    CompletionChoice,
    CompletionChoicesData,
    CompletionChunk,
    CompletionRequest,
    CompletionResponse,
    CompletionToken,
)

MODEL = "mistralai/Mixtral-8x7B-v0.1"


def sent(call: Call[Any] | StreamCall[Any]) -> Any:
    """The JSON body a call sends, parsed back."""
    assert isinstance(call.request.body, JsonBody)
    return call.request.body.json()


def split(request: HttpRequest) -> tuple[HttpRequest, Any]:
    """The request without its body, and the body parsed back."""
    assert isinstance(request.body, JsonBody)
    return attrs.evolve(request, body=NO_BODY), request.body.json()


def test_minimal_call_is_a_post_of_model_and_prompt():
    call = create_completion(model=MODEL, prompt="Paris is")

    head, body = split(call.request)
    assert head == HttpRequest(method=Method.POST, url="/completions")
    assert body == {"model": MODEL, "prompt": "Paris is"}
    assert call.operation == "POST /completions"
    assert call.response_type is CompletionResponse
    assert call.retryable is True


def test_every_spec_field_is_sent_under_its_spec_name():
    call = create_completion(
        model=MODEL,
        prompt="<s>[INST] Capital of France? [/INST]",
        max_tokens=10,
        stop="</s>",
        temperature=0.0,
        top_p=0.5,
        top_k=1,
        repetition_penalty=1.2,
        logprobs=1,
        echo=True,
        n=3,
        safety_model="Meta-Llama/Llama-Guard-7b",
        min_p=0.1,
        presence_penalty=1.0,
        frequency_penalty=2.0,
        logit_bias={1024: -10.5},
        seed=7,
    )

    assert sent(call) == {
        "model": MODEL,
        "prompt": "<s>[INST] Capital of France? [/INST]",
        "max_tokens": 10,
        "stop": ["</s>"],
        "temperature": 0.0,
        "top_p": 0.5,
        "top_k": 1,
        "repetition_penalty": 1.2,
        "logprobs": 1,
        "echo": True,
        "n": 3,
        "safety_model": "Meta-Llama/Llama-Guard-7b",
        "min_p": 0.1,
        "presence_penalty": 1.0,
        "frequency_penalty": 2.0,
        "logit_bias": {"1024": -10.5},
        "seed": 7,
    }


def spec_properties(schema: str) -> set[str]:
    """The property names of a component schema of Together's OpenAPI spec."""
    path = spec_path()
    if not path.exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {path}")
    with path.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return set(spec["components"]["schemas"][schema]["properties"])


def test_the_request_model_has_every_field_of_the_spec():
    assert {a.name for a in attrs.fields(CompletionRequest)} == spec_properties("CompletionRequest")


def test_builder_parameters_are_the_spec_request_fields():
    fields = {a.name for a in attrs.fields(CompletionRequest)}
    parameters = set(inspect.signature(create_completion).parameters)
    # ``stream`` is chosen by picking the builder; ``options`` is not part of the body.
    assert parameters == fields - {"stream"} | {"options"}


def test_extra_body_fields_reach_the_wire():
    options = RequestOptions(extra_body={"messages": [{"role": "user", "content": "hi"}]})
    call = create_completion(model=MODEL, prompt="", options=options)
    assert sent(call) == {
        "model": MODEL,
        "prompt": "",
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_stream_builder_sets_stream_and_accepts_event_streams():
    call = stream_completion(model=MODEL, prompt="Paris is", max_tokens=2)

    head, body = split(call.request)
    assert head == HttpRequest(
        method=Method.POST, url="/completions", headers=(("accept", "text/event-stream"),)
    )
    assert body == {"model": MODEL, "prompt": "Paris is", "max_tokens": 2, "stream": True}
    assert call.chunk_type is CompletionChunk
    assert call.done == "[DONE]"
    assert call.retryable is True


def test_stream_builder_takes_exactly_the_same_parameters():
    create = inspect.signature(create_completion)
    stream = inspect.signature(stream_completion)
    assert list(stream.parameters.values()) == list(create.parameters.values())
    assert stream.return_annotation == "StreamCall[CompletionChunk]"


def test_both_builders_are_registered_for_the_operation():
    assert REGISTRY["POST /completions"] == [
        "together_fn.api.completions.create_completion",
        "together_fn.api.completions.stream_completion",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": ""}, ValueError, "model must not be empty"),
        ({"prompt": ["a", "b"]}, TypeError, "prompt must be a string, got list"),
        ({"temperature": -1}, ValueError, "temperature must be at least 0"),
        ({"top_p": 2}, ValueError, "top_p must be between 0 and 1"),
        ({"n": 0}, ValueError, "n must be between 1 and 128"),
        ({"logprobs": -1}, ValueError, "logprobs must be between 0 and 20"),
        ({"stop": [None]}, TypeError, "stop sequences must be strings, got NoneType"),
    ],
)
def test_invalid_parameters_fail_before_any_request(kwargs, error, message):
    arguments: dict[str, Any] = {"model": MODEL, "prompt": "p", **kwargs}
    with pytest.raises(error, match=message):
        create_completion(**arguments)


def test_requests_survive_encoding_and_decoding():
    request = CompletionRequest(
        model=MODEL,
        prompt="Paris is",
        stop=["\n", "."],
        logit_bias={"50256": -100},
        seed=18446744073709551615,
        echo=True,
        stream=True,
    )
    assert decode_json(encode_json(request), CompletionRequest) == Success(request)


# --- chunks in both shapes -------------------------------------------------------------------

SPEC_CHUNK = {
    "id": "c-1",
    "token": {"id": 5, "text": " Paris", "logprob": -0.25, "special": False},
    "choices": [{"index": 0, "text": " Paris"}],
    "usage": None,
    "finish_reason": None,
}
REAL_CHUNK = {
    "id": "c-2",
    "object": "completion.chunk",
    "created": 1740031209,
    "model": MODEL,
    "usage": None,
    "choices": [
        {
            "index": 0,
            "text": " and",
            "logprobs": None,
            "finish_reason": None,
            "seed": None,
            "delta": {"token_id": None, "role": "assistant", "content": " and"},
        }
    ],
}


def decode_chunk(data: dict[str, Any]) -> CompletionChunk:
    result = decode_json(json.dumps(data).encode(), CompletionChunk)
    assert isinstance(result, Success), result
    chunk: CompletionChunk = result.unwrap()
    return chunk


def test_spec_shaped_chunks_decode():
    chunk = decode_chunk(SPEC_CHUNK)
    assert chunk.token == CompletionToken(id=5, text=" Paris", logprob=-0.25)
    assert chunk.text == " Paris"


def test_real_chunks_shaped_like_chat_chunks_decode():
    chunk = decode_chunk(REAL_CHUNK)
    assert chunk.token is None
    assert chunk.choices[0].delta == ChatCompletionChoiceDelta(role="assistant", content=" and")
    assert chunk.text == " and"


def test_chunk_text_falls_back_to_the_delta_then_to_nothing():
    with_delta = CompletionChunk(
        choices=(CompletionChoice(delta=ChatCompletionChoiceDelta(content="x")),)
    )
    assert with_delta.text == "x"
    assert CompletionChunk().text == ""


def test_real_chunks_fold_into_one_response():
    usage = UsageData(prompt_tokens=8, completion_tokens=2, total_tokens=10)

    def piece(text: str, **kwargs: Any) -> CompletionChunk:
        return CompletionChunk(
            id="c-2", created=1, model=MODEL, choices=(CompletionChoice(text=text, **kwargs),)
        )

    result = accumulate_completion_chunks(
        [piece(" and"), attrs.evolve(piece("", finish_reason="eos", seed=2**64), usage=usage)]
    )

    assert result == CompletionResponse(
        id="c-2",
        created=1,
        model=MODEL,
        choices=(CompletionChoicesData(index=0, text=" and", finish_reason="eos", seed=2**64),),
        usage=usage,
    )


def test_spec_chunks_without_choices_fold_their_tokens():
    def token(text: str, finish: str | None = None) -> CompletionChunk:
        return CompletionChunk(
            id="c-1", token=CompletionToken(id=1, text=text), finish_reason=finish, seed=3
        )

    result = accumulate_completion_chunks([token("Hel"), token("lo", "length")])

    assert result.choices == (
        CompletionChoicesData(index=0, text="Hello", finish_reason="length", seed=3),
    )


def test_delta_content_is_used_when_choices_carry_no_text():
    chunks = [
        CompletionChunk(
            choices=(CompletionChoice(index=i, delta=ChatCompletionChoiceDelta(content=text)),),
        )
        for i, text in [(1, "b"), (0, "a"), (1, "c")]
    ]
    result = accumulate_completion_chunks(chunks)
    assert [(c.index, c.text) for c in result.choices] == [(0, "a"), (1, "bc")]
