"""Container deployments and their secrets (OpenAPI: ``CreateDeploymentRequest``,
``UpdateDeploymentRequest``, ``DeploymentResponseItem``, ``DeploymentListResponse``,
``DeploymentLogs``, ``EnvironmentVariable``, ``VolumeMount``, the three autoscaling configs,
``ReplicaEvent``, ``CreateSecretRequest``, ``UpdateSecretRequest``, ``SecretResponseItem``,
``ListSecretsResponse``).

The service behind ``/deployments`` may send ``null`` for an empty list, so every response
list is optional. Secret values are write-only: they are never shown in a repr.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.models._coerce import model_of, models_of, strings
from together_fn.schema import Tagged

#: ``gpu_type`` values the spec lists for deployments.
DEPLOYMENT_GPU_TYPES: tuple[str, ...] = ("h100-80gb", "h100-40gb-mig", "b200-192gb")

#: ``DeploymentStatus`` values (an open string in responses).
DEPLOYMENT_STATUSES: tuple[str, ...] = ("Updating", "Scaling", "Ready", "Failed")

DeploymentGpuType: TypeAlias = Literal["h100-80gb", "h100-40gb-mig", "b200-192gb"]


@attrs.frozen(kw_only=True)
class EnvironmentVariable:
    """A container environment variable: a plain ``value`` or ``value_from_secret`` (a
    secret's name or id), not both."""

    name: str
    value: str | None = None
    value_from_secret: str | None = None


@attrs.frozen(kw_only=True)
class VolumeMount:
    """A volume mounted into the container at ``mount_path``; ``version`` defaults to the
    latest on create and to the mounted one on update."""

    mount_path: str
    name: str
    version: int | None = None


@attrs.frozen(kw_only=True)
class HTTPAutoscalingConfig:
    """Scale on ``HTTPTotalRequests`` (default target 100) or ``HTTPAvgRequestDuration``
    (default target 500 ms), over ``time_interval_minutes`` (default 10)."""

    metric: str | None = None
    target: float | None = None
    time_interval_minutes: int | None = None


@attrs.frozen(kw_only=True)
class QueueAutoscalingConfig:
    """Scale on the queue backlog per worker (default target 1.01); ``model`` names the
    queue when it is not the deployment's name."""

    metric: str = "QueueBacklogPerWorker"
    model: str | None = None
    target: float | None = None


@attrs.frozen(kw_only=True)
class CustomMetricAutoscalingConfig:
    """Scale on a Prometheus metric of your own (default target 500)."""

    metric: str = "CustomMetric"
    custom_metric_name: str | None = None
    target: float | None = None


#: One of the autoscaling configs, told apart by ``metric``. An object without a known
#: metric decodes as :class:`HTTPAutoscalingConfig` (keeping the metric it had).
AutoscalingConfig: TypeAlias = Annotated[
    HTTPAutoscalingConfig | QueueAutoscalingConfig | CustomMetricAutoscalingConfig,
    Tagged(
        "metric",
        {
            "HTTPTotalRequests": HTTPAutoscalingConfig,
            "HTTPAvgRequestDuration": HTTPAutoscalingConfig,
            "QueueBacklogPerWorker": QueueAutoscalingConfig,
            "CustomMetric": CustomMetricAutoscalingConfig,
        },
        default=HTTPAutoscalingConfig,
    ),
]

_AUTOSCALING_CLASSES = (
    HTTPAutoscalingConfig,
    QueueAutoscalingConfig,
    CustomMetricAutoscalingConfig,
)
_HTTP_METRICS = ("HTTPTotalRequests", "HTTPAvgRequestDuration")


def _autoscaling(value: object) -> Any:
    # ``{}`` is how an update turns autoscaling off: sent as given. A config with nothing set
    # is the same object on the wire (it is what decoding ``{}`` makes), so it means off too.
    if value is None:
        return None
    if (isinstance(value, Mapping) and not value) or value == HTTPAutoscalingConfig():
        return {}
    config = model_of(value, AutoscalingConfig, "autoscaling", accepts=_AUTOSCALING_CLASSES)
    if isinstance(config, HTTPAutoscalingConfig) and config.metric not in _HTTP_METRICS:
        raise ValueError(
            f"autoscaling metric must be one of {_HTTP_METRICS}, got {config.metric!r}"
        )
    return config


def _environment(values: Iterable[object] | None) -> tuple[EnvironmentVariable, ...] | None:
    variables = models_of(values, EnvironmentVariable, "environment_variables")
    for variable in variables or ():
        if (variable.value is None) == (variable.value_from_secret is None):
            raise ValueError(
                f"environment variable {variable.name!r} needs exactly one of value= "
                "or value_from_secret="
            )
    return variables


def _volumes(values: Iterable[object] | None) -> tuple[VolumeMount, ...] | None:
    return models_of(values, VolumeMount, "volumes")


def _args(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return strings(values, "args")


def _command(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return strings(values, "command")


def _check_settings(request: Any) -> None:
    """The bounds the spec puts on the fields create and update share."""
    if request.name is not None and not 1 <= len(request.name) <= 100:
        raise ValueError("name must be 1 to 100 characters")
    if request.gpu_type is not None and request.gpu_type not in DEPLOYMENT_GPU_TYPES:
        raise ValueError(
            f"gpu_type must be one of {DEPLOYMENT_GPU_TYPES}, got {request.gpu_type!r}"
        )
    if request.cpu is not None and request.cpu < 0.1:
        raise ValueError(f"cpu must be at least 0.1, got {request.cpu}")
    if request.memory is not None and not 0 < request.memory <= 1000:
        raise ValueError(f"memory must be more than 0 and at most 1000 GiB, got {request.memory}")
    if request.storage is not None and not 0 <= request.storage <= 400:
        raise ValueError(f"storage must be between 0 and 400 GiB, got {request.storage}")
    if request.port is not None and not 1 <= request.port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {request.port}")
    for name in ("gpu_count", "min_replicas", "max_replicas", "termination_grace_period_seconds"):
        count = getattr(request, name)
        if count is not None and count < 0:
            raise ValueError(f"{name} must not be negative, got {count}")
    low, high = request.min_replicas, request.max_replicas
    if low is not None and high is not None and high < low:
        raise ValueError(f"max_replicas ({high}) must not be below min_replicas ({low})")


@attrs.frozen(kw_only=True)
class CreateDeploymentRequest:
    """Body of ``POST /deployments``: run ``image`` on ``gpu_type`` under ``name``."""

    name: str
    gpu_type: str
    image: str
    args: tuple[str, ...] | None = attrs.field(default=None, converter=_args)
    autoscaling: AutoscalingConfig | dict[str, Any] | None = attrs.field(
        default=None, converter=_autoscaling
    )
    command: tuple[str, ...] | None = attrs.field(default=None, converter=_command)
    cpu: float | None = None
    description: str | None = None
    environment_variables: tuple[EnvironmentVariable, ...] | None = attrs.field(
        default=None, converter=_environment
    )
    gpu_count: int | None = None
    health_check_path: str | None = None
    max_replicas: int | None = None
    memory: float | None = None
    min_replicas: int | None = None
    port: int | None = None
    storage: int | None = None
    termination_grace_period_seconds: int | None = None
    volumes: tuple[VolumeMount, ...] | None = attrs.field(default=None, converter=_volumes)

    def __attrs_post_init__(self) -> None:
        if not self.image:
            raise ValueError("image must not be empty")
        _check_settings(self)


@attrs.frozen(kw_only=True)
class UpdateDeploymentRequest:
    """Body of ``PATCH /deployments/{id}``: only the fields given change.
    ``environment_variables`` and ``volumes`` replace the current lists; ``autoscaling={}``
    turns autoscaling off and ``health_check_path=""`` turns health checks off."""

    name: str | None = None
    gpu_type: str | None = None
    image: str | None = None
    args: tuple[str, ...] | None = attrs.field(default=None, converter=_args)
    autoscaling: AutoscalingConfig | dict[str, Any] | None = attrs.field(
        default=None, converter=_autoscaling
    )
    command: tuple[str, ...] | None = attrs.field(default=None, converter=_command)
    cpu: float | None = None
    description: str | None = None
    environment_variables: tuple[EnvironmentVariable, ...] | None = attrs.field(
        default=None, converter=_environment
    )
    gpu_count: int | None = None
    health_check_path: str | None = None
    max_replicas: int | None = None
    memory: float | None = None
    min_replicas: int | None = None
    port: int | None = None
    storage: int | None = None
    termination_grace_period_seconds: int | None = None
    volumes: tuple[VolumeMount, ...] | None = attrs.field(default=None, converter=_volumes)

    def __attrs_post_init__(self) -> None:
        if self.image is not None and not self.image:
            raise ValueError("image must not be empty when given")
        _check_settings(self)


@attrs.frozen(kw_only=True)
class ReplicaEvent:
    """The state of one replica (statuses such as ``Running``, ``Waiting``, ``Terminated``)."""

    image: str | None = None
    replica_ready_since: str | None = None
    replica_status: str | None = None
    replica_status_message: str | None = None
    replica_status_reason: str | None = None
    revision_id: str | None = None
    volume_preload_completed_at: str | None = None
    volume_preload_started_at: str | None = None
    volume_preload_status: str | None = None


@attrs.frozen(kw_only=True)
class DeploymentResponseItem:
    """A deployment. ``status`` is an open string (see :data:`DEPLOYMENT_STATUSES`);
    timestamps are ISO-8601 strings, kept as sent."""

    id: str | None = None
    object: str | None = None
    name: str | None = None
    description: str | None = None
    status: str | None = None
    image: str | None = None
    args: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    autoscaling: AutoscalingConfig | None = None
    cpu: float | None = None
    memory: float | None = None
    storage: int | None = None
    gpu_type: str | None = None
    gpu_count: int | None = None
    port: int | None = None
    health_check_path: str | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    desired_replicas: int | None = None
    ready_replicas: int | None = None
    replica_events: dict[str, ReplicaEvent] | None = None
    environment_variables: tuple[EnvironmentVariable, ...] | None = None
    volumes: tuple[VolumeMount, ...] | None = None
    created_at: str | None = None
    updated_at: str | None = None


@attrs.frozen(kw_only=True)
class DeploymentListResponse:
    """Answer to ``GET /deployments``."""

    object: str | None = None
    data: tuple[DeploymentResponseItem, ...] | None = None


@attrs.frozen(kw_only=True)
class DeploymentLogs:
    """Answer to ``GET /deployments/{id}/logs``: log lines, oldest first."""

    lines: tuple[str, ...] | None = None


def _secret_name(_: object, attribute: Any, value: Any) -> None:
    if value is not None and not 1 <= len(value) <= 100:
        raise ValueError(f"{attribute.name} must be 1 to 100 characters")


def _secret_description(_: object, attribute: Any, value: Any) -> None:
    if value is not None and len(value) > 500:
        raise ValueError(f"{attribute.name} must be at most 500 characters")


def _secret_value(_: object, attribute: Any, value: Any) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen(kw_only=True)
class CreateSecretRequest:
    """Body of ``POST /deployments/secrets``. ``value`` is encrypted at rest and never shown
    in a repr; ``project_id`` is ignored by the API (the key decides the project)."""

    name: str = attrs.field(validator=_secret_name)
    value: str = attrs.field(repr=False, validator=_secret_value)
    description: str | None = attrs.field(default=None, validator=_secret_description)
    project_id: str | None = None


@attrs.frozen(kw_only=True)
class UpdateSecretRequest:
    """Body of ``PATCH /deployments/secrets/{id}``: a new ``value`` replaces the old one."""

    name: str | None = attrs.field(default=None, validator=_secret_name)
    value: str | None = attrs.field(default=None, repr=False, validator=_secret_value)
    description: str | None = attrs.field(default=None, validator=_secret_description)
    project_id: str | None = None


@attrs.frozen(kw_only=True)
class SecretResponseItem:
    """A secret's metadata (its value is never returned)."""

    id: str | None = None
    object: str | None = None
    name: str | None = None
    description: str | None = None
    created_at: str | None = None
    created_by: str | None = None
    updated_at: str | None = None
    last_updated_by: str | None = None


@attrs.frozen(kw_only=True)
class ListSecretsResponse:
    """Answer to ``GET /deployments/secrets``."""

    object: str | None = None
    data: tuple[SecretResponseItem, ...] | None = None
