"""Re-record the cassettes of the examples (run from the project root with the project's venv).

    python scripts/record_examples.py [NAME ...]

Like ``scripts/record_quickstart.py``: a loopback server on 127.0.0.1 answers with responses
written by hand to the shapes the OpenAPI spec documents (and the real API sends), each
example runs against it through ``RecordingTransport``, and the exchanges are saved under
the API's default base URL so that the example replays offline with its default
configuration. Each cassette says so in its first line.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _fine_tuning_answers import STORAGE, route_fine_tuning

from examples import (
    async_fanout,
    fine_tuning,
    functional,
    images,
    json_output,
    search,
    streaming,
    tool_calling,
)
from examples._offline import CHAT_MODEL, cassette
from examples.testing_app import test_app
from examples.testing_app.app import summarize
from tests.executors.loopback import (
    Loopback,
    Received,
    Wire,
    json_reply,
    sse_event,
    stream,
)
from together_fn import Together
from together_fn.config import DEFAULT_BASE_URL
from together_fn.executors import AiohttpTransport, RecordingTransport, RequestsTransport
from together_fn.http import HttpRequest, HttpResponse

CREATED = 1763900000
AGAINST = (
    "a loopback server answering with responses written by hand to the shapes documented "
    "in Together's OpenAPI spec (scripts/record_examples.py)"
)


def headers(name: str) -> tuple[tuple[str, str], ...]:
    return (("x-request-id", f"example-{name}"), ("x-ratelimit-remaining", "599"))


def usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def chat(
    content: str | None, *, id: str, tool_calls: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "tool_calls": tool_calls or [],
    }
    return {
        "id": id,
        "object": "chat.completion",
        "created": CREATED,
        "model": CHAT_MODEL,
        "prompt": [],
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if tool_calls else "stop",
                "seed": 4215381829403851000,
            }
        ],
        "usage": usage(30, len((content or "").split()) + 5),
    }


def chat_chunks(text: str, *, id: str) -> list[bytes]:
    words = text.split(" ")
    events: list[dict[str, Any]] = []
    for index, word in enumerate(words):
        piece = word if index == 0 else " " + word
        events.append(
            {
                "id": id,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": CHAT_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "text": piece,
                        "logprobs": None,
                        "finish_reason": None,
                        "delta": {"token_id": 2000 + index, "role": "assistant", "content": piece},
                    }
                ],
                "usage": None,
            }
        )
    events.append(
        {
            "id": id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": CHAT_MODEL,
            "choices": [
                {
                    "index": 0,
                    "text": "",
                    "logprobs": None,
                    "finish_reason": "stop",
                    "seed": 1163498451092385000,
                    "delta": {"token_id": 128009, "role": "assistant", "content": ""},
                }
            ],
            "usage": usage(18, len(words)),
        }
    )
    return [sse_event(e) for e in events] + [b"data: [DONE]\n\n"]


def vector(seed: float, dims: int = 768) -> list[float]:
    return [round(math.sin(seed * 3.1 + i * 0.37) / 10.0, 6) for i in range(dims)]


def embeddings(vectors: list[list[float]], model: str) -> dict[str, Any]:
    return {
        "object": "list",
        "model": model,
        "data": [
            {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
        ],
    }


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small, valid PNG of one colour (so that the saved files open)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def by_question(answers: dict[str, str]) -> Callable[[Received, Wire], None]:
    """Answers each chat request according to its question (calls arrive in any order)."""

    def behave(received: Received, wire: Wire) -> None:
        question = json.loads(received.body)["messages"][-1]["content"]
        number = list(answers).index(question)
        json_reply(chat(answers[question], id=f"fanout-{number}"), headers=headers("async"))(
            received, wire
        )

    return behave


# -- what the server answers, per example ---------------------------------------------------


def route_streaming(server: Loopback) -> None:
    text = (
        "1. Running tests offline. 2. Reproducing a bug report exactly. "
        "3. Reviewing what a client really sent."
    )
    server.route(
        "/v1/chat/completions",
        stream(chat_chunks(text, id="example-stream"), headers=headers("streaming")),
    )


def route_tool_calling(server: Loopback) -> None:
    call = {
        "index": 0,
        "id": "call_weather_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    server.route(
        "/v1/chat/completions",
        json_reply(chat(None, id="example-tools-1", tool_calls=[call]), headers=headers("tools-1")),
        json_reply(
            chat("It is 21 °C in Paris right now.", id="example-tools-2"),
            headers=headers("tools-2"),
        ),
    )


def route_json_output(server: Loopback) -> None:
    film = {"title": "Spirited Away", "year": 2001, "genres": ["animation", "fantasy"]}
    server.route(
        "/v1/chat/completions",
        json_reply(chat(json.dumps(film), id="example-json"), headers=headers("json")),
    )


def route_search(server: Loopback) -> None:
    # The query sits closest to the first document, as a real embedding model would put it.
    query = vector(1.0)
    documents = [vector(1.02), vector(2.0), vector(3.0), vector(4.0)]
    server.route(
        "/v1/embeddings",
        json_reply(
            embeddings([query, *documents], search.EMBEDDING_MODEL), headers=headers("search-1")
        ),
    )
    ranked = {
        "id": "example-rerank",
        "object": "rerank",
        "model": search.RERANK_MODEL,
        "results": [
            {"index": 0, "relevance_score": 0.94, "document": {}},
            {"index": 2, "relevance_score": 0.12, "document": {}},
        ],
        "usage": {"prompt_tokens": 310, "completion_tokens": 0, "total_tokens": 310},
    }
    server.route("/v1/rerank", json_reply(ranked, headers=headers("search-2")))


def route_images(server: Loopback) -> None:
    data = [
        {
            "index": i,
            "b64_json": base64.b64encode(png(4, 4, colour)).decode(),
            "timings": {"inference": 0.41},
        }
        for i, colour in enumerate([(240, 200, 160), (120, 160, 220)])
    ]
    answer = {"id": "example-images", "model": images.MODEL, "object": "list", "data": data}
    server.route("/v1/images/generations", json_reply(answer, headers=headers("images")))


def route_async_fanout(server: Loopback) -> None:
    answers = dict(
        zip(
            async_fanout.QUESTIONS,
            [
                "Rules for trying again safely.",
                "A recording of HTTP exchanges.",
                "Success or failure, as a value.",
            ],
            strict=True,
        )
    )
    server.route("/v1/chat/completions", by_question(answers))


def route_functional(server: Loopback) -> None:
    server.route(
        "/v1/chat/completions",
        json_reply(
            chat("Build values, run them, get results.", id="example-functional"),
            headers=headers("functional-1"),
        ),
    )
    server.route(
        "/v1/embeddings",
        json_reply(
            embeddings([vector(5.0)], functional.EMBEDDING_MODEL), headers=headers("functional-2")
        ),
    )


# -- the testing_app example: its cassette sits where the pytest plugin looks for it ---------

APP_TESTS = ROOT / "examples" / "testing_app" / "test_app.py"
APP_SUMMARY = (
    "Cassettes make tests fast, offline and repeatable by replaying recorded HTTP exchanges."
)


def app_cassette(test: str) -> Path:
    """``cassettes/<test module>/<test name>.yaml`` beside the tests, as the plugin names it."""
    return APP_TESTS.parent / "cassettes" / APP_TESTS.stem / f"{test}.yaml"


def route_testing_app(server: Loopback) -> None:
    server.route(
        "/v1/chat/completions",
        json_reply(chat(APP_SUMMARY, id="example-app-summary"), headers=headers("testing-app")),
    )


def run_testing_app(transport: Any) -> int:
    # What test_summary_replayed_from_a_cassette asks, sent as the plugin's client sends it.
    with Together(api_key="recording-key", transport=transport, env={}) as client:
        print(summarize(client, test_app.TEXT))
    return 0


def run_fine_tuning(transport: Any) -> int:
    with tempfile.TemporaryDirectory() as folder:
        return fine_tuning.main(transport, output=Path(folder))


@attrs.define
class Rebased:
    """Sends what was addressed to the API's base URL, or to one of the other ``origins``
    (the storage behind signed upload URLs, say), to the loopback server instead.

    ``origins`` maps a URL prefix to its stand-in; the recorder sits outside this transport,
    so the cassette keeps the URLs a live run would use.
    """

    inner: Any
    origins: dict[str, str]

    def _moved(self, request: HttpRequest) -> HttpRequest:
        for prefix, to in self.origins.items():
            if request.url.startswith(prefix):
                return attrs.evolve(request, url=to + request.url[len(prefix) :])
        return request

    def send(self, request: HttpRequest) -> HttpResponse:
        return self.inner.send(self._moved(request))  # type: ignore[no-any-return]

    def open(self, request: HttpRequest) -> Any:
        return self.inner.open(self._moved(request))

    def close(self) -> None:
        self.inner.close()

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return await self.inner.asend(self._moved(request))  # type: ignore[no-any-return]

    async def aopen(self, request: HttpRequest) -> Any:
        return await self.inner.aopen(self._moved(request))

    async def aclose(self) -> None:
        await self.inner.aclose()


EXAMPLES: dict[str, tuple[Callable[[Loopback], None], Callable[[Any], int], bool]] = {
    "streaming": (route_streaming, streaming.main, False),
    "tool_calling": (route_tool_calling, tool_calling.main, False),
    "json_output": (route_json_output, json_output.main, False),
    "search": (route_search, search.main, False),
    "images": (route_images, images.main, False),
    "async_fanout": (route_async_fanout, async_fanout.main, True),
    "functional": (route_functional, functional.main, False),
    "fine_tuning": (route_fine_tuning, run_fine_tuning, False),
    "testing_app": (route_testing_app, run_testing_app, False),
}
#: Cassettes kept elsewhere than ``cassettes/<name>.yaml``.
CASSETTES = {"testing_app": app_cassette("test_summary_replayed_from_a_cassette")}


def record(name: str) -> int:
    route, run, is_async = EXAMPLES[name]
    path = CASSETTES.get(name) or cassette(name)
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Loopback() as server:
        route(server)
        inner = AiohttpTransport() if is_async else RequestsTransport()
        recorder = RecordingTransport(
            Rebased(inner, {DEFAULT_BASE_URL: server.url + "/v1", STORAGE: server.url}),
            path,
            mode="all",
            against=AGAINST,
        )
        status = run(recorder)
        if is_async:
            asyncio.run(recorder.aclose())
    print(json.dumps({"cassette": str(path.relative_to(ROOT)), "status": status}))
    return status


def main(argv: list[str]) -> int:
    names = argv or list(EXAMPLES)
    unknown = sorted(set(names) - set(EXAMPLES))
    if unknown:
        print(f"unknown examples: {', '.join(unknown)}", file=sys.stderr)
        return 2
    return max(record(name) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
