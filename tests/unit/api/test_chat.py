"""Builders and models of ``POST /chat/completions``."""

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
from together_fn.api.chat import (
    accumulate_chat_chunks,
    create_chat_completion,
    stream_chat_completion,
)
from together_fn.calls import Call, StreamCall
from together_fn.codec import decode_json, encode_json
from together_fn.http import NO_BODY, HttpRequest, JsonBody, Method, Timeout
from together_fn.models.chat import (
    AudioUrl,
    ChatCompletionAssistantMessageParam,
    ChatCompletionChoice,
    ChatCompletionChoicesData,
    ChatCompletionChunk,
    ChatCompletionContentPartAudio,
    ChatCompletionContentPartImage,
    ChatCompletionContentPartInputAudio,
    ChatCompletionContentPartText,
    ChatCompletionContentPartVideo,
    ChatCompletionDeveloperMessageParam,
    ChatCompletionFunctionMessageParam,
    ChatCompletionMessage,
    ChatCompletionRequest,
    ChatCompletionResponse,
    ChatCompletionSystemMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionUserMessageParam,
    ImageUrl,
    InputAudio,
    JsonSchema,
    Reasoning,
    ResponseFormatJsonObject,
    ResponseFormatJsonSchema,
    ResponseFormatText,
    VideoUrl,
)
from together_fn.models.common import (
    ChatCompletionChoiceDelta,
    ChatCompletionTokenLogprob,
    ChoiceDeltaFunctionCall,
    ChoiceDeltaToolCall,
    FunctionCall,
    FunctionDefinition,
    InferenceWarning,
    LogprobsPart,
    ToolChoice,
    ToolsPart,
    TopLogprob,
    UsageData,
)

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
HI = [{"role": "user", "content": "hi"}]
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def sent(call: Call[Any] | StreamCall[Any]) -> Any:
    """The JSON body a call sends, parsed back."""
    assert isinstance(call.request.body, JsonBody)
    return call.request.body.json()


def split(request: HttpRequest) -> tuple[HttpRequest, Any]:
    """The request without its body, and the body parsed back (key order does not matter)."""
    assert isinstance(request.body, JsonBody)
    return attrs.evolve(request, body=NO_BODY), request.body.json()


# --- golden requests ---------------------------------------------------------------------


def test_minimal_call_is_a_post_of_model_and_messages():
    call = create_chat_completion(model=MODEL, messages=HI)

    head, body = split(call.request)
    assert head == HttpRequest(method=Method.POST, url="/chat/completions")
    assert body == {"model": MODEL, "messages": HI}
    assert call.operation == "POST /chat/completions"
    assert call.response_type is ChatCompletionResponse
    assert call.retryable is True


