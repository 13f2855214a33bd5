"""Every recorded real response of ``/chat/completions`` and ``/completions`` decodes.

The payloads live beside the project (``<reference>/real-responses/<endpoint>/*.json``, see
its README) and are read from there. Each file is one interaction: a 200 JSON body, a 200
event stream (``response.sse_events``, ending ``data: [DONE]``), or an error body. Expected
values are read from the same file, so every assertion compares the model with the wire.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from tests.reference import reference_dir
from together_fn import sse
from together_fn.api._build import RequestOptions
from together_fn.api.chat import (
    accumulate_chat_chunks,
    create_chat_completion,
    stream_chat_completion,
)
from together_fn.api.completions import (
    accumulate_completion_chunks,
    create_completion,
    stream_completion,
)
from together_fn.calls import Call, StreamCall, interpret, interpret_event
from together_fn.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    classify,
)
from together_fn.http import HttpResponse, JsonBody, to_headers
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.models.completions import CompletionChunk, CompletionResponse

REAL = reference_dir() / "real-responses"
FOLDERS = ("chat-completions", "completions")

pytestmark = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"reference payloads not found at {REAL} (set TOGETHER_REFERENCE_DIR)",
)

ERROR_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
    429: RateLimitError,
}


def payloads(folder: str, kind: str) -> list[Path]:
    """The files of ``folder`` whose response is of ``kind``: json, stream or error."""
    if not REAL.is_dir():
        return []
    return [p for p in sorted((REAL / folder).glob("*.json")) if kind_of(load(p)) == kind]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def kind_of(record: dict[str, Any]) -> str:
    response = record["response"]
    if response["status"] >= 400:
        return "error"
    return "stream" if response.get("sse_events") else "json"


def params_for(folder: str, kind: str) -> list[Any]:
    return [pytest.param(p, id=p.name) for p in payloads(folder, kind)]


def events_of(record: dict[str, Any]) -> Iterator[sse.SseEvent]:
    """The recorded lines as bytes on the wire, parsed by the SSE parser in odd-sized reads."""
    wire = "".join(f"{line}\n\n" for line in record["response"]["sse_events"]).encode()
    state = sse.INITIAL
    for start in range(0, len(wire), 37):
        state, events = sse.feed(state, wire[start : start + 37])
        yield from events
    assert sse.is_idle(state)


def decode_stream(call: StreamCall[Any], record: dict[str, Any]) -> list[Any]:
    events = list(events_of(record))
    assert events[-1].data == "[DONE]"
    chunks = []
    for received, event in enumerate(events[:-1]):
        result = interpret_event(call, event, received=received)
        assert isinstance(result, Success), result
        chunks.append(result.unwrap())
    assert len(chunks) == len(record["response"]["sse_events"]) - 1
    return chunks


def body_of(record: dict[str, Any]) -> bytes:
    # ``json.dumps`` writes Python ints exactly, so 20-digit seeds reach the decoder intact.
    return json.dumps(record["response"]["body"]).encode()


def respond(record: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        status=record["response"]["status"],
        headers=to_headers(record["response"].get("headers") or {}),
        body=body_of(record),
    )


def usage_matches(decoded: Any, raw: dict[str, Any] | None) -> None:
    if raw is None:
        assert decoded is None
        return
    assert decoded.prompt_tokens == raw["prompt_tokens"]
    assert decoded.completion_tokens == raw["completion_tokens"]
    assert decoded.total_tokens == raw["total_tokens"]
    assert decoded.cache_hit_rate == raw.get("cache_hit_rate")


# --- chat: JSON bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("path", params_for("chat-completions", "json"))
def test_chat_response_decodes(path):
    record = load(path)
    raw = record["response"]["body"]
    call = create_chat_completion(model=raw["model"], messages=[{"role": "user", "content": "x"}])

    result = interpret(call, respond(record))

    assert isinstance(result, Success), result
    response: ChatCompletionResponse = result.unwrap()
    assert (response.id, response.object, response.created, response.model) == (
        raw["id"],
        raw["object"],
        raw["created"],
        raw["model"],
    )
    assert response.prompt == tuple(raw["prompt"])
    usage_matches(response.usage, raw.get("usage"))
    assert len(response.choices) == len(raw["choices"])
    for choice, expected in zip(response.choices, raw["choices"], strict=True):
        assert choice.index == expected["index"]
        assert choice.seed == expected.get("seed")  # exact, even beyond 64 bits
        assert choice.finish_reason == expected["finish_reason"]
        assert choice.logprobs is None
        assert choice.message.role == expected["message"]["role"]
        assert choice.message.content == expected["message"]["content"]
        calls = expected["message"].get("tool_calls")
        if calls is None:
            assert choice.message.tool_calls is None
            continue
        assert [
            (c.index, c.id, c.type, c.function.name, c.function.arguments)
            for c in (choice.message.tool_calls or ())
        ] == [
            (c["index"], c["id"], c["type"], c["function"]["name"], c["function"]["arguments"])
            for c in calls
        ]


# --- chat: event streams ----------------------------------------------------------------------


@pytest.mark.parametrize("path", params_for("chat-completions", "stream"))
def test_chat_stream_decodes_chunk_by_chunk(path):
    record = load(path)
    call = rebuild(stream_chat_completion, record["request"]["body"])

    chunks: list[ChatCompletionChunk] = decode_stream(call, record)

    raws = [
        json.loads(line.removeprefix("data: ")) for line in record["response"]["sse_events"][:-1]
    ]
    for chunk, raw in zip(chunks, raws, strict=True):
        assert (chunk.id, chunk.object, chunk.model) == (raw["id"], raw["object"], raw["model"])
        usage_matches(chunk.usage, raw.get("usage"))
        for choice, expected in zip(chunk.choices, raw["choices"], strict=True):
            delta = expected["delta"]
            assert choice.finish_reason == expected["finish_reason"]
            assert choice.seed == expected.get("seed")
            assert choice.text == expected.get("text")
            assert choice.delta.role == delta.get("role")
            assert choice.delta.content == delta.get("content")
            assert choice.delta.token_id == delta.get("token_id")
            fragments = delta.get("tool_calls") or []
            assert [
                (f.index, f.id, f.function.name if f.function else None)
                for f in choice.delta.tool_calls or ()
            ] == [(f["index"], f.get("id"), f["function"].get("name")) for f in fragments]


@pytest.mark.parametrize("path", params_for("chat-completions", "stream"))
def test_chat_stream_folds_into_the_whole_answer(path):
    record = load(path)
    chunks = decode_stream(rebuild(stream_chat_completion, record["request"]["body"]), record)

    answer = accumulate_chat_chunks(chunks)

    raws = [
        json.loads(line.removeprefix("data: ")) for line in record["response"]["sse_events"][:-1]
    ]
    deltas = [c["choices"][0]["delta"] for c in raws]
    pieces = [d["content"] for d in deltas if d.get("content") is not None]
    (choice,) = answer.choices
    assert choice.message.content == ("".join(pieces) if pieces else None)
    assert choice.finish_reason == raws[-1]["choices"][0]["finish_reason"]
    assert choice.seed == raws[-1]["choices"][0].get("seed")
    usage_matches(answer.usage, raws[-1].get("usage"))
    expected_calls: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for delta in deltas:
        for fragment in delta.get("tool_calls") or []:
            expected_calls.setdefault(fragment["index"], []).append(
                fragment["function"].get("arguments", "")
            )
            names.setdefault(fragment["index"], fragment["function"].get("name"))
    assert {
        c.index: (c.function.name, c.function.arguments) for c in choice.message.tool_calls or ()
    } == {i: (names[i], "".join(parts)) for i, parts in expected_calls.items()}


def test_the_streamed_parallel_tool_calls_are_both_recovered():
    (path,) = [p for p in payloads("chat-completions", "stream") if "914c5cf0988ccfbc" in p.name]
    record = load(path)
    chunks = decode_stream(rebuild(stream_chat_completion, record["request"]["body"]), record)

    calls = accumulate_chat_chunks(chunks).choices[0].message.tool_calls or ()

    assert len(calls) == 2
    for call in calls:
        assert call.id.startswith("call_")
        assert call.function.name in {
            t["function"]["name"] for t in record["request"]["body"]["tools"]
        }
        assert isinstance(json.loads(call.function.arguments), dict)


# --- completions ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", params_for("completions", "json"))
def test_completion_response_decodes(path):
    record = load(path)
    raw = record["response"]["body"]

    result = interpret(create_completion(model=raw["model"], prompt="x"), respond(record))

    assert isinstance(result, Success), result
    response: CompletionResponse = result.unwrap()
    assert (response.id, response.object, response.created, response.model) == (
        raw["id"],
        raw["object"],
        raw["created"],
        raw["model"],
    )
    assert response.prompt == tuple(raw["prompt"])
    usage_matches(response.usage, raw.get("usage"))
    for choice, expected in zip(response.choices, raw["choices"], strict=True):
        assert (choice.index, choice.text) == (expected["index"], expected["text"])
        assert choice.seed == expected.get("seed")
        assert choice.finish_reason == expected["finish_reason"]
        assert choice.matched_stop == expected.get("matched_stop")
        assert choice.logprobs is None


@pytest.mark.parametrize("path", params_for("completions", "stream"))
def test_completion_stream_decodes_and_folds(path):
    record = load(path)
    chunks: list[CompletionChunk] = decode_stream(
        rebuild(stream_completion, record["request"]["body"]), record
    )

    raws = [
        json.loads(line.removeprefix("data: ")) for line in record["response"]["sse_events"][:-1]
    ]
    for chunk, raw in zip(chunks, raws, strict=True):
        (expected,) = raw["choices"]
        assert (chunk.id, chunk.object) == (raw["id"], raw["object"])
        assert chunk.text == expected["text"]
        assert chunk.choices[0].finish_reason == expected["finish_reason"]
        assert chunk.choices[0].seed == expected["seed"]
        assert chunk.choices[0].delta is not None
        assert chunk.choices[0].delta.token_id == expected["delta"]["token_id"]
    answer = accumulate_completion_chunks(chunks)
    assert answer.choices[0].text == "".join(r["choices"][0]["text"] for r in raws)
    assert answer.choices[0].finish_reason == raws[-1]["choices"][0]["finish_reason"]
    assert answer.choices[0].seed == raws[-1]["choices"][0]["seed"]
    usage_matches(answer.usage, raws[-1]["usage"])


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [*params_for("chat-completions", "error"), *params_for("completions", "error")]
)
def test_error_bodies_become_the_error_of_their_status(path):
    record = load(path)
    raw = record["response"]["body"]
    expected = raw.get("error", raw)  # one report shows the error object without its wrapper
    response = respond(record)

    error = classify(response)

    assert type(error) is ERROR_CLASSES[response.status]
    assert (error.status, error.message) == (response.status, expected["message"])
    assert (error.type, error.code, error.param) == (
        expected["type"],
        expected["code"],
        expected["param"],
    )
    call = create_chat_completion(model="m", messages=[{"role": "user", "content": "x"}])
    assert interpret(call, response) == Failure(error)


# --- requests, rebuilt ----------------------------------------------------------------------


def rebuild(builder: Callable[..., Any], body: dict[str, Any]) -> Any:
    """``builder`` called with a recorded request's fields; unknown ones go in ``extra_body``."""
    known = set(inspect.signature(builder).parameters) - {"options"}
    given = {k: v for k, v in body.items() if v is not None and k != "stream"}
    extra = {k: v for k, v in given.items() if k not in known}
    kwargs = {k: v for k, v in given.items() if k in known}
    return builder(**kwargs, options=RequestOptions(extra_body=extra or None))


