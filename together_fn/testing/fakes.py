"""Fake answers of the Together API, shaped like the spec's, as ``HttpResponse`` values.

    transport = FakeTransport({"POST /chat/completions": chat_completion("Hi there")})
    client = Together(api_key="test", transport=transport)
    answer = client.chat.completions.create(model="m", messages=[...])
    assert answer.choices[0].message.content == "Hi there"

Each function returns a response a transport can hand back; the payloads decode into the
library's models, so a test exercises the same decoding as production code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from together_fn.http import HttpResponse

#: The model fakes answer as, unless told otherwise.
FAKE_MODEL = "fake/model"
#: ``created`` of every fake (a fixed time: fakes compare equal across runs).
FAKE_CREATED = 1_700_000_000


def json_response(
    payload: object,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    request_id: str = "fake-request",
) -> HttpResponse:
    """Any JSON answer."""
    extra = tuple((k.lower(), v) for k, v in (headers or {}).items())
    return HttpResponse(
        status=status,
        headers=(("content-type", "application/json"), ("x-request-id", request_id), *extra),
        body=json.dumps(payload).encode(),
    )


def sse_response(
    events: Iterable[object], *, done: bool = True, request_id: str = "fake-request"
) -> HttpResponse:
    """A server-sent-events answer: one ``data:`` event per item (JSON-encoded unless it is
    a string), then ``[DONE]`` unless ``done=False`` (a stream cut short)."""
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return HttpResponse(
        status=200,
        headers=(("content-type", "text/event-stream"), ("x-request-id", request_id)),
        body="".join(lines).encode(),
    )


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_completion(
    content: str | None = "Hello!",
    *,
    model: str = FAKE_MODEL,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    finish_reason: str | None = None,
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
    id: str = "fake-chat-completion",
) -> HttpResponse:
    """A chat completion answering ``content``, or calling ``tool_calls``
    (``{"name": ..., "arguments": {...}}`` each; arguments may also be a JSON string)."""
    calls = [
        {
            "index": i,
            "id": call.get("id", f"call_{i}"),
            "type": "function",
            "function": {
                "name": call["name"],
                "arguments": _arguments(call.get("arguments", {})),
            },
        }
        for i, call in enumerate(tool_calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    reason = finish_reason or ("tool_calls" if calls else "stop")
    return json_response(
        {
            "id": id,
            "object": "chat.completion",
            "created": FAKE_CREATED,
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": reason}],
            "usage": _usage(prompt_tokens, completion_tokens),
        }
    )


def _arguments(arguments: object) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def chat_stream(
    pieces: Sequence[str],
    *,
    model: str = FAKE_MODEL,
    finish_reason: str = "stop",
    done: bool = True,
    id: str = "fake-chat-stream",
) -> HttpResponse:
    """A streamed chat completion: one chunk per piece of text, the last with
    ``finish_reason`` and usage; ``done=False`` leaves out ``[DONE]`` (a truncated stream)."""
    chunks = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        chunk: dict[str, Any] = {
            "id": id,
            "object": "chat.completion.chunk",
            "created": FAKE_CREATED,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": piece},
                    "finish_reason": finish_reason if last else None,
                }
            ],
        }
        if last:
            chunk["usage"] = _usage(10, len(pieces))
        chunks.append(chunk)
    return sse_response(chunks, done=done)


def completion(
    text: str = "Hello!", *, model: str = FAKE_MODEL, id: str = "fake-completion"
) -> HttpResponse:
    """A text completion answering ``text``."""
    return json_response(
        {
            "id": id,
            "object": "text.completion",
            "created": FAKE_CREATED,
            "model": model,
            "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
            "usage": _usage(5, 5),
        }
    )


def embeddings(vectors: Sequence[Sequence[float]], *, model: str = FAKE_MODEL) -> HttpResponse:
    """An embeddings answer holding ``vectors``, in order."""
    return json_response(
        {
            "object": "list",
            "model": model,
            "data": [
                {"object": "embedding", "index": i, "embedding": list(vector)}
                for i, vector in enumerate(vectors)
            ],
        }
    )


def error(
    status: int,
    message: str = "fake error",
    *,
    type: str | None = None,
    code: str | None = None,
    retry_after: float | None = None,
) -> HttpResponse:
    """An error answer in the API's ``{"error": {...}}`` shape (``retry_after`` sets the
    ``Retry-After`` header, in seconds)."""
    detail: dict[str, Any] = {"message": message, "type": type or _ERROR_TYPES.get(status)}
    if code is not None:
        detail["code"] = code
    headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
    return json_response({"error": detail}, status=status, headers=headers)


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    422: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "service_unavailable",
}
