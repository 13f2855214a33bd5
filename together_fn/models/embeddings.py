"""Embeddings models (OpenAPI: ``EmbeddingsRequest``, ``EmbeddingsResponse``)."""

from __future__ import annotations

import attrs

from together_fn.models._fields import non_empty, str_or_strings


@attrs.frozen(kw_only=True)
class EmbeddingsRequest:
    """Body of ``POST /embeddings``: one string or a list of strings to embed."""

    model: str = attrs.field(validator=non_empty)
    input: str | tuple[str, ...] = attrs.field(converter=str_or_strings)


@attrs.frozen(kw_only=True)
class Embedding:
    """One vector (OpenAPI: an item of ``EmbeddingsResponse.data``)."""

    embedding: tuple[float, ...]
    index: int
    object: str = "embedding"


@attrs.frozen(kw_only=True)
class EmbeddingsResponse:
    """The vectors, in the order of the inputs (``index`` says which)."""

    data: tuple[Embedding, ...]
    model: str = ""
    object: str = "list"
