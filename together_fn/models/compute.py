"""GPU clusters, regions and shared volumes (OpenAPI: ``GPUClusterCreateRequest``,
``GPUClusterUpdateRequest``, ``GPUClusterInfo``, ``GPUClusters``, ``GPUClusterVolume``,
``GPUClusterControlPlaneNode``, ``GPUClusterGPUWorkerNode``, ``RegionListResponse``,
``ClusterDriverVersionInfo``, ``GPUClustersSharedVolume``, ``GPUClustersSharedVolumes``,
``GPUClustersSharedVolumeCreateRequest``, ``GPUClustersSharedVolumeUpdateRequest``,
``GPUClustersSharedVolumeDeleteResponse``).

Enumerations are open strings in responses (clusters gain statuses and GPU types before the
spec lists them); requests are checked against the values the spec lists.
"""

from __future__ import annotations

from typing import Any

import attrs

from together_fn.models._coerce import model_of
from together_fn.models._fields import positive

CLUSTER_TYPES: tuple[str, ...] = ("KUBERNETES", "SLURM")
CLUSTER_GPU_TYPES: tuple[str, ...] = (
    "H100_SXM",
    "H200_SXM",
    "RTX_6000_PCI",
    "L40_PCIE",
    "B200_SXM",
    "H100_SXM_INF",
)
BILLING_TYPES: tuple[str, ...] = ("RESERVED", "ON_DEMAND", "SCHEDULED_CAPACITY")

#: ``GPUClusterInfo.status`` values the spec lists.
CLUSTER_STATUSES: tuple[str, ...] = (
    "WaitingForControlPlaneNodes",
    "WaitingForDataPlaneNodes",
    "WaitingForSubnet",
    "WaitingForSharedVolume",
    "InstallingDrivers",
    "RunningAcceptanceTests",
    "Paused",
    "OnDemandComputePaused",
    "Ready",
    "Degraded",
    "Deleting",
)

#: ``GPUClustersSharedVolume.status`` values the spec lists.
SHARED_VOLUME_STATUSES: tuple[str, ...] = ("available", "bound", "provisioning")


def one_of(*allowed: str) -> Any:
    """A validator: ``None`` or one of ``allowed``."""

    def check(_: object, attribute: Any, value: Any) -> None:
        if value is not None and value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {allowed}, got {value!r}")

    return check


def _gpus(_: object, attribute: Any, value: Any) -> None:
    if value is not None and (value <= 0 or value % 8):
        raise ValueError(f"{attribute.name} must be a positive multiple of 8, got {value}")


def _not_empty(_: object, attribute: Any, value: Any) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen(kw_only=True)
class GPUClustersSharedVolumeCreateRequest:
    """A shared volume of ``size_tib`` whole TiB in ``region`` (body of
    ``POST /compute/clusters/storage/volumes``, or inline in a cluster create)."""

    volume_name: str = attrs.field(validator=_not_empty)
    size_tib: int = attrs.field(validator=positive)
    region: str = attrs.field(validator=_not_empty)


def _shared_volume(value: object) -> GPUClustersSharedVolumeCreateRequest | None:
    if value is None:
        return None
    return model_of(value, GPUClustersSharedVolumeCreateRequest, "shared_volume")  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class GPUClusterCreateRequest:
    """Body of ``POST /compute/clusters``.

    ``billing_type`` is ``RESERVED`` (for ``duration_days``), ``ON_DEMAND`` (until deleted)
    or ``SCHEDULED_CAPACITY`` (between ``reservation_start_time`` and
    ``reservation_end_time``, ISO-8601 strings). ``num_gpus`` is a multiple of 8.
    """

    cluster_name: str = attrs.field(validator=_not_empty)
    region: str = attrs.field(validator=_not_empty)
    gpu_type: str = attrs.field(validator=one_of(*CLUSTER_GPU_TYPES))
    num_gpus: int = attrs.field(validator=_gpus)
    cuda_version: str = attrs.field(validator=_not_empty)
    nvidia_driver_version: str = attrs.field(validator=_not_empty)
    billing_type: str = attrs.field(validator=one_of(*BILLING_TYPES))
    cluster_type: str | None = attrs.field(default=None, validator=one_of(*CLUSTER_TYPES))
    duration_days: int | None = attrs.field(default=None, validator=positive)
    shared_volume: GPUClustersSharedVolumeCreateRequest | None = attrs.field(
        default=None, converter=_shared_volume
    )
    volume_id: str | None = attrs.field(default=None, validator=_not_empty)
    gpu_node_failover_enabled: bool | None = None
    auto_scaled: bool | None = None
    auto_scale_max_gpus: int | None = attrs.field(default=None, validator=positive)
    slurm_shm_size_gib: int | None = attrs.field(default=None, validator=positive)
    capacity_pool_id: str | None = None
    reservation_start_time: str | None = None
    reservation_end_time: str | None = None
    install_traefik: bool | None = None
    slurm_image: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.auto_scaled and self.auto_scale_max_gpus is None:
            raise ValueError("auto_scale_max_gpus is required when auto_scaled is true")
        if self.billing_type == "SCHEDULED_CAPACITY" and self.reservation_end_time is None:
            raise ValueError("SCHEDULED_CAPACITY billing needs reservation_end_time")
        if self.shared_volume is not None and self.volume_id is not None:
            raise ValueError("give shared_volume (a new volume) or volume_id, not both")


