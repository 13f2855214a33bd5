"""Streaming: print tokens as they arrive, then fold the chunks into one response.

Run: python -m examples.streaming   (offline from cassettes/streaming.yaml without a key)
"""

from __future__ import annotations

import sys
from typing import Any

from examples._offline import CHAT_MODEL, key_and_transport
from together_fn import Together, api

MESSAGES = [{"role": "user", "content": "Name three uses of a replayable HTTP cassette."}]


def main(transport: Any = None) -> int:
    key, transport = key_and_transport("streaming", transport)
    with Together(api_key=key, transport=transport) as client:
        chunks = []
        for chunk in client.chat.completions.create(
            model=CHAT_MODEL, messages=MESSAGES, max_tokens=128, stream=True
        ):
            chunks.append(chunk)
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()
    whole = api.chat.accumulate_chat_chunks(chunks)
    usage = whole.usage
    print(f"chunks: {len(chunks)}, finish: {whole.choices[0].finish_reason}", end="")
    print(f", tokens: {usage.total_tokens}" if usage else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
