"""The facade of ``client.deployments``, ``client.compute`` and ``client.rl``: each method
performs its builder's Call, sync and async alike, and ``wait_operation`` polls an RL
operation until it finishes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
import pytest

from tests.unit.test_facade import Scripted, ok
from together_fn import AsyncTogether, Together
from together_fn.api.deployments_secrets import create_secret
from together_fn.errors import NotFoundError
from together_fn.executors import AsyncExecutor, Executor
from together_fn.flows import Clock
from together_fn.http import HttpResponse, Method
from together_fn.models.compute import GPUClustersSharedVolume
from together_fn.models.deployments import SecretResponseItem
from together_fn.models.rl import OptimStepOperation, OptimStepResult
from together_fn.retry import NO_RETRY
from together_fn.wait import WaitPolicy

KEY = "sk-facade-infra-9c2e"
PENDING = {"id": "op-1", "status": "TRAINING_OPERATION_STATUS_PENDING"}
DONE = {"id": "op-1", "status": "TRAINING_OPERATION_STATUS_COMPLETED", "output": {"step": "3"}}
FAST = WaitPolicy(timeout=60.0, initial_interval=1.0, max_interval=2.0, jitter=0.0)


class FakeClock:
    """Time that moves only when the executor sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.now, wall=lambda: self.now, random=lambda: 0.0)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def test_secrets_create_sends_the_builders_request_and_returns_the_model() -> None:
    transport = Scripted(ok({"id": "sec-1", "object": "secret", "name": "hf-token"}))
    client = Together(api_key=KEY, transport=transport, max_retries=0)

    secret = client.deployments.secrets.create(name="hf-token", value="hf_value")

    assert secret == SecretResponseItem(id="sec-1", object="secret", name="hf-token")
    [sent] = transport.sent
    built = create_secret(name="hf-token", value="hf_value").request
    assert (sent.method, sent.url.endswith("/deployments/secrets"), sent.body) == (
        Method.POST,
        True,
        built.body,
    )
    assert sent.header("authorization") == f"Bearer {KEY}"


def test_the_official_sdks_aliases_point_at_the_same_namespaces() -> None:
    client = Together(api_key=KEY, transport=Scripted())
    assert client.deployments.storage.volumes is client.deployments.volumes
    assert client.compute.clusters.storage is client.compute.volumes
    assert client.deployments.deploy.__name__ == "create_deployment"
    assert client.deployments.destroy.__name__ == "delete_deployment"
    assert client.compute.clusters.list_regions.__name__ == "list_regions"


def test_errors_are_raised_as_values() -> None:
    missing = HttpResponse(status=404, body=b'{"error":{"message":"no such deployment"}}')
    client = Together(api_key=KEY, transport=Scripted(missing), max_retries=0)
    with pytest.raises(NotFoundError, match="no such deployment"):
        client.deployments.retrieve("gone")


def test_async_shared_volume_create() -> None:
    transport = Scripted(ok({"volume_id": "v-1", "volume_name": "data", "status": "available"}))

    async def go() -> Any:
        async with AsyncTogether(api_key=KEY, transport=transport, max_retries=0) as client:
            return await client.compute.volumes.create(
                volume_name="data", size_tib=1, region="us-central-8"
            )

    volume = asyncio.run(go())
    assert volume == GPUClustersSharedVolume(
        volume_id="v-1", volume_name="data", status="available"
    )
    assert json.loads(transport.sent[0].body.data) == {  # type: ignore[union-attr]
        "volume_name": "data",
        "size_tib": 1,
        "region": "us-central-8",
    }


def test_wait_operation_polls_the_right_operation_until_it_completes() -> None:
    transport = Scripted(ok(PENDING), ok(PENDING), ok(DONE))
    time = FakeClock()
    client = Together(api_key=KEY, transport=transport)
    client.executor = Executor(
        transport, attrs.evolve(client.config, retry=NO_RETRY), clock=time.clock(), sleep=time.sleep
    )
    seen: list[Any] = []

    started = OptimStepOperation(id="op-1", status="TRAINING_OPERATION_STATUS_PENDING")
    finished = client.rl.training_sessions.wait_operation(
        "sess-1", started, policy=FAST, on_poll=seen.append
    )

    assert finished == OptimStepOperation(
        id="op-1", status="TRAINING_OPERATION_STATUS_COMPLETED", output=OptimStepResult(step="3")
    )
    assert [s.url.split("/v1", 1)[1] for s in transport.sent] == [
        "/rl/training-sessions/sess-1/operations/optim-step/op-1"
    ] * 3
    assert len(seen) == 3
    assert time.sleeps == [1.0, 1.5]


def test_async_wait_operation() -> None:
    transport = Scripted(ok(PENDING), ok(DONE))
    time = FakeClock()

    async def go() -> Any:
        client = AsyncTogether(api_key=KEY, transport=transport)
        client.executor = AsyncExecutor(
            transport,
            attrs.evolve(client.config, retry=NO_RETRY),
            clock=time.clock(),
            sleep=time.asleep,
        )
        started = OptimStepOperation(id="op-1", status="TRAINING_OPERATION_STATUS_RUNNING")
        return await client.rl.training_sessions.wait_operation("sess-1", started, policy=FAST)

    assert asyncio.run(go()).status == "TRAINING_OPERATION_STATUS_COMPLETED"
    assert time.sleeps == [1.0]
