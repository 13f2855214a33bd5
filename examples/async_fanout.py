"""Async fan-out: ask several questions at once with ``asyncio.gather``.

One ``AsyncTogether`` client shares its connections between the calls; each failure stays
with its own question (``return_exceptions=True``).

Run: python -m examples.async_fanout   (offline from cassettes/async_fanout.yaml without a key)
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from examples._offline import CHAT_MODEL, key_and_transport
from together_fn import AsyncTogether, TogetherError

QUESTIONS = [
    "In five words, what is a retry policy?",
    "In five words, what is a cassette?",
    "In five words, what is a Result type?",
]


async def ask_all(client: AsyncTogether) -> list[Any]:
    async def ask(question: str) -> str:
        response = await client.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": question}], max_tokens=24
        )
        return response.choices[0].message.content or ""

    return await asyncio.gather(*(ask(q) for q in QUESTIONS), return_exceptions=True)


async def run(transport: Any) -> int:
    key, transport = key_and_transport("async_fanout", transport)
    async with AsyncTogether(api_key=key, transport=transport) as client:
        answers = await ask_all(client)
    failed = 0
    for question, answer in zip(QUESTIONS, answers, strict=True):
        if isinstance(answer, TogetherError):
            failed += 1
            print(f"{question}\n  failed: {answer}")
        else:
            print(f"{question}\n  {answer}")
    return 1 if failed else 0


def main(transport: Any = None) -> int:
    return asyncio.run(run(transport))


if __name__ == "__main__":
    sys.exit(main())
