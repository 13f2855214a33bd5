"""Golden tests of the ``/compute`` builders (clusters, regions, shared volumes) and decoding
of the spec's answers."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from returns.result import Success

from tests.contract import cases_compute
from tests.unit.api.spec_answers import answer, documented_answer
from together_fn import api
from together_fn.api._build import REGISTRY
from together_fn.api.compute import (
    create_cluster,
    create_shared_volume,
    delete_cluster,
    delete_shared_volume,
    list_clusters,
    list_regions,
    list_shared_volumes,
    retrieve_cluster,
    retrieve_shared_volume,
    update_cluster,
    update_shared_volume,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.compute import (
    ClusterDriverVersionInfo,
    GPUClusterDeleteResponse,
    GPUClusterInfo,
    GPUClusters,
    GPUClustersSharedVolume,
    GPUClustersSharedVolumeCreateRequest,
    GPUClustersSharedVolumeDeleteResponse,
    GPUClustersSharedVolumes,
    GPUClusterVolume,
    Region,
    RegionListResponse,
)

REQUIRED: dict[str, Any] = {
    "cluster_name": "train",
    "region": "us-central-8",
    "gpu_type": "H100_SXM",
    "num_gpus": 8,
    "cuda_version": "12.5",
    "nvidia_driver_version": "550",
    "billing_type": "ON_DEMAND",
}


def body(call: Call[Any]) -> Any:
    assert isinstance(call.request.body, JsonBody)
    return call.request.body.json()


def test_create_cluster_is_the_exact_request_and_never_retried():
    assert create_cluster(**REQUIRED) == Call(
        operation="POST /compute/clusters",
        request=HttpRequest(
            method=Method.POST,
            url="/compute/clusters",
            body=JsonBody(
                b'{"cluster_name":"train","region":"us-central-8","gpu_type":"H100_SXM",'
                b'"num_gpus":8,"cuda_version":"12.5","nvidia_driver_version":"550",'
                b'"billing_type":"ON_DEMAND"}'
            ),
        ),
        response_type=GPUClusterInfo,
        retryable=False,
    )


def test_create_cluster_with_an_inline_shared_volume():
    from_dict = create_cluster(
        **REQUIRED,
        cluster_type="SLURM",
        slurm_shm_size_gib=64,
        shared_volume={"volume_name": "data", "size_tib": 2, "region": "us-central-8"},
        auto_scaled=True,
        auto_scale_max_gpus=16,
    )
    from_model = create_cluster(
        **REQUIRED,
        cluster_type="SLURM",
        slurm_shm_size_gib=64,
        shared_volume=GPUClustersSharedVolumeCreateRequest(
            volume_name="data", size_tib=2, region="us-central-8"
        ),
        auto_scaled=True,
        auto_scale_max_gpus=16,
    )
    assert from_dict == from_model
    assert body(from_dict) == {
        **REQUIRED,
        "cluster_type": "SLURM",
        "slurm_shm_size_gib": 64,
        "shared_volume": {"volume_name": "data", "size_tib": 2, "region": "us-central-8"},
        "auto_scaled": True,
        "auto_scale_max_gpus": 16,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_gpus": 12}, "num_gpus must be a positive multiple of 8"),
        ({"num_gpus": 0}, "num_gpus must be a positive multiple of 8"),
        ({"gpu_type": "A100"}, "gpu_type must be one of"),
        ({"billing_type": "PREPAID"}, "billing_type must be one of"),
        ({"cluster_type": "NOMAD"}, "cluster_type must be one of"),
        ({"cluster_name": ""}, "cluster_name must not be empty"),
        ({"duration_days": 0}, "duration_days must be positive"),
        ({"auto_scaled": True}, "auto_scale_max_gpus is required"),
        ({"billing_type": "SCHEDULED_CAPACITY"}, "needs reservation_end_time"),
        (
            {"volume_id": "v", "shared_volume": {"volume_name": "d", "size_tib": 1, "region": "r"}},
            "not both",
        ),
        ({"shared_volume": {"volume_name": "d", "size_tib": 1}}, "shared_volume is not valid"),
        ({"shared_volume": {"volume_name": "d", "size_tib": 0, "region": "r"}}, "size_tib"),
    ],
)
def test_invalid_clusters_fail_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        create_cluster(**{**REQUIRED, **kwargs})


def test_cluster_reads_updates_and_deletes():
    assert list_clusters() == Call(
        operation="GET /compute/clusters",
        request=HttpRequest(method=Method.GET, url="/compute/clusters"),
        response_type=GPUClusters,
    )
    assert retrieve_cluster("c-1").request == HttpRequest(
        method=Method.GET, url="/compute/clusters/c-1"
    )
    update = update_cluster("c-1", cluster_type="KUBERNETES", num_gpus=24)
    assert update == Call(
        operation="PUT /compute/clusters/{cluster_id}",
        request=HttpRequest(
            method=Method.PUT,
            url="/compute/clusters/c-1",
            body=JsonBody(b'{"cluster_type":"KUBERNETES","num_gpus":24}'),
        ),
        response_type=GPUClusterInfo,
    )
    with pytest.raises(ValueError, match="at least one field"):
        update_cluster("c-1")
    with pytest.raises(ValueError, match="multiple of 8"):
        update_cluster("c-1", num_gpus=10)
    deleted = delete_cluster("c-1")
    assert deleted.request == HttpRequest(method=Method.DELETE, url="/compute/clusters/c-1")
    assert deleted.response_type is GPUClusterDeleteResponse


def test_regions():
    assert list_regions() == Call(
        operation="GET /compute/regions",
        request=HttpRequest(method=Method.GET, url="/compute/regions"),
        response_type=RegionListResponse,
    )
    payload = {
        "regions": [
            {
                "name": "us-central-8",
                "supported_instance_types": ["H100_SXM"],
                "driver_versions": [{"cuda_version": "12.5", "nvidia_driver_version": "550"}],
            }
        ]
    }
    decoded = interpret(list_regions(), HttpResponse(status=200, body=json.dumps(payload).encode()))
    assert decoded == Success(
        RegionListResponse(
            regions=(
                Region(
                    name="us-central-8",
                    supported_instance_types=("H100_SXM",),
                    driver_versions=(
                        ClusterDriverVersionInfo(cuda_version="12.5", nvidia_driver_version="550"),
                    ),
                ),
            )
        )
    )


def test_shared_volumes():
    created = create_shared_volume(volume_name="data", size_tib=2, region="us-central-8")
    assert created == Call(
        operation="POST /compute/clusters/storage/volumes",
        request=HttpRequest(
            method=Method.POST,
            url="/compute/clusters/storage/volumes",
            body=JsonBody(b'{"volume_name":"data","size_tib":2,"region":"us-central-8"}'),
        ),
        response_type=GPUClustersSharedVolume,
        retryable=False,
    )
    updated = update_shared_volume(volume_id="v-1", size_tib=4)
    assert updated.request.method is Method.PUT
    assert updated.request.url == "/compute/clusters/storage/volumes"
    assert body(updated) == {"volume_id": "v-1", "size_tib": 4}
    assert updated.retryable
    with pytest.raises(ValueError, match="volume_id must not be empty"):
        update_shared_volume(volume_id="")
    with pytest.raises(ValueError, match="size_tib must be positive"):
        create_shared_volume(volume_name="data", size_tib=0, region="r")
    assert list_shared_volumes().response_type is GPUClustersSharedVolumes
    assert retrieve_shared_volume("v-1").request.url == "/compute/clusters/storage/volumes/v-1"
    deleted = delete_shared_volume("v/1")
    assert deleted.request.url == "/compute/clusters/storage/volumes/v%2F1"
    assert deleted.response_type is GPUClustersSharedVolumeDeleteResponse


def test_a_cluster_decodes_tolerantly_and_hides_its_kube_config():
    payload = {
        "cluster_id": "c-1",
        "cluster_name": "train",
        "status": "Provisioning",
        "gpu_type": "GB200",
        "volumes": [{"volume_id": "v-1", "volume_name": "data", "size_tib": 2, "status": "bound"}],
        "control_plane_nodes": None,
        "kube_config": "apiVersion: v1\nusers:\n- user: {token: sk-cluster-secret}",
        "new": 1,
    }
    cluster = decode_json(json.dumps(payload).encode(), GPUClusterInfo).unwrap()
    assert cluster.status == "Provisioning"
    assert cluster.gpu_type == "GB200"
    assert cluster.volumes == (
        GPUClusterVolume(volume_id="v-1", volume_name="data", size_tib=2, status="bound"),
    )
    assert cluster.control_plane_nodes is None
    assert "sk-cluster-secret" not in repr(cluster)


@pytest.mark.parametrize("prefer", ["example", "default"])
@pytest.mark.parametrize("case", sorted(cases_compute.CASES))
def test_the_specs_answer_decodes(case, prefer):
    call = cases_compute.CASES[case]()
    status, schema = documented_answer(call.operation)
    payload = json.dumps(answer(schema, prefer)).encode()
    result = interpret(call, HttpResponse(status=status, body=payload))
    assert isinstance(result, Success), result


def test_every_builder_is_registered_under_its_operation():
    registered = {
        name
        for key, names in REGISTRY.items()
        for name in names
        if key.split(" ")[1].startswith("/compute")
    }
    expected = {
        f"{api.compute.__name__}.{name}"
        for name, value in vars(api.compute).items()
        if getattr(value, "__together_operation__", None)
    }
    assert registered == expected
    assert len(expected) == 11


def test_docstring_examples():
    assert doctest.testmod(api.compute).failed == 0
