"""A loopback server for the benchmarks: canned chat completions, as JSON or as an SSE stream.

It runs as its own process so that its CPU never counts against the client being measured.
It binds 127.0.0.1 on an ephemeral port, prints ``PORT <n>`` on stdout once it accepts
connections, and exits when its parent goes away or after ``--timeout`` seconds, whichever
comes first.

``POST /v1/chat/completions`` answers a realistic ``chat.completion`` object; when the request
body says ``"stream": true`` it answers ``--chunks`` ``chat.completion.chunk`` events and then
``data: [DONE]``, pre-rendered and written in large slices so that the server is never the
bottleneck of the client's parsing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from aiohttp import web

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
CREATED = 1736421960
STREAM_CHUNKS = 20_000
WRITE_SIZE = 256 * 1024
_TOKENS = (" The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".")

_ANSWER = (
    "One plus one is equal to two. In ordinary arithmetic over the natural numbers, adding one "
    "unit to another unit gives a collection of two units; the same holds for the integers, the "
    "rationals and the reals. In Boolean algebra, where + often means logical OR, 1 + 1 is 1, and "
    "in arithmetic modulo 2 it is 0 - but without further context the answer is two."
)


def chat_completion() -> dict[str, Any]:
    """A ``chat.completion`` shaped like those the real API returns (a 20-digit seed included)."""
    return {
        "id": "8ff411e54b88f1a4",
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "prompt": [],
        "choices": [
            {
                "finish_reason": "eos",
                "seed": 14663482367758619000,
                "logprobs": None,
                "index": 0,
                "message": {"role": "assistant", "content": _ANSWER, "tool_calls": []},
            }
        ],
        "usage": {"prompt_tokens": 46, "completion_tokens": 92, "total_tokens": 138},
    }


def chat_chunk(n: int, *, last: bool = False) -> dict[str, Any]:
    """The ``n``-th ``chat.completion.chunk`` of a stream, as the real API sends them."""
    token = "" if last else _TOKENS[n % len(_TOKENS)]
    return {
        "id": "8ff411e54b9299ab",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "choices": [
            {
                "index": 0,
                "text": token,
                "logprobs": None,
                "finish_reason": "eos" if last else None,
                "seed": 9313781139405380000 if last else None,
                "delta": {
                    "token_id": 128009 if last else 1000 + n % 5000,
                    "role": "assistant",
                    "content": token,
                    "tool_calls": None,
                },
            }
        ],
        "model": MODEL,
        "usage": (
            {"prompt_tokens": 48, "completion_tokens": n + 1, "total_tokens": n + 49}
            if last
            else None
        ),
    }


def chat_stream(chunks: int) -> bytes:
    """The whole event stream: ``chunks`` events, the last one with usage, then ``[DONE]``."""
    lines = [
        b"data: "
        + json.dumps(chat_chunk(n, last=n == chunks - 1), separators=(",", ":")).encode()
        + b"\n\n"
        for n in range(chunks)
    ]
    lines.append(b"data: [DONE]\n\n")
    return b"".join(lines)


_HEADERS = {
    "x-request-id": "bench-0001",
    "x-ratelimit-limit": "600",
    "x-ratelimit-remaining": "599",
}


def make_app(chunks: int) -> web.Application:
    """The application: one route, both answers rendered once up front."""
    completion = json.dumps(chat_completion(), separators=(",", ":")).encode()
    stream = chat_stream(chunks)

    async def chat(request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read())
        if not body.get("stream"):
            return web.Response(body=completion, content_type="application/json", headers=_HEADERS)
        response = web.StreamResponse(
            headers={**_HEADERS, "content-type": "text/event-stream;charset=utf-8"}
        )
        await response.prepare(request)
        for start in range(0, len(stream), WRITE_SIZE):
            await response.write(stream[start : start + WRITE_SIZE])
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    return app


async def serve(chunks: int, timeout: float) -> None:
    """Serve until the parent process is gone or ``timeout`` seconds have passed."""
    parent = os.getppid()
    runner = web.AppRunner(make_app(chunks), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        # Orphaned children are re-parented, so a changed parent id means ours has exited.
        while loop.time() < deadline and os.getppid() == parent:
            await asyncio.sleep(0.25)
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/server.py [--chunks N] [--timeout S]``."""
    parser = argparse.ArgumentParser(description="Loopback server for the together_fn benchmarks.")
    parser.add_argument("--chunks", type=int, default=STREAM_CHUNKS, help="events per stream")
    parser.add_argument("--timeout", type=float, default=900.0, help="exit after this many s")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.chunks, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