def test_every_spec_field_is_sent_under_its_spec_name():
    call = create_chat_completion(
        model=MODEL,
        messages=HI,
        max_tokens=64,
        stop=["</s>", "END"],
        temperature=0.2,
        top_p=0.9,
        top_k=40,
        context_length_exceeded_behavior="truncate",
        repetition_penalty=1.1,
        logprobs=2,
        echo=True,
        n=2,
        min_p=0.05,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        logit_bias={"1024": -10.5, 105: 21.4},
        seed=42,
        function_call="auto",
        response_format={"type": "json_object"},
        tools=[WEATHER_TOOL],
        tool_choice="auto",
        compliance="hipaa",
        chat_template_kwargs={"enable_thinking": False},
        safety_model="meta-llama/Meta-Llama-Guard-3-8B",
        reasoning_effort="low",
        reasoning={"enabled": False},
    )

    assert sent(call) == {
        "model": MODEL,
        "messages": HI,
        "max_tokens": 64,
        "stop": ["</s>", "END"],
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "context_length_exceeded_behavior": "truncate",
        "repetition_penalty": 1.1,
        "logprobs": 2,
        "echo": True,
        "n": 2,
        "min_p": 0.05,
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "logit_bias": {"1024": -10.5, "105": 21.4},
        "seed": 42,
        "function_call": "auto",
        "response_format": {"type": "json_object"},
        "tools": [WEATHER_TOOL],
        "tool_choice": "auto",
        "compliance": "hipaa",
        "chat_template_kwargs": {"enable_thinking": False},
        "safety_model": "meta-llama/Meta-Llama-Guard-3-8B",
        "reasoning_effort": "low",
        "reasoning": {"enabled": False},
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
    assert {a.name for a in attrs.fields(ChatCompletionRequest)} == spec_properties(
        "ChatCompletionRequest"
    )


def test_builder_parameters_are_the_spec_request_fields():
    fields = {a.name for a in attrs.fields(ChatCompletionRequest)}
    parameters = set(inspect.signature(create_chat_completion).parameters)
    # ``stream`` is chosen by picking the builder; ``options`` is not part of the body.
    assert parameters == fields - {"stream"} | {"options"}


def test_a_single_stop_string_is_sent_as_a_list():
    call = create_chat_completion(model=MODEL, messages=HI, stop="END")
    assert sent(call)["stop"] == ["END"]


def test_options_add_headers_query_body_fields_and_timeout():
    options = RequestOptions(
        extra_headers={"X-Trace": "1"},
        extra_query={"debug": True},
        extra_body={"max_completion_tokens": 5, "temperature": None},
        timeout=30,
    )
    call = create_chat_completion(model=MODEL, messages=HI, temperature=0.5, options=options)

    head, body = split(call.request)
    assert head == HttpRequest(
        method=Method.POST,
        url="/chat/completions",
        query=(("debug", "true"),),
        headers=(("x-trace", "1"),),
        timeout=Timeout(connect=5.0, read=30.0),
    )
    assert body == {"model": MODEL, "messages": HI, "temperature": None, "max_completion_tokens": 5}


def test_calls_compare_by_value():
    assert create_chat_completion(model=MODEL, messages=HI) == create_chat_completion(
        model=MODEL, messages=[ChatCompletionUserMessageParam(content="hi")]
    )


# --- streaming -----------------------------------------------------------------------------


def test_stream_builder_sets_stream_and_accepts_event_streams():
    call = stream_chat_completion(model=MODEL, messages=HI, max_tokens=3)

    head, body = split(call.request)
    assert head == HttpRequest(
        method=Method.POST, url="/chat/completions", headers=(("accept", "text/event-stream"),)
    )
    assert body == {"model": MODEL, "messages": HI, "max_tokens": 3, "stream": True}
    assert call.chunk_type is ChatCompletionChunk
    assert call.done == "[DONE]"
    assert call.operation == "POST /chat/completions"
    assert call.retryable is True


def test_stream_builder_takes_exactly_the_same_parameters():
    create = inspect.signature(create_chat_completion)
    stream = inspect.signature(stream_chat_completion)
    assert list(stream.parameters.values()) == list(create.parameters.values())
    assert stream.return_annotation == "StreamCall[ChatCompletionChunk]"
    assert stream_chat_completion.__name__ == "stream_chat_completion"


def test_both_builders_are_registered_for_the_operation():
    assert REGISTRY["POST /chat/completions"] == [
        "together_fn.api.chat.create_chat_completion",
        "together_fn.api.chat.stream_chat_completion",
    ]


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": ""}, "model must not be empty"),
        ({"messages": []}, "messages must not be empty"),
        ({"temperature": -0.1}, "temperature must be at least 0"),
        ({"top_p": 1.5}, "top_p must be between 0 and 1"),
        ({"min_p": -1}, "min_p must be between 0 and 1"),
        ({"n": 0}, "n must be between 1 and 128"),
        ({"n": 129}, "n must be between 1 and 128"),
        ({"logprobs": 21}, "logprobs must be between 0 and 20"),
        ({"presence_penalty": 2.5}, "presence_penalty must be between -2 and 2"),
        ({"frequency_penalty": -3}, "frequency_penalty must be between -2 and 2"),
        ({"max_tokens": -1}, "max_tokens must be at least 0"),
    ],
)
def test_invalid_parameters_fail_before_any_request(kwargs, message):
    arguments: dict[str, Any] = {"model": MODEL, "messages": HI, **kwargs}
    with pytest.raises(ValueError, match=message):
        create_chat_completion(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"messages": "hi"}, "messages must be a list of messages"),
        ({"messages": [42]}, "a message must be a dict or a message model, got int"),
        ({"stop": ["ok", 3]}, "stop sequences must be strings, got int"),
    ],
)
def test_values_of_the_wrong_kind_are_type_errors(kwargs, message):
    arguments: dict[str, Any] = {"model": MODEL, "messages": HI, **kwargs}
    with pytest.raises(TypeError, match=message):
        create_chat_completion(**arguments)


