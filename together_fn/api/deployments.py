"""Builders for ``/deployments``: containers run on Together's GPUs (create, list, retrieve,
update, delete, logs). Secrets and storage live in ``deployments_secrets`` and
``deployments_storage``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    params,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.deployments import (
    AutoscalingConfig,
    CreateDeploymentRequest,
    DeploymentListResponse,
    DeploymentLogs,
    DeploymentResponseItem,
    EnvironmentVariable,
    UpdateDeploymentRequest,
    VolumeMount,
)

#: The answer of a delete: the spec promises an object and names none of its fields.
Deleted = dict[str, Any]


@operation("GET", "/deployments")
def list_deployments(*, options: RequestOptions = NO_OPTIONS) -> Call[DeploymentListResponse]:
    """The Call that lists the project's deployments.

    >>> list_deployments().request.url
    '/deployments'
    """
    return bodiless_call(
        "GET /deployments", DeploymentListResponse, "/deployments", options=options
    )


@operation("POST", "/deployments")
def create_deployment(
    *,
    name: str,
    gpu_type: str,
    image: str,
    args: Sequence[str] | None = None,
    autoscaling: AutoscalingConfig | Mapping[str, Any] | None = None,
    command: Sequence[str] | None = None,
    cpu: float | None = None,
    description: str | None = None,
    environment_variables: Sequence[EnvironmentVariable | Mapping[str, Any]] | None = None,
    gpu_count: int | None = None,
    health_check_path: str | None = None,
    max_replicas: int | None = None,
    memory: float | None = None,
    min_replicas: int | None = None,
    port: int | None = None,
    storage: int | None = None,
    termination_grace_period_seconds: int | None = None,
    volumes: Sequence[VolumeMount | Mapping[str, Any]] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[DeploymentResponseItem]:
    """The Call that deploys ``image`` (from registry.together.ai) on ``gpu_type``
    (``h100-80gb``, ``h100-40gb-mig`` or ``b200-192gb``) under ``name``.

    Environment variables, volume mounts and ``autoscaling`` may be plain dicts. Not
    retried once sent: each request starts a deployment.

    >>> call = create_deployment(name="web", gpu_type="h100-80gb", image="registry/img:1")
    >>> call.request.body.json(), call.retryable
    ({'name': 'web', 'gpu_type': 'h100-80gb', 'image': 'registry/img:1'}, False)
    """
    body = CreateDeploymentRequest(**params(locals()))
    return json_call(
        "POST /deployments", DeploymentResponseItem, body, retryable=False, options=options
    )


@operation("GET", "/deployments/{id}")
def retrieve_deployment(
    id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[DeploymentResponseItem]:
    """The Call that reads a deployment by id or name.

    >>> retrieve_deployment("my-deployment").request.url
    '/deployments/my-deployment'
    """
    return bodiless_call(
        "GET /deployments/{id}",
        DeploymentResponseItem,
        f"/deployments/{path_param(id)}",
        options=options,
    )


@operation("PATCH", "/deployments/{id}")
def update_deployment(
    id: str,
    *,
    name: str | None = None,
    gpu_type: str | None = None,
    image: str | None = None,
    args: Sequence[str] | None = None,
    autoscaling: AutoscalingConfig | Mapping[str, Any] | None = None,
    command: Sequence[str] | None = None,
    cpu: float | None = None,
    description: str | None = None,
    environment_variables: Sequence[EnvironmentVariable | Mapping[str, Any]] | None = None,
    gpu_count: int | None = None,
    health_check_path: str | None = None,
    max_replicas: int | None = None,
    memory: float | None = None,
    min_replicas: int | None = None,
    port: int | None = None,
    storage: int | None = None,
    termination_grace_period_seconds: int | None = None,
    volumes: Sequence[VolumeMount | Mapping[str, Any]] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[DeploymentResponseItem]:
    """The Call that changes a deployment (by id or name); only the fields given are sent.

    ``environment_variables`` and ``volumes`` replace the current lists, ``autoscaling={}``
    turns autoscaling off.

    >>> update_deployment("my-deployment", gpu_count=2).request.body.json()
    {'gpu_count': 2}
    """
    body = UpdateDeploymentRequest(**params(locals(), "id"))
    if body == UpdateDeploymentRequest() and not options.extra_body:
        raise ValueError("update_deployment needs at least one field to change")
    return json_call(
        "PATCH /deployments/{id}",
        DeploymentResponseItem,
        body,
        path=f"/deployments/{path_param(id)}",
        options=options,
    )


@operation("DELETE", "/deployments/{id}")
def delete_deployment(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[Deleted]:
    """The Call that deletes a deployment (by id or name).

    >>> delete_deployment("my-deployment").request.method.value
    'DELETE'
    """
    return bodiless_call(
        "DELETE /deployments/{id}", Deleted, f"/deployments/{path_param(id)}", options=options
    )


@operation("GET", "/deployments/{id}/logs")
def retrieve_deployment_logs(
    id: str, *, replica_id: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[DeploymentLogs]:
    """The Call that reads a deployment's logs, optionally of one replica only.

    >>> retrieve_deployment_logs("web", replica_id="web-7d9f").request.full_url
    '/deployments/web/logs?replica_id=web-7d9f'
    """
    if replica_id is not None and not replica_id:
        raise ValueError("replica_id must not be empty when given")
    return Call(
        operation="GET /deployments/{id}/logs",
        request=request(
            Method.GET,
            f"/deployments/{path_param(id)}/logs",
            query={"replica_id": replica_id},
            options=options,
        ),
        response_type=DeploymentLogs,
    )
