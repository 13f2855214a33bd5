"""Builders for ``/endpoints`` (dedicated endpoints) and ``/clusters/availability-zones``.

Starting and stopping an endpoint is an update of its ``state``: :func:`start_endpoint` and
:func:`stop_endpoint` build the same ``PATCH`` as :func:`update_endpoint`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.endpoints import (
    Autoscaling,
    CreateEndpointRequest,
    DedicatedEndpoint,
    DesiredState,
    ListAvailibilityZonesResponse,
    ListEndpointsResponse,
    UpdateEndpointRequest,
    autoscaling_of,
)

_TYPES = ("dedicated", "serverless")
_USAGE_TYPES = ("on-demand", "reserved")


@operation("GET", "/endpoints")
def list_endpoints(
    *,
    type: str | None = None,
    usage_type: str | None = None,
    mine: bool | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[ListEndpointsResponse]:
    """The Call that lists endpoints, optionally only ``"dedicated"`` or ``"serverless"`` ones,
    ``"on-demand"`` or ``"reserved"`` ones, or only the caller's (``mine=True``).

    >>> list_endpoints(type="dedicated").request.full_url
    '/endpoints?type=dedicated'
    """
    if type is not None and type not in _TYPES:
        raise ValueError(f"type must be one of {_TYPES}, got {type!r}")
    if usage_type is not None and usage_type not in _USAGE_TYPES:
        raise ValueError(f"usage_type must be one of {_USAGE_TYPES}, got {usage_type!r}")
    query = {"type": type, "usage_type": usage_type, "mine": mine}
    return bodiless_call(
        "GET /endpoints", ListEndpointsResponse, "/endpoints", query=query, options=options
    )


@operation("POST", "/endpoints")
def create_endpoint(
    *,
    model: str,
    hardware: str,
    autoscaling: Autoscaling | Mapping[str, Any] | None = None,
    min_replicas: int | None = None,
    max_replicas: int | None = None,
    display_name: str | None = None,
    disable_speculative_decoding: bool | None = None,
    state: DesiredState | None = None,
    inactive_timeout: int | None = None,
    availability_zone: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[DedicatedEndpoint]:
    """The Call that deploys ``model`` on ``hardware`` as a dedicated endpoint.

    Replicas are given as ``autoscaling={"min_replicas": 1, "max_replicas": 2}`` or, as with
    the older SDK, ``min_replicas=`` and ``max_replicas=``. Not retried once sent: each
    request creates an endpoint.

    >>> call = create_endpoint(model="m", hardware="h", min_replicas=1, max_replicas=2)
    >>> call.request.body.json()
    {'model': 'm', 'hardware': 'h', 'autoscaling': {'min_replicas': 1, 'max_replicas': 2}}
    """
    scaling = autoscaling_of(autoscaling, min_replicas, max_replicas)
    if scaling is None:
        raise ValueError("an endpoint needs autoscaling= (or min_replicas= and max_replicas=)")
    body = CreateEndpointRequest(
        model=model,
        hardware=hardware,
        autoscaling=scaling,
        display_name=display_name,
        disable_speculative_decoding=disable_speculative_decoding,
        state=state,
        inactive_timeout=inactive_timeout,
        availability_zone=availability_zone,
    )
    return json_call("POST /endpoints", DedicatedEndpoint, body, retryable=False, options=options)


def _endpoint_path(endpoint_id: str) -> str:
    return f"/endpoints/{path_param(endpoint_id)}"


@operation("GET", "/endpoints/{endpointId}")
def retrieve_endpoint(
    endpoint_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[DedicatedEndpoint]:
    """The Call that reads one endpoint: its state, hardware and scaling.

    >>> retrieve_endpoint("endpoint-1").request.url
    '/endpoints/endpoint-1'
    """
    return Call(
        operation="GET /endpoints/{endpointId}",
        request=request(Method.GET, _endpoint_path(endpoint_id), options=options),
        response_type=DedicatedEndpoint,
    )


@operation("PATCH", "/endpoints/{endpointId}")
def update_endpoint(
    endpoint_id: str,
    *,
    display_name: str | None = None,
    state: DesiredState | None = None,
    autoscaling: Autoscaling | Mapping[str, Any] | None = None,
    min_replicas: int | None = None,
    max_replicas: int | None = None,
    inactive_timeout: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[DedicatedEndpoint]:
    """The Call that changes an endpoint's name, scaling, idle timeout or state
    (``"STARTED"`` / ``"STOPPED"``). At least one of them must be given.

    >>> update_endpoint("endpoint-1", state="STOPPED").request.body.json()
    {'state': 'STOPPED'}
    """
    body = UpdateEndpointRequest(
        display_name=display_name,
        state=state,
        autoscaling=autoscaling_of(autoscaling, min_replicas, max_replicas),
        inactive_timeout=inactive_timeout,
    )
    return json_call(
        "PATCH /endpoints/{endpointId}",
        DedicatedEndpoint,
        body,
        path=_endpoint_path(endpoint_id),
        options=options,
    )


@operation("PATCH", "/endpoints/{endpointId}")
def start_endpoint(
    endpoint_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[DedicatedEndpoint]:
    """The Call that starts a stopped endpoint: :func:`update_endpoint` with ``state="STARTED"``.

    >>> start_endpoint("e-1") == update_endpoint("e-1", state="STARTED")
    True
    """
    return update_endpoint(endpoint_id, state="STARTED", options=options)


@operation("PATCH", "/endpoints/{endpointId}")
def stop_endpoint(
    endpoint_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[DedicatedEndpoint]:
    """The Call that stops an endpoint: :func:`update_endpoint` with ``state="STOPPED"``.

    >>> stop_endpoint("e-1") == update_endpoint("e-1", state="STOPPED")
    True
    """
    return update_endpoint(endpoint_id, state="STOPPED", options=options)


@operation("DELETE", "/endpoints/{endpointId}")
def delete_endpoint(endpoint_id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[None]:
    """The Call that deletes an endpoint for good (answered with ``204 No Content``).

    >>> delete_endpoint("endpoint-1").request.method.value
    'DELETE'
    """
    return Call(
        operation="DELETE /endpoints/{endpointId}",
        request=request(Method.DELETE, _endpoint_path(endpoint_id), options=options),
        response_type=type(None),
    )


@operation("GET", "/clusters/availability-zones")
def list_availability_zones(
    *, options: RequestOptions = NO_OPTIONS
) -> Call[ListAvailibilityZonesResponse]:
    """The Call that lists the availability zones an endpoint can be created in.

    >>> list_availability_zones().request.url
    '/clusters/availability-zones'
    """
    return bodiless_call(
        "GET /clusters/availability-zones",
        ListAvailibilityZonesResponse,
        "/clusters/availability-zones",
        options=options,
    )
