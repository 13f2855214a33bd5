"""``client.endpoints`` (dedicated endpoints, hardware, availability zones) and
``client.hardware``."""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.endpoints import DedicatedEndpoint, endpoint_in_state
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

#: Endpoints take minutes to start (weights are loaded): poll every few seconds, for an hour.
ENDPOINT_WAIT = WaitPolicy(timeout=3600.0, initial_interval=5.0, max_interval=30.0)


class Endpoints(Namespace):
    """``client.endpoints``."""

    list = sync_method(api.endpoints.list_endpoints)
    create = sync_method(api.endpoints.create_endpoint)
    retrieve = sync_method(api.endpoints.retrieve_endpoint)
    get = retrieve
    update = sync_method(api.endpoints.update_endpoint)
    delete = sync_method(api.endpoints.delete_endpoint)
    start = sync_method(api.endpoints.start_endpoint)
    stop = sync_method(api.endpoints.stop_endpoint)
    list_hardware = sync_method(api.hardware.list_hardware)
    list_avzones = sync_method(api.endpoints.list_availability_zones)

    def wait(
        self,
        endpoint_id: str,
        *,
        state: str | None = None,
        policy: WaitPolicy = ENDPOINT_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DedicatedEndpoint:
        """Poll the endpoint until it is in ``state`` (``"STARTED"`` or ``"STOPPED"``), or,
        without ``state``, in either; ``ERROR`` ends the wait too (check ``.state``)."""
        is_done = endpoint_in_state(*((state,) if state else ()))
        call = api.endpoints.retrieve_endpoint(endpoint_id, options=options)
        return wait_sync(self, call, is_done=is_done, policy=policy, on_poll=on_poll)


class AsyncEndpoints(AsyncNamespace):
    """``client.endpoints``, awaited."""

    list = async_method(api.endpoints.list_endpoints)
    create = async_method(api.endpoints.create_endpoint)
    retrieve = async_method(api.endpoints.retrieve_endpoint)
    get = retrieve
    update = async_method(api.endpoints.update_endpoint)
    delete = async_method(api.endpoints.delete_endpoint)
    start = async_method(api.endpoints.start_endpoint)
    stop = async_method(api.endpoints.stop_endpoint)
    list_hardware = async_method(api.hardware.list_hardware)
    list_avzones = async_method(api.endpoints.list_availability_zones)

    async def wait(
        self,
        endpoint_id: str,
        *,
        state: str | None = None,
        policy: WaitPolicy = ENDPOINT_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DedicatedEndpoint:
        """Poll the endpoint until it is in ``state`` (``"STARTED"`` or ``"STOPPED"``), or,
        without ``state``, in either; ``ERROR`` ends the wait too (check ``.state``)."""
        is_done = endpoint_in_state(*((state,) if state else ()))
        call = api.endpoints.retrieve_endpoint(endpoint_id, options=options)
        return await wait_async(self, call, is_done=is_done, policy=policy, on_poll=on_poll)


class Hardware(Namespace):
    """``client.hardware``: the configurations endpoints can run on."""

    list = sync_method(api.hardware.list_hardware)


class AsyncHardware(AsyncNamespace):
    """``client.hardware``, awaited."""

    list = async_method(api.hardware.list_hardware)
