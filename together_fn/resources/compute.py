"""``client.compute``: ``.clusters``, ``.regions`` and shared ``.volumes``.

``client.compute.clusters`` also answers the official SDK's ``client.beta.clusters`` shapes:
``list_regions()`` and ``.storage`` (the shared volumes).
"""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import (
    AsyncNamespace,
    AsyncRunner,
    Namespace,
    Runner,
    async_method,
    sync_method,
)


class SharedVolumes(Namespace):
    """``client.compute.volumes``: shared volumes clusters mount."""

    list = sync_method(api.compute.list_shared_volumes)
    create = sync_method(api.compute.create_shared_volume)
    retrieve = sync_method(api.compute.retrieve_shared_volume)
    update = sync_method(api.compute.update_shared_volume)
    delete = sync_method(api.compute.delete_shared_volume)


class AsyncSharedVolumes(AsyncNamespace):
    """``client.compute.volumes``, awaited."""

    list = async_method(api.compute.list_shared_volumes)
    create = async_method(api.compute.create_shared_volume)
    retrieve = async_method(api.compute.retrieve_shared_volume)
    update = async_method(api.compute.update_shared_volume)
    delete = async_method(api.compute.delete_shared_volume)


class Regions(Namespace):
    """``client.compute.regions``."""

    list = sync_method(api.compute.list_regions)


class AsyncRegions(AsyncNamespace):
    """``client.compute.regions``, awaited."""

    list = async_method(api.compute.list_regions)


class Clusters(Namespace):
    """``client.compute.clusters``: Instant GPU clusters."""

    list = sync_method(api.compute.list_clusters)
    create = sync_method(api.compute.create_cluster)
    retrieve = sync_method(api.compute.retrieve_cluster)
    update = sync_method(api.compute.update_cluster)
    delete = sync_method(api.compute.delete_cluster)
    list_regions = sync_method(api.compute.list_regions)

    def __init__(self, client: Runner, storage: SharedVolumes) -> None:
        super().__init__(client)
        self.storage = storage


class AsyncClusters(AsyncNamespace):
    """``client.compute.clusters``, awaited."""

    list = async_method(api.compute.list_clusters)
    create = async_method(api.compute.create_cluster)
    retrieve = async_method(api.compute.retrieve_cluster)
    update = async_method(api.compute.update_cluster)
    delete = async_method(api.compute.delete_cluster)
    list_regions = async_method(api.compute.list_regions)

    def __init__(self, client: AsyncRunner, storage: AsyncSharedVolumes) -> None:
        super().__init__(client)
        self.storage = storage


class Compute(Namespace):
    """``client.compute``."""

    def __init__(self, client: Runner) -> None:
        super().__init__(client)
        self.volumes = SharedVolumes(client)
        self.regions = Regions(client)
        self.clusters = Clusters(client, self.volumes)


class AsyncCompute(AsyncNamespace):
    """``client.compute``, awaited."""

    def __init__(self, client: AsyncRunner) -> None:
        super().__init__(client)
        self.volumes = AsyncSharedVolumes(client)
        self.regions = AsyncRegions(client)
        self.clusters = AsyncClusters(client, self.volumes)
