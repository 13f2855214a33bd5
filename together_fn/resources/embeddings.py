"""``client.embeddings``."""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method


class Embeddings(Namespace):
    """``client.embeddings``."""

    create = sync_method(api.embeddings.create_embeddings)


class AsyncEmbeddings(AsyncNamespace):
    """``client.embeddings``, awaited."""

    create = async_method(api.embeddings.create_embeddings)
