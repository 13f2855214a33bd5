"""Videos over both transports: requests go to the v2 sibling of the base URL; the facade
waits for a job to finish."""

from __future__ import annotations

import pytest
from returns.result import Success

from tests.executors.conftest import KEY, Driver, config_for
from tests.executors.loopback import Loopback, json_reply
from together_fn.api.videos import create_video, retrieve_video
from together_fn.client import AsyncTogether, Together
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.models.videos import VideoJob, VideoOutputs
from together_fn.wait import WaitPolicy

QUICK = WaitPolicy(timeout=10.0, initial_interval=0.01, max_interval=0.02, jitter=0.0)

IN_PROGRESS = {"id": "vid_1", "status": "in_progress", "model": "minimax/hailuo-02"}
DONE = {
    "id": "vid_1",
    "status": "completed",
    "model": "minimax/hailuo-02",
    "outputs": {"cost": 1, "video_url": "https://cdn.test/vid_1.mp4"},
}


@pytest.mark.asyncio
async def test_video_requests_go_to_the_v2_sibling_of_the_base(server: Loopback, driver: Driver):
    server.route("/v2/videos", json_reply(IN_PROGRESS))
    server.route("/v2/videos/vid_1", json_reply(DONE))
    created = await driver.execute(
        create_video(model="minimax/hailuo-02", prompt="A cat"), config_for(server)
    )
    fetched = await driver.execute(retrieve_video("vid_1"), config_for(server))

    assert created.result == Success(VideoJob(id="vid_1", model="minimax/hailuo-02"))
    assert isinstance(fetched.result, Success)
    assert fetched.result.unwrap().outputs == VideoOutputs(
        cost=1, video_url="https://cdn.test/vid_1.mp4"
    )
    assert server.hits("/v1/videos") == 0
    for path in ("/v2/videos", "/v2/videos/vid_1"):
        [sent] = server.requests_to(path)
        assert sent.header("authorization") == f"Bearer {KEY}"


@pytest.mark.asyncio
async def test_a_video_job_is_not_resent_after_a_server_error(server: Loopback, driver: Driver):
    server.route("/v2/videos", json_reply({"error": {"message": "busy"}}, status=503))
    exchange = await driver.execute(create_video(model="m", prompt="p"), config_for(server))

    assert exchange.status == 503
    assert server.hits("/v2/videos") == 1


def test_the_sync_facade_waits_for_the_video(server: Loopback):
    server.route(
        "/v2/videos/vid_1", json_reply(IN_PROGRESS), json_reply(IN_PROGRESS), json_reply(DONE)
    )
    polled: list[str] = []
    with Together(
        api_key=KEY, base_url=f"{server.url}/v1", transport=RequestsTransport()
    ) as client:
        video = client.videos.wait("vid_1", policy=QUICK, on_poll=lambda v: polled.append(v.status))

    assert video.status == "completed"
    assert polled == ["in_progress", "in_progress", "completed"]


@pytest.mark.asyncio
async def test_the_async_facade_creates_and_waits(server: Loopback):
    server.route("/v2/videos", json_reply(IN_PROGRESS))
    server.route(
        "/v2/videos/vid_1", json_reply(IN_PROGRESS), json_reply({**DONE, "status": "failed"})
    )
    client = AsyncTogether(api_key=KEY, base_url=f"{server.url}/v1", transport=AiohttpTransport())
    try:
        job = await client.videos.create(model="minimax/hailuo-02", prompt="A cat")
        finished = await client.videos.wait(job.id, policy=QUICK)
    finally:
        await client.close()

    assert finished.status == "failed"
    assert server.hits("/v2/videos/vid_1") == 2
