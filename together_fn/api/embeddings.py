"""Builders for ``/embeddings``."""

from __future__ import annotations

from collections.abc import Sequence

from together_fn.api._build import NO_OPTIONS, RequestOptions, json_call, operation
from together_fn.calls import Call
from together_fn.models.embeddings import EmbeddingsRequest, EmbeddingsResponse


@operation("POST", "/embeddings")
def create_embeddings(
    *, model: str, input: str | Sequence[str], options: RequestOptions = NO_OPTIONS
) -> Call[EmbeddingsResponse]:
    """The Call that embeds ``input`` with ``model``.

    >>> call = create_embeddings(model="BAAI/bge-base-en-v1.5", input="hi")
    >>> call.request.method.value, call.request.url, call.request.body.json()
    ('POST', '/embeddings', {'model': 'BAAI/bge-base-en-v1.5', 'input': 'hi'})
    """
    body = EmbeddingsRequest(model=model, input=input)
    return json_call("POST /embeddings", EmbeddingsResponse, body, options=options)
