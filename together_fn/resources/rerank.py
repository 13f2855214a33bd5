"""``client.rerank``."""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method


class Rerank(Namespace):
    """``client.rerank``."""

    create = sync_method(api.rerank.create_rerank)


class AsyncRerank(AsyncNamespace):
    """``client.rerank``, awaited."""

    create = async_method(api.rerank.create_rerank)
