"""Builders for ``/rerank``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from together_fn.api._build import NO_OPTIONS, RequestOptions, json_call, operation
from together_fn.calls import Call
from together_fn.models.rerank import RerankRequest, RerankResponse


@operation("POST", "/rerank")
def create_rerank(
    *,
    model: str,
    query: str,
    documents: Iterable[str] | Iterable[Mapping[str, Any]],
    top_n: int | None = None,
    return_documents: bool | None = None,
    rank_fields: Iterable[str] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[RerankResponse]:
    """The Call that ranks ``documents`` (strings, or objects with ``rank_fields``) by
    relevance to ``query``.

    >>> call = create_rerank(model="Salesforce/Llama-Rank-v1", query="q", documents=["a", "b"])
    >>> call.request.url, call.request.body.json()["documents"]
    ('/rerank', ['a', 'b'])
    """
    body = RerankRequest(
        model=model,
        query=query,
        documents=documents,
        top_n=top_n,
        return_documents=return_documents,
        rank_fields=rank_fields,
    )
    return json_call("POST /rerank", RerankResponse, body, options=options)
