"""Semantic search: embed documents and a query, shortlist by cosine similarity, rerank.

Run: python -m examples.search   (offline from cassettes/search.yaml without a key)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from examples._offline import key_and_transport
from together_fn import Together

EMBEDDING_MODEL = "BAAI/bge-base-en-v1.5"
RERANK_MODEL = "Salesforce/Llama-Rank-v1"
DOCUMENTS = [
    "Cassettes record HTTP exchanges so that tests replay them without a network.",
    "Exponential backoff spaces out retries after rate-limit errors.",
    "Server-sent events stream tokens as the model produces them.",
    "A frozen attrs class cannot be modified after it is created.",
]
QUERY = "How can tests run without calling the real API?"


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


def main(transport: Any = None) -> int:
    key, transport = key_and_transport("search", transport)
    with Together(api_key=key, transport=transport) as client:
        vectors = client.embeddings.create(model=EMBEDDING_MODEL, input=[QUERY, *DOCUMENTS])
        query, *documents = [item.embedding for item in sorted(vectors.data, key=lambda d: d.index)]
        scored = sorted(
            zip(DOCUMENTS, (cosine(query, d) for d in documents), strict=True),
            key=lambda pair: pair[1],
            reverse=True,
        )
        shortlist = [text for text, _ in scored[:3]]
        ranked = client.rerank.create(model=RERANK_MODEL, query=QUERY, documents=shortlist, top_n=2)
    for place, (text, result) in enumerate(
        zip(ranked.ranked(shortlist), ranked.results, strict=True), start=1
    ):
        print(f"{place}. [{result.relevance_score:.2f}] {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
