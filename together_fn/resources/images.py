"""``client.images``."""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method


class Images(Namespace):
    """``client.images``."""

    generate = sync_method(api.images.generate_image)


class AsyncImages(AsyncNamespace):
    """``client.images``, awaited."""

    generate = async_method(api.images.generate_image)
