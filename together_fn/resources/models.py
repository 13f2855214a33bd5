"""``client.models`` and ``client.jobs`` (model upload jobs)."""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method


class Models(Namespace):
    """``client.models``."""

    list = sync_method(api.models.list_models)
    upload = sync_method(api.models.upload_model)


class AsyncModels(AsyncNamespace):
    """``client.models``, awaited."""

    list = async_method(api.models.list_models)
    upload = async_method(api.models.upload_model)


class Jobs(Namespace):
    """``client.jobs``: model upload jobs."""

    retrieve = sync_method(api.models.retrieve_job)
    list = sync_method(api.models.list_jobs)


class AsyncJobs(AsyncNamespace):
    """``client.jobs``, awaited."""

    retrieve = async_method(api.models.retrieve_job)
    list = async_method(api.models.list_jobs)