def test_range_limits_themselves_are_accepted():
    call = create_chat_completion(
        model=MODEL, messages=HI, temperature=0, top_p=1, n=128, logprobs=20, min_p=0
    )
    body = sent(call)
    assert (body["temperature"], body["top_p"], body["n"], body["logprobs"]) == (0, 1, 128, 20)


# --- dicts and models ---------------------------------------------------------------------------

DICT_MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "Be brief.", "name": "rules"},
    {"role": "developer", "content": "Answer in French."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in these?"},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
            {"type": "video_url", "video_url": {"url": "https://x.test/a.mp4"}},
            {"type": "audio_url", "audio_url": {"url": "https://x.test/a.mp3"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        ],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    },
    {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_1"},
    {"role": "function", "content": "21", "name": "get_weather"},
    {"role": "user", "content": "Thanks"},
]

TYPED_MESSAGES: list[Any] = [
    ChatCompletionSystemMessageParam(content="Be brief.", name="rules"),
    ChatCompletionDeveloperMessageParam(content="Answer in French."),
    ChatCompletionUserMessageParam(
        content=[
            ChatCompletionContentPartText(text="What is in these?"),
            ChatCompletionContentPartImage(
                image_url=ImageUrl(url="https://x.test/a.png", detail="low")
            ),
            ChatCompletionContentPartVideo(video_url=VideoUrl(url="https://x.test/a.mp4")),
            ChatCompletionContentPartAudio(audio_url=AudioUrl(url="https://x.test/a.mp3")),
            ChatCompletionContentPartInputAudio(input_audio=InputAudio(data="UklGRg==")),
        ]
    ),
    ChatCompletionAssistantMessageParam(
        tool_calls=[
            ToolChoice(
                id="call_1",
                function=FunctionCall(name="get_weather", arguments='{"city":"Paris"}'),
            )
        ]
    ),
    ChatCompletionToolMessageParam(content='{"temp": 21}', tool_call_id="call_1"),
    ChatCompletionFunctionMessageParam(content="21", name="get_weather"),
    ChatCompletionUserMessageParam(content="Thanks"),
]


def test_dict_messages_become_the_typed_messages_of_their_role():
    from_dicts = ChatCompletionRequest(model=MODEL, messages=DICT_MESSAGES)
    from_models = ChatCompletionRequest(model=MODEL, messages=TYPED_MESSAGES)

    assert from_dicts == from_models
    assert [type(m) for m in from_dicts.messages] == [type(m) for m in TYPED_MESSAGES]


def test_dict_and_typed_messages_send_the_same_json():
    from_dicts = create_chat_completion(model=MODEL, messages=DICT_MESSAGES)
    from_models = create_chat_completion(model=MODEL, messages=TYPED_MESSAGES)

    assert from_dicts == from_models
    expected = [{k: v for k, v in m.items() if v is not None} for m in DICT_MESSAGES]
    assert sent(from_models)["messages"] == expected


def test_typed_user_message_types_its_dict_parts():
    message = ChatCompletionUserMessageParam(content=[{"type": "text", "text": "hi"}])
    assert message.content == (ChatCompletionContentPartText(text="hi"),)


def test_tools_response_format_and_reasoning_accept_dicts_or_models():
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    from_dicts = ChatCompletionRequest(
        model=MODEL,
        messages=HI,
        tools=[WEATHER_TOOL],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        },
        reasoning={"enabled": True},
    )
    from_models = ChatCompletionRequest(
        model=MODEL,
        messages=HI,
        tools=[
            ToolsPart(
                function=FunctionDefinition(
                    name="get_weather",
                    description="Current weather",
                    parameters=WEATHER_TOOL["function"]["parameters"],
                )
            )
        ],
        response_format=ResponseFormatJsonSchema(
            json_schema=JsonSchema(name="answer", schema=schema, strict=True)
        ),
        reasoning=Reasoning(enabled=True),
    )
    assert from_dicts == from_models


