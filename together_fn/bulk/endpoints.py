"""The endpoints a bulk run can target, and how a request body becomes a :class:`Call`.

As with the Batch API, one endpoint serves a whole input file and each body is sent as
given (only ``model`` is required). Answers are kept as the bytes the server sent, so
a result line holds exactly what the API returned, whatever this library's models know.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from together_fn.bulk.lines import body_problem
from together_fn.calls import Call, new_call
from together_fn.codec import dumps
from together_fn.http import JsonBody, Method, new_request

#: Completion tokens assumed for a generation request that does not set ``max_tokens``.
DEFAULT_COMPLETION_TOKENS = 256


def _text_length(value: object) -> int:
    """Characters of prompt text in a JSON value (strings, lists, content parts)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    if isinstance(value, dict):
        if "text" in value:
            return _text_length(value["text"])
        return _text_length(value.get("content"))
    return 0


def _completion_tokens(body: Mapping[str, Any]) -> int:
    limit = body.get("max_tokens")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
        return limit
    return DEFAULT_COMPLETION_TOKENS


def chat_tokens(body: Mapping[str, Any]) -> int:
    """Prompt characters / 4, plus the completion tokens asked for."""
    return _text_length(body.get("messages")) // 4 + _completion_tokens(body)


def completion_tokens(body: Mapping[str, Any]) -> int:
    """Prompt characters / 4, plus the completion tokens asked for."""
    return _text_length(body.get("prompt")) // 4 + _completion_tokens(body)


def embedding_tokens(body: Mapping[str, Any]) -> int:
    """Input characters / 4 (at least one token)."""
    return max(1, _text_length(body.get("input")) // 4)


def rerank_tokens(body: Mapping[str, Any]) -> int:
    """Query and documents, characters / 4 (at least one token)."""
    documents = body.get("documents")
    if isinstance(documents, list):
        documents = [d if isinstance(d, str) else json.dumps(d) for d in documents]
    return max(1, (_text_length(body.get("query")) + _text_length(documents)) // 4)


def image_tokens(_: Mapping[str, Any]) -> int:
    """Images are not metered in tokens."""
    return 0


@attrs.frozen(kw_only=True)
class Endpoint:
    """A path as the Batch API names it, the operation it performs, and a token estimate."""

    path: str
    operation: str
    estimate_tokens: Callable[[Mapping[str, Any]], int] = attrs.field(eq=False)

    @property
    def api_path(self) -> str:
        """The path relative to the configured base URL (which ends in ``/v1``)."""
        return self.operation.split(" ", 1)[1]


ENDPOINTS: Mapping[str, Endpoint] = {
    e.path: e
    for e in (
        Endpoint(
            path="/v1/chat/completions",
            operation="POST /chat/completions",
            estimate_tokens=chat_tokens,
        ),
        Endpoint(
            path="/v1/completions", operation="POST /completions", estimate_tokens=completion_tokens
        ),
        Endpoint(
            path="/v1/embeddings", operation="POST /embeddings", estimate_tokens=embedding_tokens
        ),
        Endpoint(path="/v1/rerank", operation="POST /rerank", estimate_tokens=rerank_tokens),
        Endpoint(
            path="/v1/images/generations",
            operation="POST /images/generations",
            estimate_tokens=image_tokens,
        ),
    )
}

DEFAULT_ENDPOINT = "/v1/chat/completions"


def endpoint_for(path: str) -> Endpoint:
    """The endpoint named by ``path`` (``/v1/embeddings``, ``/embeddings`` or ``embeddings``)."""
    stripped = path.strip().strip("/")
    if stripped.startswith("v1/"):
        stripped = stripped[len("v1/") :]
    found = ENDPOINTS.get(f"/v1/{stripped}")
    if found is None:
        known = ", ".join(ENDPOINTS)
        raise ValueError(f"unsupported bulk endpoint {path!r}; use one of {known}")
    return found


def build_call(endpoint: Endpoint, body: Mapping[str, Any]) -> Call[bytes]:
    """The Call that sends ``body`` as given; its answer is kept as the bytes the server
    sent (the runner checks they are JSON before writing them)."""
    problem = body_problem(body)
    if problem is not None:
        raise ValueError(problem)
    # Sent as given: a NaN that Python's json read is written back, and the API refuses it.
    data = dumps(body, allow_nan=True).encode()
    request = new_request(method=Method.POST, url=endpoint.api_path, body=JsonBody(data))
    return new_call(operation=endpoint.operation, request=request, response_type=bytes)


def actual_tokens(response: object) -> int | None:
    """``usage.total_tokens`` of an answer, when it says."""
    if not isinstance(response, dict):
        return None
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return None
    total = usage.get("total_tokens")
    if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
        return total
    return None
