"""Contract cases of ``/compute``: GPU clusters, regions and shared volumes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

CASES: dict[str, Callable[[], Call[Any]]] = {
    "clusters: list": api.compute.list_clusters,
    "clusters: create on demand": lambda: api.compute.create_cluster(
        cluster_name="train-h100",
        region="us-central-8",
        gpu_type="H100_SXM",
        num_gpus=8,
        cuda_version="12.5",
        nvidia_driver_version="550",
        billing_type="ON_DEMAND",
    ),
    "clusters: create reserved slurm with a new volume": lambda: api.compute.create_cluster(
        cluster_name="train-slurm",
        region="us-central-8",
        gpu_type="H200_SXM",
        num_gpus=16,
        cuda_version="12.6",
        nvidia_driver_version="560",
        billing_type="RESERVED",
        cluster_type="SLURM",
        duration_days=7,
        slurm_shm_size_gib=64,
        shared_volume={"volume_name": "data", "size_tib": 2, "region": "us-central-8"},
        gpu_node_failover_enabled=True,
        auto_scaled=True,
        auto_scale_max_gpus=32,
        install_traefik=False,
    ),
    "clusters: create scheduled": lambda: api.compute.create_cluster(
        cluster_name="later",
        region="us-central-8",
        gpu_type="B200_SXM",
        num_gpus=8,
        cuda_version="12.8",
        nvidia_driver_version="570",
        billing_type="SCHEDULED_CAPACITY",
        cluster_type="KUBERNETES",
        volume_id="vol-123",
        reservation_start_time="2026-01-02T00:00:00Z",
        reservation_end_time="2026-01-09T00:00:00Z",
    ),
    "clusters: retrieve": lambda: api.compute.retrieve_cluster("cluster-123"),
    "clusters: update": lambda: api.compute.update_cluster(
        "cluster-123", cluster_type="KUBERNETES", num_gpus=24
    ),
    "clusters: delete": lambda: api.compute.delete_cluster("cluster-123"),
    "regions: list": api.compute.list_regions,
    "shared volumes: list": api.compute.list_shared_volumes,
    "shared volumes: create": lambda: api.compute.create_shared_volume(
        volume_name="data", size_tib=2, region="us-central-8"
    ),
    "shared volumes: update": lambda: api.compute.update_shared_volume(
        volume_id="vol-123", size_tib=4
    ),
    "shared volumes: retrieve": lambda: api.compute.retrieve_shared_volume("vol-123"),
    "shared volumes: delete": lambda: api.compute.delete_shared_volume("vol-123"),
}