@pytest.mark.parametrize(
    ("raw", "typed"),
    [
        ({"type": "text"}, ResponseFormatText()),
        ({"type": "json_object"}, ResponseFormatJsonObject()),
    ],
)
def test_simple_response_formats_are_typed(raw, typed):
    assert ChatCompletionRequest(model=MODEL, messages=HI, response_format=raw).response_format == (
        typed
    )


@pytest.mark.parametrize(
    "message",
    [
        {"role": "critic", "content": "an unknown role"},
        {"role": "user", "content": "hi", "cache_control": {"type": "ephemeral"}},
        {"role": "user", "content": [{"type": "file", "file": {"file_id": "f-1"}}]},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u", "x": 1}}]},
    ],
)
def test_messages_the_models_cannot_hold_are_sent_as_given(message):
    call = create_chat_completion(model=MODEL, messages=[message])
    assert sent(call)["messages"] == [message]


@pytest.mark.parametrize(
    "message",
    [
        {"role": "user", "content": "hi", "name": None},
        {"role": "user", "content": "hi", "tool_calls": None},
    ],
)
def test_null_values_count_as_absent(message):
    request = ChatCompletionRequest(model=MODEL, messages=[message])
    assert request.messages == (ChatCompletionUserMessageParam(content="hi"),)


def test_unknown_content_parts_stay_dicts_beside_typed_ones():
    message = ChatCompletionUserMessageParam(
        content=[{"type": "text", "text": "see"}, {"type": "file", "file": {"file_id": "f-1"}}]
    )
    assert message.content == (
        ChatCompletionContentPartText(text="see"),
        {"type": "file", "file": {"file_id": "f-1"}},
    )


def test_other_shapes_of_tool_choice_and_response_format_are_sent_as_given():
    named = {"type": "function", "function": {"name": "get_weather"}}
    legacy = {"type": "json_object", "schema": {"type": "object"}}
    call = create_chat_completion(
        model=MODEL, messages=HI, tool_choice=named, response_format=legacy
    )
    body = sent(call)
    assert (body["tool_choice"], body["response_format"]) == (named, legacy)


def test_an_answer_can_be_fed_back_as_an_assistant_message():
    call_made = ToolChoice(index=0, id="call_9", function=FunctionCall(name="f", arguments="{}"))
    answer = ChatCompletionMessage(content=None, tool_calls=(call_made,))
    request = ChatCompletionRequest(model=MODEL, messages=[*HI, answer])

    assert request.messages[1] == ChatCompletionAssistantMessageParam(tool_calls=[call_made])


# --- encode → decode -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        ChatCompletionRequest(model=MODEL, messages=TYPED_MESSAGES),
        ChatCompletionRequest(
            model=MODEL,
            messages=[*HI, {"role": "critic", "content": "kept"}],
            stop="END",
            logit_bias={7: 1.5},
            tools=[WEATHER_TOOL],
            tool_choice=ToolChoice(id="c", function=FunctionCall(name="get_weather")),
            response_format={"type": "json_schema", "json_schema": {"name": "n"}},
            reasoning={"enabled": False},
            chat_template_kwargs={"thinking": True},
            temperature=0.7,
            seed=12345678901234567890,
            stream=True,
        ),
        ChatCompletionRequest(model=MODEL, messages=HI, response_format={"type": "text"}),
    ],
)
def test_requests_survive_encoding_and_decoding(request_):
    assert decode_json(encode_json(request_), ChatCompletionRequest) == Success(request_)


# --- folding a stream ----------------------------------------------------------------------------


def chunk(*choices: ChatCompletionChoice, usage: UsageData | None = None) -> ChatCompletionChunk:
    return ChatCompletionChunk(id="c-1", created=7, model=MODEL, choices=choices, usage=usage)


def text(index: int, content: str | None, **kwargs: Any) -> ChatCompletionChoice:
    delta = ChatCompletionChoiceDelta(role="assistant", content=content)
    return ChatCompletionChoice(index=index, delta=delta, **kwargs)


