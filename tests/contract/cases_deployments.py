"""Contract cases of ``/deployments``: deployments, their logs, secrets, storage and volumes.

``GET /deployments/storage/{filename}`` is documented with a ``307`` answer only (no 2xx and
no ``Location``), so Prism cannot complete it: its case is listed in :data:`REDIRECT_ONLY`.
``update_deployment(autoscaling={})``, which the spec documents as turning autoscaling off,
has no case: the spec's ``oneOf`` rejects ``{}`` (it matches all three variants).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call
from together_fn.models.deployments import (
    EnvironmentVariable,
    QueueAutoscalingConfig,
    VolumeMount,
)

IMAGE = "registry.together.xyz/proj_abcdefg1234567890/my-image:latest"

CASES: dict[str, Callable[[], Call[Any]]] = {
    "deployments: list": api.deployments.list_deployments,
    "deployments: create minimal": lambda: api.deployments.create_deployment(
        name="my-deployment", gpu_type="h100-80gb", image=IMAGE
    ),
    "deployments: create with every field": lambda: api.deployments.create_deployment(
        name="my-deployment",
        gpu_type="b200-192gb",
        image=IMAGE,
        description="Serves the model",
        args=["python", "app.py"],
        command=["/bin/sh", "-c"],
        cpu=2.5,
        memory=16,
        storage=20,
        gpu_count=1,
        port=8080,
        health_check_path="/health",
        min_replicas=1,
        max_replicas=4,
        termination_grace_period_seconds=30,
        autoscaling=QueueAutoscalingConfig(target=1.01),
        environment_variables=[
            EnvironmentVariable(name="LOG_LEVEL", value="info"),
            {"name": "HF_TOKEN", "value_from_secret": "hf-token"},
        ],
        volumes=[VolumeMount(mount_path="/data", name="weights", version=2)],
    ),
    "deployments: create with http autoscaling": lambda: api.deployments.create_deployment(
        name="web",
        gpu_type="h100-40gb-mig",
        image=IMAGE,
        autoscaling={"metric": "HTTPAvgRequestDuration", "target": 500, "time_interval_minutes": 5},
    ),
    "deployments: retrieve": lambda: api.deployments.retrieve_deployment("my-deployment"),
    "deployments: update": lambda: api.deployments.update_deployment(
        "my-deployment",
        gpu_count=2,
        autoscaling={"metric": "CustomMetric", "custom_metric_name": "queue_depth", "target": 5},
        health_check_path="",
    ),
    "deployments: delete": lambda: api.deployments.delete_deployment("my-deployment"),
    "deployments: logs": lambda: api.deployments.retrieve_deployment_logs("my-deployment"),
    "deployments: logs of a replica": lambda: api.deployments.retrieve_deployment_logs(
        "my-deployment", replica_id="my-deployment-7d9f8-abcde"
    ),
    "secrets: list": api.deployments_secrets.list_secrets,
    "secrets: create": lambda: api.deployments_secrets.create_secret(
        name="hf-token", value="hf_example_value", description="Hugging Face read token"
    ),
    "secrets: retrieve": lambda: api.deployments_secrets.retrieve_secret("hf-token"),
    "secrets: update": lambda: api.deployments_secrets.update_secret(
        "hf-token", value="hf_new_value", description="rotated"
    ),
    "secrets: delete": lambda: api.deployments_secrets.delete_secret("hf-token"),
    "storage: download": lambda: api.deployments_storage.download_storage_file("weights.bin"),
    "volumes: list": api.deployments_storage.list_volumes,
    "volumes: create": lambda: api.deployments_storage.create_volume(
        name="weights", content={"source_prefix": "models/", "type": "files"}
    ),
    "volumes: retrieve": lambda: api.deployments_storage.retrieve_volume("weights"),
    "volumes: update": lambda: api.deployments_storage.update_volume(
        "weights", name="weights-v2", content={"source_prefix": "models/v2/"}
    ),
    "volumes: delete": lambda: api.deployments_storage.delete_volume("weights"),
}

#: Cases whose operation the spec answers only with a redirect that Prism cannot follow.
REDIRECT_ONLY: frozenset[str] = frozenset({"storage: download"})