@attrs.frozen(kw_only=True)
class GPUClusterUpdateRequest:
    """Body of ``PUT /compute/clusters/{cluster_id}``: resize, change type, or (prepaid
    clusters) move the decommission time."""

    cluster_type: str | None = attrs.field(default=None, validator=one_of(*CLUSTER_TYPES))
    num_gpus: int | None = attrs.field(default=None, validator=_gpus)
    reservation_end_time: str | None = None


@attrs.frozen(kw_only=True)
class GPUClusterVolume:
    """A volume attached to a cluster."""

    volume_id: str
    volume_name: str | None = None
    size_tib: int | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class GPUClusterControlPlaneNode:
    """A control-plane node of a cluster."""

    node_id: str
    node_name: str | None = None
    status: str | None = None
    host_name: str | None = None
    num_cpu_cores: int | None = None
    memory_gib: float | None = None
    network: str | None = None


@attrs.frozen(kw_only=True)
class GPUClusterGPUWorkerNode:
    """A GPU worker node of a cluster."""

    node_id: str
    node_name: str | None = None
    status: str | None = None
    host_name: str | None = None
    num_cpu_cores: int | None = None
    num_gpus: int | None = None
    memory_gib: float | None = None
    networks: tuple[str, ...] | None = None
    instance_id: str | None = None


@attrs.frozen(kw_only=True)
class GPUClusterInfo:
    """A GPU cluster. ``status`` is an open string (see :data:`CLUSTER_STATUSES`);
    ``kube_config`` is the cluster's kubeconfig, as text."""

    cluster_id: str
    cluster_name: str | None = None
    cluster_type: str | None = None
    region: str | None = None
    gpu_type: str | None = None
    num_gpus: int | None = None
    status: str | None = None
    cuda_version: str | None = None
    nvidia_driver_version: str | None = None
    duration_hours: int | None = None
    volumes: tuple[GPUClusterVolume, ...] | None = None
    control_plane_nodes: tuple[GPUClusterControlPlaneNode, ...] | None = None
    gpu_worker_nodes: tuple[GPUClusterGPUWorkerNode, ...] | None = None
    kube_config: str | None = attrs.field(default=None, repr=False)
    slurm_shm_size_gib: int | None = None
    capacity_pool_id: str | None = None
    reservation_start_time: str | None = None
    reservation_end_time: str | None = None
    install_traefik: bool | None = None
    created_at: str | None = None


@attrs.frozen(kw_only=True)
class GPUClusters:
    """Answer to ``GET /compute/clusters``."""

    clusters: tuple[GPUClusterInfo, ...] | None = None


@attrs.frozen(kw_only=True)
class GPUClusterDeleteResponse:
    """Answer to ``DELETE /compute/clusters/{cluster_id}`` (an inline schema in the spec)."""

    cluster_id: str


@attrs.frozen(kw_only=True)
class ClusterDriverVersionInfo:
    """A CUDA / NVIDIA driver pair a region offers."""

    cuda_version: str
    nvidia_driver_version: str


@attrs.frozen(kw_only=True)
class Region:
    """A region, its GPU types and driver versions (an item of ``RegionListResponse``)."""

    name: str
    supported_instance_types: tuple[str, ...] | None = None
    driver_versions: tuple[ClusterDriverVersionInfo, ...] | None = None


@attrs.frozen(kw_only=True)
class RegionListResponse:
    """Answer to ``GET /compute/regions``."""

    regions: tuple[Region, ...] | None = None


@attrs.frozen(kw_only=True)
class GPUClustersSharedVolumeUpdateRequest:
    """Body of ``PUT /compute/clusters/storage/volumes``: resize the volume ``volume_id``."""

    volume_id: str = attrs.field(validator=_not_empty)
    size_tib: int | None = attrs.field(default=None, validator=positive)


@attrs.frozen(kw_only=True)
class GPUClustersSharedVolume:
    """A shared volume. ``status`` is an open string (see :data:`SHARED_VOLUME_STATUSES`)."""

    volume_id: str
    volume_name: str | None = None
    size_tib: int | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class GPUClustersSharedVolumes:
    """Answer to ``GET /compute/clusters/storage/volumes``."""

    volumes: tuple[GPUClustersSharedVolume, ...] | None = None


@attrs.frozen(kw_only=True)
class GPUClustersSharedVolumeDeleteResponse:
    """Answer to ``DELETE /compute/clusters/storage/volumes/{volume_id}``."""

    success: bool