def recorded_requests() -> list[Any]:
    cases = []
    for folder, create, stream, required in [
        ("chat-completions", create_chat_completion, stream_chat_completion, "messages"),
        ("completions", create_completion, stream_completion, "prompt"),
    ]:
        for kind in ("json", "stream"):
            for path in payloads(folder, kind):
                body = load(path)["request"]["body"]
                if body and required in body and "model" in body:
                    builder = stream if kind == "stream" else create
                    cases.append(pytest.param(builder, body, id=path.name))
    return cases


@pytest.mark.parametrize(("builder", "body"), recorded_requests())
def test_builders_rebuild_the_recorded_requests(builder, body):
    call: Call[Any] | StreamCall[Any] = rebuild(builder, body)

    expected = {k: v for k, v in body.items() if v is not None and k != "stream"}
    if isinstance(call, StreamCall):
        expected["stream"] = True
    assert isinstance(call.request.body, JsonBody)
    sent = call.request.body.json()
    # Our messages omit ``null`` members (``"tool_calls": null``), as every request field.
    assert sent == json.loads(json.dumps(expected), object_hook=without_nulls)


def without_nulls(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None}


# --- coverage of the corpus -------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_payload_of_the_folder_is_decoded(folder, record_property):
    counts = {kind: len(payloads(folder, kind)) for kind in ("json", "stream", "error")}
    record_property(f"{folder}-payloads", counts)
    print(f"{folder}: decoded {counts}")

    assert sum(counts.values()) == len(list((REAL / folder).glob("*.json")))
    assert all(n > 0 for n in counts.values()), counts