def tool(index: int, **fragment: Any) -> ChatCompletionChoice:
    function = ChoiceDeltaFunctionCall(
        name=fragment.pop("name", None), arguments=fragment.pop("arguments", None)
    )
    call = ChoiceDeltaToolCall(index=index, function=function, **fragment)
    return ChatCompletionChoice(delta=ChatCompletionChoiceDelta(tool_calls=(call,)))


def test_text_chunks_fold_into_one_message():
    usage = UsageData(prompt_tokens=3, completion_tokens=2, total_tokens=5)
    result = accumulate_chat_chunks(
        [
            chunk(text(0, "Hel")),
            chunk(text(0, "lo")),
            chunk(text(0, "", finish_reason="eos", seed=2**64 - 1), usage=usage),
        ]
    )

    assert result == ChatCompletionResponse(
        id="c-1",
        created=7,
        model=MODEL,
        choices=(
            ChatCompletionChoicesData(
                index=0,
                message=ChatCompletionMessage(role="assistant", content="Hello"),
                finish_reason="eos",
                seed=2**64 - 1,
            ),
        ),
        usage=usage,
    )


def test_parallel_tool_calls_are_merged_by_index():
    result = accumulate_chat_chunks(
        [
            chunk(ChatCompletionChoice(delta=ChatCompletionChoiceDelta(role="assistant"))),
            chunk(tool(0, id="call_a", type="function", name="get_weather", arguments="")),
            chunk(tool(0, arguments='{"city":')),
            chunk(tool(1, id="call_b", type="function", name="get_time", arguments='{"tz"')),
            chunk(tool(0, arguments='"Boston"}')),
            chunk(tool(1, arguments=':"CST"}')),
            chunk(ChatCompletionChoice(finish_reason="tool_calls")),
        ]
    )

    (choice,) = result.choices
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls == (
        ToolChoice(
            index=0,
            id="call_a",
            function=FunctionCall(name="get_weather", arguments='{"city":"Boston"}'),
        ),
        ToolChoice(
            index=1, id="call_b", function=FunctionCall(name="get_time", arguments='{"tz":"CST"}')
        ),
    )


def test_a_repeated_name_on_later_fragments_is_not_doubled():
    result = accumulate_chat_chunks(
        [
            chunk(tool(0, id="call_a", name="f", arguments="{")),
            chunk(tool(0, id="call_a", name="f", arguments="}")),
        ]
    )
    assert result.choices[0].message.tool_calls == (
        ToolChoice(index=0, id="call_a", function=FunctionCall(name="f", arguments="{}")),
    )


def test_choices_fold_separately_and_come_out_in_index_order():
    result = accumulate_chat_chunks(
        [
            chunk(text(1, "B1"), text(0, "A1")),
            chunk(text(0, "A2", finish_reason="stop")),
            chunk(text(1, "B2", finish_reason="length")),
        ]
    )
    assert [(c.index, c.message.content, c.finish_reason) for c in result.choices] == [
        (0, "A1A2", "stop"),
        (1, "B1B2", "length"),
    ]


def test_reasoning_and_legacy_function_calls_are_folded_too():
    def delta(**kwargs: Any) -> ChatCompletionChunk:
        return chunk(ChatCompletionChoice(delta=ChatCompletionChoiceDelta(**kwargs)))

    result = accumulate_chat_chunks(
        [
            delta(reasoning="Think"),
            delta(reasoning="ing."),
            delta(function_call=ChoiceDeltaFunctionCall(name="f", arguments='{"a"')),
            delta(function_call=ChoiceDeltaFunctionCall(arguments=":1}")),
        ]
    )
    message = result.choices[0].message
    assert message.reasoning == "Thinking."
    assert message.function_call == FunctionCall(name="f", arguments='{"a":1}')
    assert message.content is None


def test_choice_text_is_used_when_the_delta_has_no_content():
    result = accumulate_chat_chunks(
        [chunk(ChatCompletionChoice(text="a")), chunk(ChatCompletionChoice(text="b"))]
    )
    assert result.choices[0].message.content == "ab"


def test_an_empty_stream_folds_into_an_empty_response():
    assert accumulate_chat_chunks([]) == ChatCompletionResponse(choices=())


# --- decoding what the spec allows and the API sends ------------------------------------------


