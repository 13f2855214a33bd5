"""``client.deployments``: deployments, with ``.secrets``, ``.storage`` and ``.volumes``.

Method names follow the official SDK's ``client.beta.jig`` (``deploy`` and ``destroy`` are
kept as aliases of ``create`` and ``delete``); ``client.deployments.storage.volumes`` is the
same namespace as ``client.deployments.volumes``.
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


class Secrets(Namespace):
    """``client.deployments.secrets``: values deployments read by name."""

    list = sync_method(api.deployments_secrets.list_secrets)
    create = sync_method(api.deployments_secrets.create_secret)
    retrieve = sync_method(api.deployments_secrets.retrieve_secret)
    update = sync_method(api.deployments_secrets.update_secret)
    delete = sync_method(api.deployments_secrets.delete_secret)


class AsyncSecrets(AsyncNamespace):
    """``client.deployments.secrets``, awaited."""

    list = async_method(api.deployments_secrets.list_secrets)
    create = async_method(api.deployments_secrets.create_secret)
    retrieve = async_method(api.deployments_secrets.retrieve_secret)
    update = async_method(api.deployments_secrets.update_secret)
    delete = async_method(api.deployments_secrets.delete_secret)


class Volumes(Namespace):
    """``client.deployments.volumes``: files preloaded into deployments."""

    list = sync_method(api.deployments_storage.list_volumes)
    create = sync_method(api.deployments_storage.create_volume)
    retrieve = sync_method(api.deployments_storage.retrieve_volume)
    update = sync_method(api.deployments_storage.update_volume)
    delete = sync_method(api.deployments_storage.delete_volume)


class AsyncVolumes(AsyncNamespace):
    """``client.deployments.volumes``, awaited."""

    list = async_method(api.deployments_storage.list_volumes)
    create = async_method(api.deployments_storage.create_volume)
    retrieve = async_method(api.deployments_storage.retrieve_volume)
    update = async_method(api.deployments_storage.update_volume)
    delete = async_method(api.deployments_storage.delete_volume)


class Storage(Namespace):
    """``client.deployments.storage``: stored files (bytes) and ``.volumes``."""

    download = sync_method(api.deployments_storage.download_storage_file)
    retrieve = download

    def __init__(self, client: Runner, volumes: Volumes) -> None:
        super().__init__(client)
        self.volumes = volumes


class AsyncStorage(AsyncNamespace):
    """``client.deployments.storage``, awaited."""

    download = async_method(api.deployments_storage.download_storage_file)
    retrieve = download

    def __init__(self, client: AsyncRunner, volumes: AsyncVolumes) -> None:
        super().__init__(client)
        self.volumes = volumes


class Deployments(Namespace):
    """``client.deployments``."""

    list = sync_method(api.deployments.list_deployments)
    create = sync_method(api.deployments.create_deployment)
    retrieve = sync_method(api.deployments.retrieve_deployment)
    update = sync_method(api.deployments.update_deployment)
    delete = sync_method(api.deployments.delete_deployment)
    logs = sync_method(api.deployments.retrieve_deployment_logs)
    deploy = create
    destroy = delete

    def __init__(self, client: Runner) -> None:
        super().__init__(client)
        self.secrets = Secrets(client)
        self.volumes = Volumes(client)
        self.storage = Storage(client, self.volumes)


class AsyncDeployments(AsyncNamespace):
    """``client.deployments``, awaited."""

    list = async_method(api.deployments.list_deployments)
    create = async_method(api.deployments.create_deployment)
    retrieve = async_method(api.deployments.retrieve_deployment)
    update = async_method(api.deployments.update_deployment)
    delete = async_method(api.deployments.delete_deployment)
    logs = async_method(api.deployments.retrieve_deployment_logs)
    deploy = create
    destroy = delete

    def __init__(self, client: AsyncRunner) -> None:
        super().__init__(client)
        self.secrets = AsyncSecrets(client)
        self.volumes = AsyncVolumes(client)
        self.storage = AsyncStorage(client, self.volumes)
