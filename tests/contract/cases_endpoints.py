"""Contract cases of ``/endpoints``, ``/hardware`` and ``/clusters/availability-zones``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

ENDPOINT_ID = "endpoint-d23901de-ef8f-44bf-b3e7-de9c1ca8f2d7"

CASES: dict[str, Callable[[], Call[Any]]] = {
    "endpoints: list": api.endpoints.list_endpoints,
    "endpoints: list filtered": lambda: api.endpoints.list_endpoints(
        type="dedicated", usage_type="on-demand", mine=True
    ),
    "endpoints: create": lambda: api.endpoints.create_endpoint(
        model="Qwen/Qwen3.5-9B-FP8",
        hardware="1x_nvidia_a100_80gb_sxm",
        autoscaling={"min_replicas": 2, "max_replicas": 5},
    ),
    "endpoints: create with every field": lambda: api.endpoints.create_endpoint(
        model="deepseek-ai/DeepSeek-R1",
        hardware="8x_nvidia_h200_140gb_sxm",
        min_replicas=1,
        max_replicas=1,
        display_name="My DeepSeek R1 endpoint",
        disable_speculative_decoding=True,
        state="STOPPED",
        inactive_timeout=60,
        availability_zone="us-central-4b",
    ),
    "endpoints: retrieve": lambda: api.endpoints.retrieve_endpoint(ENDPOINT_ID),
    "endpoints: update": lambda: api.endpoints.update_endpoint(
        ENDPOINT_ID,
        display_name="renamed",
        autoscaling={"min_replicas": 1, "max_replicas": 3},
        inactive_timeout=0,
    ),
    "endpoints: start": lambda: api.endpoints.start_endpoint(ENDPOINT_ID),
    "endpoints: stop": lambda: api.endpoints.stop_endpoint(ENDPOINT_ID),
    "endpoints: delete": lambda: api.endpoints.delete_endpoint(ENDPOINT_ID),
    "endpoints: availability zones": api.endpoints.list_availability_zones,
    "hardware: list": api.hardware.list_hardware,
    "hardware: for a model": lambda: api.hardware.list_hardware(model="deepseek-ai/DeepSeek-R1"),
}
