"""Builders for ``/compute``: Instant GPU clusters, the regions they run in, and the shared
volumes they mount."""

from __future__ import annotations

from collections.abc import Mapping
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
from together_fn.models.compute import (
    GPUClusterCreateRequest,
    GPUClusterDeleteResponse,
    GPUClusterInfo,
    GPUClusters,
    GPUClustersSharedVolume,
    GPUClustersSharedVolumeCreateRequest,
    GPUClustersSharedVolumeDeleteResponse,
    GPUClustersSharedVolumes,
    GPUClustersSharedVolumeUpdateRequest,
    GPUClusterUpdateRequest,
    RegionListResponse,
)


@operation("GET", "/compute/clusters")
def list_clusters(*, options: RequestOptions = NO_OPTIONS) -> Call[GPUClusters]:
    """The Call that lists the project's GPU clusters.

    >>> list_clusters().request.url
    '/compute/clusters'
    """
    return bodiless_call("GET /compute/clusters", GPUClusters, "/compute/clusters", options=options)


@operation("POST", "/compute/clusters")
def create_cluster(
    *,
    cluster_name: str,
    region: str,
    gpu_type: str,
    num_gpus: int,
    cuda_version: str,
    nvidia_driver_version: str,
    billing_type: str,
    cluster_type: str | None = None,
    duration_days: int | None = None,
    shared_volume: GPUClustersSharedVolumeCreateRequest | Mapping[str, Any] | None = None,
    volume_id: str | None = None,
    gpu_node_failover_enabled: bool | None = None,
    auto_scaled: bool | None = None,
    auto_scale_max_gpus: int | None = None,
    slurm_shm_size_gib: int | None = None,
    capacity_pool_id: str | None = None,
    reservation_start_time: str | None = None,
    reservation_end_time: str | None = None,
    install_traefik: bool | None = None,
    slurm_image: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[GPUClusterInfo]:
    """The Call that creates an Instant Cluster of ``num_gpus`` (a multiple of 8) ``gpu_type``
    GPUs in ``region``, with a CUDA / driver pair the region offers (see
    :func:`list_regions`). Not retried once sent: each request provisions a cluster.

    >>> call = create_cluster(
    ...     cluster_name="train", region="us-central-8", gpu_type="H100_SXM", num_gpus=8,
    ...     cuda_version="12.5", nvidia_driver_version="550", billing_type="ON_DEMAND")
    >>> call.request.body.json()["num_gpus"], call.retryable
    (8, False)
    """
    body = GPUClusterCreateRequest(**params(locals()))
    return json_call(
        "POST /compute/clusters", GPUClusterInfo, body, retryable=False, options=options
    )


@operation("GET", "/compute/clusters/{cluster_id}")
def retrieve_cluster(
    cluster_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClusterInfo]:
    """The Call that reads a GPU cluster.

    >>> retrieve_cluster("c-123").request.url
    '/compute/clusters/c-123'
    """
    return bodiless_call(
        "GET /compute/clusters/{cluster_id}",
        GPUClusterInfo,
        f"/compute/clusters/{path_param(cluster_id)}",
        options=options,
    )


@operation("PUT", "/compute/clusters/{cluster_id}")
def update_cluster(
    cluster_id: str,
    *,
    cluster_type: str | None = None,
    num_gpus: int | None = None,
    reservation_end_time: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[GPUClusterInfo]:
    """The Call that resizes a cluster, changes its type, or moves its end time.

    >>> update_cluster("c-123", num_gpus=16).request.body.json()
    {'num_gpus': 16}
    """
    body = GPUClusterUpdateRequest(**params(locals(), "cluster_id"))
    if body == GPUClusterUpdateRequest() and not options.extra_body:
        raise ValueError("update_cluster needs at least one field to change")
    return json_call(
        "PUT /compute/clusters/{cluster_id}",
        GPUClusterInfo,
        body,
        path=f"/compute/clusters/{path_param(cluster_id)}",
        options=options,
    )


@operation("DELETE", "/compute/clusters/{cluster_id}")
def delete_cluster(
    cluster_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClusterDeleteResponse]:
    """The Call that deletes a GPU cluster.

    >>> delete_cluster("c-123").request.method.value
    'DELETE'
    """
    return bodiless_call(
        "DELETE /compute/clusters/{cluster_id}",
        GPUClusterDeleteResponse,
        f"/compute/clusters/{path_param(cluster_id)}",
        options=options,
    )


@operation("GET", "/compute/regions")
def list_regions(*, options: RequestOptions = NO_OPTIONS) -> Call[RegionListResponse]:
    """The Call that lists regions with their GPU types and CUDA / driver versions.

    >>> list_regions().request.url
    '/compute/regions'
    """
    return bodiless_call(
        "GET /compute/regions", RegionListResponse, "/compute/regions", options=options
    )


@operation("GET", "/compute/clusters/storage/volumes")
def list_shared_volumes(*, options: RequestOptions = NO_OPTIONS) -> Call[GPUClustersSharedVolumes]:
    """The Call that lists the project's shared volumes.

    >>> list_shared_volumes().request.url
    '/compute/clusters/storage/volumes'
    """
    return bodiless_call(
        "GET /compute/clusters/storage/volumes",
        GPUClustersSharedVolumes,
        "/compute/clusters/storage/volumes",
        options=options,
    )


@operation("POST", "/compute/clusters/storage/volumes")
def create_shared_volume(
    *, volume_name: str, size_tib: int, region: str, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClustersSharedVolume]:
    """The Call that creates a shared volume of ``size_tib`` whole TiB. Not retried once sent.

    >>> create_shared_volume(volume_name="data", size_tib=2, region="us-central-8").retryable
    False
    """
    body = GPUClustersSharedVolumeCreateRequest(**params(locals()))
    return json_call(
        "POST /compute/clusters/storage/volumes",
        GPUClustersSharedVolume,
        body,
        retryable=False,
        options=options,
    )


@operation("PUT", "/compute/clusters/storage/volumes")
def update_shared_volume(
    *, volume_id: str, size_tib: int | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClustersSharedVolume]:
    """The Call that resizes a shared volume (the volume is named in the body).

    >>> update_shared_volume(volume_id="v-1", size_tib=4).request.body.json()
    {'volume_id': 'v-1', 'size_tib': 4}
    """
    body = GPUClustersSharedVolumeUpdateRequest(**params(locals()))
    return json_call(
        "PUT /compute/clusters/storage/volumes", GPUClustersSharedVolume, body, options=options
    )


@operation("GET", "/compute/clusters/storage/volumes/{volume_id}")
def retrieve_shared_volume(
    volume_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClustersSharedVolume]:
    """The Call that reads a shared volume.

    >>> retrieve_shared_volume("v-1").request.url
    '/compute/clusters/storage/volumes/v-1'
    """
    return Call(
        operation="GET /compute/clusters/storage/volumes/{volume_id}",
        request=request(
            Method.GET,
            f"/compute/clusters/storage/volumes/{path_param(volume_id)}",
            options=options,
        ),
        response_type=GPUClustersSharedVolume,
    )


@operation("DELETE", "/compute/clusters/storage/volumes/{volume_id}")
def delete_shared_volume(
    volume_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[GPUClustersSharedVolumeDeleteResponse]:
    """The Call that deletes a shared volume (it fails while a cluster has it attached).

    >>> delete_shared_volume("v-1").request.method.value
    'DELETE'
    """
    return Call(
        operation="DELETE /compute/clusters/storage/volumes/{volume_id}",
        request=request(
            Method.DELETE,
            f"/compute/clusters/storage/volumes/{path_param(volume_id)}",
            options=options,
        ),
        response_type=GPUClustersSharedVolumeDeleteResponse,
    )