def decode(data: dict[str, Any], cls: Any) -> Any:
    result = decode_json(json.dumps(data).encode(), cls)
    assert isinstance(result, Success), result
    return result.unwrap()


def answer_with(logprobs: Any) -> dict[str, Any]:
    return {
        "id": "r-1",
        "object": "chat.completion",
        "created": 1,
        "model": MODEL,
        "prompt": [],
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Hi"},
                "logprobs": logprobs,
            }
        ],
    }


def test_together_logprobs_decode_with_one_mapping_or_one_per_token():
    legacy = {
        "tokens": ["Hi", "!"],
        "token_logprobs": [None, -0.5],
        "token_ids": [13347, 0],
        "top_logprobs": [{"Hi": -0.1}, None],
    }
    spec = {"tokens": ["Hi"], "token_logprobs": [-0.1], "top_logprobs": {"Hi": -0.1, "Hey": -2}}

    per_token = decode(answer_with(legacy), ChatCompletionResponse).choices[0].logprobs
    one_mapping = decode(answer_with(spec), ChatCompletionResponse).choices[0].logprobs

    assert per_token == LogprobsPart(
        tokens=("Hi", "!"),
        token_logprobs=(None, -0.5),
        token_ids=(13347, 0),
        top_logprobs=({"Hi": -0.1}, None),
    )
    assert one_mapping.top_logprobs == {"Hi": -0.1, "Hey": -2.0}


def test_openai_format_logprobs_decode():
    openai = {
        "content": [
            {
                "token": "Hi",
                "logprob": -0.1,
                "bytes": [72, 105],
                "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]}],
            }
        ]
    }
    logprobs = decode(answer_with(openai), ChatCompletionResponse).choices[0].logprobs
    assert logprobs == LogprobsPart(
        content=(
            ChatCompletionTokenLogprob(
                token="Hi",
                logprob=-0.1,
                bytes=(72, 105),
                top_logprobs=(TopLogprob(token="Hi", logprob=-0.1, bytes=(72, 105)),),
            ),
        )
    )


def test_spec_shaped_chunks_decode():
    chunk = decode(
        {
            "id": "k-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": MODEL,
            "system_fingerprint": "fp",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": None,
                    "logprobs": -0.25,
                    "top_logprobs": {"Hi": -0.25},
                    "delta": {
                        "role": "assistant",
                        "content": "Hi",
                        "token_id": 1,
                        "reasoning": "r",
                    },
                }
            ],
            "warnings": [{"message": "slow"}],
        },
        ChatCompletionChunk,
    )
    (choice,) = chunk.choices
    assert (choice.logprobs, choice.top_logprobs) == (-0.25, {"Hi": -0.25})
    assert choice.delta == ChatCompletionChoiceDelta(
        role="assistant", content="Hi", token_id=1, reasoning="r"
    )
    assert (chunk.system_fingerprint, chunk.warnings) == ("fp", (InferenceWarning(message="slow"),))


def test_fractional_indexes_and_token_ids_allowed_by_the_spec_decode():
    data = answer_with({"token_ids": [1.5]})
    data["choices"][0]["message"]["tool_calls"] = [
        {"index": 0.5, "id": "c", "type": "function", "function": {"name": "f", "arguments": ""}}
    ]
    choice = decode(data, ChatCompletionResponse).choices[0]
    assert choice.logprobs.token_ids == (1.5,)
    assert choice.message.tool_calls[0].index == 0.5


@pytest.mark.parametrize("role", ["system", "developer", "user", "assistant"])
def test_a_plain_text_message_is_typed_as_the_general_path_types_it(role: str) -> None:
    from together_fn.models.chat import ChatCompletionMessageParam, _message
    from together_fn.models.common import typed_or_raw

    message = {"role": role, "content": "text"}
    direct = _message(message)
    assert direct == typed_or_raw(message, ChatCompletionMessageParam)
    assert type(direct).__name__.startswith("ChatCompletion")
    # Anything else (a name, non-text content, an unknown role) takes the general path.
    assert _message({**message, "name": "n"}) == typed_or_raw(
        {**message, "name": "n"}, ChatCompletionMessageParam
    )
    assert _message({"role": "critic", "content": "x"}) == {"role": "critic", "content": "x"}
