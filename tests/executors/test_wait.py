"""``wait_for`` / ``await_for`` over real transports against a loopback server.

Time is fake (sleeps are recorded, the clock moves by them) so the backoff and the timeout
are exact; the polls themselves are real HTTP requests.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import pytest
from returns.result import Failure, Result, Success

from tests.executors.conftest import KEY, config_for
from tests.executors.loopback import Loopback, json_reply
from together_fn import AsyncTogether, Together
from together_fn.api.endpoints import retrieve_endpoint
from together_fn.api.queue import retrieve_queue_job
from together_fn.calls import Call
from together_fn.errors import NotFoundError, TogetherError, WaitTimeoutError
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.executors.wait import await_for, wait_for
from together_fn.flows import Clock
from together_fn.models.endpoints import DedicatedEndpoint, endpoint_in_state
from together_fn.models.queue import QueueJobStatusResponse, queue_job_is_finished
from together_fn.wait import WaitPolicy

POLICY = WaitPolicy(timeout=30.0, initial_interval=2.0, multiplier=2.0, max_interval=5.0, jitter=0)
MODEL = "black-forest-labs/FLUX.1-schnell"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.now, wall=lambda: self.now, random=lambda: 0.0)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def endpoint(state: str) -> Any:
    return json_reply({"id": "e-1", "object": "endpoint", "state": state, "model": "m"})


async def perform(
    transport: str,
    server: Loopback,
    time: FakeTime,
    call: Call[Any],
    is_done: Any,
    seen: list[Any],
) -> Result[Any, TogetherError]:
    config = config_for(server)
    if transport == "requests":
        executor = Executor(RequestsTransport(), config, clock=time.clock(), sleep=time.sleep)
        try:
            return await asyncio.to_thread(
                wait_for, executor, call, is_done=is_done, policy=POLICY, on_poll=seen.append
            )
        finally:
            executor.close()
    async_executor = AsyncExecutor(
        AiohttpTransport(), config, clock=time.clock(), sleep=time.asleep
    )
    try:
        return await await_for(
            async_executor, call, is_done=is_done, policy=POLICY, on_poll=seen.append
        )
    finally:
        await async_executor.aclose()


TRANSPORTS = pytest.mark.parametrize("transport", ["requests", "aiohttp"])


@TRANSPORTS
@pytest.mark.asyncio
async def test_an_endpoint_is_polled_until_it_has_started(transport: str, server: Loopback):
    server.route(
        "/v1/endpoints/e-1", endpoint("PENDING"), endpoint("STARTING"), endpoint("STARTED")
    )
    time, seen = FakeTime(), list[Any]()
    result = await perform(
        transport, server, time, retrieve_endpoint("e-1"), endpoint_in_state("STARTED"), seen
    )
    assert result == Success(DedicatedEndpoint(id="e-1", state="STARTED", model="m"))
    assert [e.state for e in seen] == ["PENDING", "STARTING", "STARTED"]
    assert time.slept == [2.0, 4.0]
    assert server.hits("/v1/endpoints/e-1") == 3
    assert all(r.header("authorization") == f"Bearer {KEY}" for r in server.received)


@TRANSPORTS
@pytest.mark.asyncio
async def test_a_queue_job_that_never_finishes_times_out(transport: str, server: Loopback):
    pending = {"request_id": "r-1", "model": MODEL, "status": "running"}
    server.route("/v1/queue/status", json_reply(pending))
    time, seen = FakeTime(), list[Any]()
    call = retrieve_queue_job(request_id="r-1", model=MODEL)
    result = await perform(transport, server, time, call, queue_job_is_finished, seen)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, WaitTimeoutError)
    assert error.last_status == "running"
    assert time.slept == [2.0, 4.0, 5.0, 5.0, 5.0, 5.0, 4.0]
    assert error.polls == len(seen) == server.hits("/v1/queue/status") == 8
    queries = [dict(parse_qsl(r.query)) for r in server.received]
    assert queries == [{"request_id": "r-1", "model": MODEL}] * 8
    assert seen[0] == QueueJobStatusResponse(request_id="r-1", model=MODEL, status="running")


@TRANSPORTS
@pytest.mark.asyncio
async def test_a_poll_answered_with_an_error_ends_the_wait(transport: str, server: Loopback):
    server.route(
        "/v1/endpoints/e-1",
        endpoint("STARTING"),
        json_reply({"error": {"message": "endpoint deleted", "type": "not_found"}}, status=404),
    )
    time, seen = FakeTime(), list[Any]()
    result = await perform(
        transport, server, time, retrieve_endpoint("e-1"), endpoint_in_state("STARTED"), seen
    )
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), NotFoundError)
    assert result.failure().message == "endpoint deleted"
    assert len(seen) == 1


def test_the_sync_facade_waits_for_a_batch(server: Loopback):
    server.route(
        "/v1/batches/b-1",
        json_reply({"id": "b-1", "status": "IN_PROGRESS", "progress": 50.0}),
        json_reply({"id": "b-1", "status": "COMPLETED", "progress": 100.0}),
    )
    fast = WaitPolicy(timeout=10.0, initial_interval=0.01, max_interval=0.01, jitter=0)
    progress: list[float | None] = []
    with Together(api_key=KEY, base_url=f"{server.url}/v1") as client:
        batch = client.batches.wait(
            "b-1", policy=fast, on_poll=lambda b: progress.append(b.progress)
        )
    assert batch.status == "COMPLETED"
    assert progress == [50.0, 100.0]


def test_the_sync_facade_raises_the_timeout(server: Loopback):
    server.route(
        "/v1/evaluation/eval-1", json_reply({"workflow_id": "eval-1", "status": "running"})
    )
    instant = WaitPolicy(timeout=0.0)
    client = Together(api_key=KEY, base_url=f"{server.url}/v1")
    with client, pytest.raises(WaitTimeoutError, match="last status: running") as raised:
        client.evaluation.wait("eval-1", policy=instant)
    assert raised.value.last_status == "running"


@pytest.mark.asyncio
async def test_the_async_facade_waits_for_a_queue_job(server: Loopback):
    server.route(
        "/v1/queue/status",
        json_reply({"request_id": "r-1", "model": MODEL, "status": "pending"}),
        json_reply({"request_id": "r-1", "model": MODEL, "status": "done", "outputs": {"u": 1}}),
    )
    fast = WaitPolicy(timeout=10.0, initial_interval=0.01, max_interval=0.01, jitter=0)
    async with AsyncTogether(api_key=KEY, base_url=f"{server.url}/v1") as client:
        job = await client.queue.wait(request_id="r-1", model=MODEL, policy=fast)
        server.route("/v1/endpoints/e-1", endpoint("STOPPING"), endpoint("STOPPED"))
        stopped = await client.endpoints.wait("e-1", state="STOPPED", policy=fast)
    assert job.outputs == {"u": 1}
    assert stopped.state == "STOPPED"
