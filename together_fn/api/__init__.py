"""Pure builders: one function per API operation, each returning a ``Call`` or ``StreamCall``.

Modules are named after the first segment of the API path. :data:`REGISTRY` maps every
OpenAPI operation (``"METHOD /path"``) to the builders that perform it.
"""

from __future__ import annotations

from together_fn.api import chat, completions, embeddings, images, models, rerank
from together_fn.api._build import NO_OPTIONS, REGISTRY, RequestOptions

__all__ = [
    "NO_OPTIONS",
    "REGISTRY",
    "RequestOptions",
    "chat",
    "completions",
    "embeddings",
    "images",
    "models",
    "rerank",
]
