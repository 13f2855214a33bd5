"""Quickstart: a chat completion, a streamed one, and embeddings.

Live when TOGETHER_API_KEY is set; otherwise replayed offline from cassettes/quickstart.yaml.
Run it with `scripts/demo`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from returns.result import Failure, Success

from together_fn import Together, api
from together_fn.executors import ReplayTransport, SyncTransport

CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "quickstart.yaml"
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
EMBEDDING_MODEL = "BAAI/bge-base-en-v1.5"


def main(transport: SyncTransport | None = None) -> int:
    live = transport is None and bool(os.environ.get("TOGETHER_API_KEY"))
    if not live and transport is None:
        transport = ReplayTransport(CASSETTE)
        print(f"(offline: replaying {CASSETTE.name}; set TOGETHER_API_KEY to run live)\n")
    key = os.environ.get("TOGETHER_API_KEY") or "offline-replay"
    messages = [{"role": "user", "content": "In one sentence, what is a functional API client?"}]

    # The functional way: build a value, run it, match on the Result.
    call = api.chat.create_chat_completion(model=MODEL, messages=messages, max_tokens=64)
    print("request:", call.request.method.value, call.request.url)
    with Together(api_key=key, transport=transport) as client:
        exchange = client.executor.execute(call)
    match exchange.result:
        case Success(response):
            print("answer:", response.choices[0].message.content)
            print(
                f"status {exchange.status}, request id {exchange.request_id}, "
                f"{exchange.attempts} attempt(s)"
            )
        case Failure(error):
            print("failed:", error, file=sys.stderr)
            return 1

    # The convenience way: the official SDK's call shapes.
    with Together(api_key=key, transport=transport) as client:
        print("streamed: ", end="")
        for chunk in client.chat.completions.create(
            model=MODEL, messages=messages, max_tokens=64, stream=True
        ):
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()
        vectors = client.embeddings.create(model=EMBEDDING_MODEL, input=["functional", "client"])
        dims = ", ".join(str(len(item.embedding)) for item in vectors.data)
        print(f"embeddings: {len(vectors.data)} vectors of {dims} dimensions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
