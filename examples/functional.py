"""Composing calls functionally: values in, ``Result`` out, no exceptions in between.

A summary is asked for, then embedded; ``bind`` runs the second call only when the first
succeeded, and any failure (HTTP, network, decoding) arrives as the same ``Failure`` value.

Run: python -m examples.functional   (offline from cassettes/functional.yaml without a key)
"""

from __future__ import annotations

import sys
from typing import Any

from returns.pipeline import flow
from returns.pointfree import bind
from returns.result import Failure, Result, Success

from examples._offline import CHAT_MODEL, key_and_transport
from together_fn import ClientConfig, Executor, TogetherError, api
from together_fn.models.chat import ChatCompletionResponse
from together_fn.models.embeddings import EmbeddingsResponse

EMBEDDING_MODEL = "BAAI/bge-base-en-v1.5"
TEXT = (
    "Pure functions build request values; executors perform them; results come back as "
    "values that hold either a model or a typed error."
)


def summarize(text: str) -> Any:
    """A Call value: nothing is sent by building it."""
    return api.chat.create_chat_completion(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": f"Summarize in six words: {text}"}],
        max_tokens=16,
    )


def first_answer(response: ChatCompletionResponse) -> Result[str, TogetherError]:
    content = response.choices[0].message.content if response.choices else None
    if not content:
        return Failure(TogetherError(message="the model returned no text"))
    return Success(content.strip())


def main(transport: Any = None) -> int:
    key, transport = key_and_transport("functional", transport)
    if transport is None:
        from together_fn.executors import RequestsTransport

        transport = RequestsTransport()
    executor = Executor(transport, ClientConfig(api_key=key))

    def embed(summary: str) -> Result[tuple[str, EmbeddingsResponse], TogetherError]:
        call = api.embeddings.create_embeddings(model=EMBEDDING_MODEL, input=summary)
        return executor.run(call).map(lambda vectors: (summary, vectors))

    outcome = flow(
        executor.run(summarize(TEXT)),
        bind(first_answer),
        bind(embed),
    )
    executor.close()
    match outcome:
        case Success((summary, vectors)):
            print(f"summary: {summary}")
            print(f"embedded into {len(vectors.data[0].embedding)} dimensions")
            return 0
        case Failure(error):
            print(f"failed: {error}", file=sys.stderr)
            return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
