"""Rerank models (OpenAPI: ``RerankRequest``, ``RerankResponse``; ``UsageData`` is shared)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import attrs

from together_fn.models._fields import at_least, non_empty
from together_fn.models.common import UsageData

__all__ = [
    "Documents",
    "RerankDocument",
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "UsageData",
]

Documents: TypeAlias = tuple[str, ...] | tuple[dict[str, Any], ...]


def _documents(value: Iterable[str] | Iterable[Mapping[str, Any]]) -> Documents:
    # The spec allows a list of strings or a list of objects, never a mix of both.
    if isinstance(value, str | bytes | Mapping):
        raise TypeError("documents must be a list of strings or of objects, not a single value")
    items = tuple(value)
    if not items:
        raise ValueError("documents must not be empty")
    if all(isinstance(item, str) for item in items):
        return items  # type: ignore[return-value]
    if all(isinstance(item, Mapping) for item in items):
        # Copied so that later changes to the caller's dicts cannot change the request.
        return tuple(dict(item) for item in items)  # type: ignore[arg-type]
    kinds = sorted({type(item).__name__ for item in items})
    raise TypeError(f"documents must be all strings or all objects, got {', '.join(kinds)}")


def _fields(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError("rank_fields must be a list of keys, not one string")
    items = tuple(value)
    if not items:
        raise ValueError("rank_fields must not be empty when given")
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"rank_fields must be non-empty strings, got {item!r}")
    return items


@attrs.frozen(kw_only=True)
class RerankRequest:
    """Body of ``POST /rerank``: order ``documents`` by relevance to ``query``.

    ``rank_fields`` names the keys of object documents to rank by, so it needs objects.
    """

    model: str = attrs.field(validator=non_empty)
    query: str = attrs.field(validator=non_empty)
    documents: Documents = attrs.field(converter=_documents)
    top_n: int | None = attrs.field(default=None, validator=at_least(1))
    return_documents: bool | None = None
    rank_fields: tuple[str, ...] | None = attrs.field(default=None, converter=_fields)

    def __attrs_post_init__(self) -> None:
        if self.rank_fields is not None and isinstance(self.documents[0], str):
            raise ValueError("rank_fields only applies to documents that are objects")


@attrs.frozen(kw_only=True)
class RerankDocument:
    """The document echoed back: ``{}`` unless ``return_documents`` was true; object
    documents come back as their JSON text."""

    text: str | None = None


@attrs.frozen(kw_only=True)
class RerankResult:
    """One ranked document: its position in the request and its score."""

    index: int
    relevance_score: float
    document: RerankDocument | None = None


@attrs.frozen(kw_only=True)
class RerankResponse:
    """The top documents, best first. ``usage.completion_tokens`` is always 0 here."""

    results: tuple[RerankResult, ...]
    object: str = "rerank"
    model: str = ""
    id: str | None = None
    usage: UsageData | None = None

    def ranked(self, documents: Iterable[Any]) -> tuple[Any, ...]:
        """The caller's own ``documents`` in the order of :attr:`results`."""
        items = tuple(documents)
        for result in self.results:
            if not 0 <= result.index < len(items):
                raise IndexError(
                    f"result index {result.index} is outside the {len(items)} documents given"
                )
        return tuple(items[result.index] for result in self.results)
