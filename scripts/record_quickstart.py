"""Re-record cassettes/quickstart.yaml (run from the project root with the project's venv).

The answers are written by hand to the shapes the OpenAPI spec documents and the real API
sends (a final chunk with usage, then ``[DONE]``); a loopback server on 127.0.0.1 serves
them and ``RecordingTransport`` records the exchanges under the API's default base URL, so
the quickstart replays offline with its default configuration. The cassette says so in its
first line.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from examples import quickstart
from tests.executors.loopback import Loopback, json_reply, sse_event, stream
from together_fn.config import DEFAULT_BASE_URL
from together_fn.executors import (
    RecordingTransport,
    RequestsTransport,
    ResponseStream,
    SyncTransport,
)
from together_fn.http import HttpRequest, HttpResponse

ANSWER = (
    "A functional API client builds each request as a plain value and performs it "
    "separately, so every call can be inspected, tested and replayed."
)
CREATED = 1763900000
HEADERS = (
    ("x-request-id", "quickstart-request"),
    ("x-ratelimit-limit", "600"),
    ("x-ratelimit-remaining", "599"),
)


def chat_completion() -> dict[str, object]:
    return {
        "id": "quickstart-chat-0001",
        "object": "chat.completion",
        "created": CREATED,
        "model": quickstart.MODEL,
        "prompt": [],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER, "tool_calls": []},
                "logprobs": None,
                "finish_reason": "stop",
                "seed": 14145416413182314000,
            }
        ],
        "usage": {"prompt_tokens": 24, "completion_tokens": 27, "total_tokens": 51},
    }


def chat_stream() -> list[bytes]:
    words = ANSWER.split(" ")
    events = []
    for index, word in enumerate(words):
        text = word if index == 0 else " " + word
        events.append(
            {
                "id": "quickstart-chat-0002",
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": quickstart.MODEL,
                "choices": [
                    {
                        "index": 0,
                        "text": text,
                        "logprobs": None,
                        "finish_reason": None,
                        "delta": {"token_id": 1000 + index, "role": "assistant", "content": text},
                    }
                ],
                "usage": None,
            }
        )
    events.append(
        {
            "id": "quickstart-chat-0002",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": quickstart.MODEL,
            "choices": [
                {
                    "index": 0,
                    "text": "",
                    "logprobs": None,
                    "finish_reason": "stop",
                    "seed": 9313781139405380000,
                    "delta": {"token_id": 128009, "role": "assistant", "content": ""},
                }
            ],
            "usage": {"prompt_tokens": 24, "completion_tokens": len(words), "total_tokens": 51},
        }
    )
    return [sse_event(event) for event in events] + [b"data: [DONE]\n\n"]


def embeddings() -> dict[str, object]:
    def vector(seed: int) -> list[float]:
        return [round(math.sin(seed * 7.0 + i) / 10.0, 6) for i in range(768)]

    return {
        "object": "list",
        "model": quickstart.EMBEDDING_MODEL,
        "data": [{"object": "embedding", "index": i, "embedding": vector(i + 1)} for i in range(2)],
    }


@attrs.define
class Rebased:
    """Sends what was addressed to the API's base URL to the loopback server instead."""

    inner: SyncTransport
    to: str

    def _moved(self, request: HttpRequest) -> HttpRequest:
        return attrs.evolve(request, url=request.url.replace(DEFAULT_BASE_URL, self.to, 1))

    def send(self, request: HttpRequest) -> HttpResponse:
        return self.inner.send(self._moved(request))

    def open(self, request: HttpRequest) -> ResponseStream:
        return self.inner.open(self._moved(request))

    def close(self) -> None:
        self.inner.close()


def main() -> int:
    cassette = quickstart.CASSETTE
    cassette.unlink(missing_ok=True)
    with Loopback() as server:
        server.route(
            "/v1/chat/completions",
            json_reply(chat_completion(), headers=HEADERS),
            stream(chat_stream(), headers=HEADERS),
        )
        server.route("/v1/embeddings", json_reply(embeddings(), headers=HEADERS))
        recorder = RecordingTransport(
            Rebased(RequestsTransport(), server.url + "/v1"),
            cassette,
            mode="all",
            against="a loopback server answering with responses written by hand "
            "to the shapes documented in Together's OpenAPI spec (scripts/record_quickstart.py)",
        )
        status = quickstart.main(recorder)
    print(json.dumps({"cassette": str(cassette.relative_to(ROOT)), "status": status}))
    return status


if __name__ == "__main__":
    sys.exit(main())
