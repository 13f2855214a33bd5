"""``GET /deployments/storage/{filename}`` through both transports: the API redirects to a
signed URL on another host; the bytes come back, and the API key stays with the API."""

from __future__ import annotations

import pytest
from returns.result import Failure, Success

from tests.executors.conftest import KEY, Driver, config_for
from tests.executors.loopback import Loopback, redirect, respond
from together_fn.api.deployments_storage import download_storage_file
from together_fn.errors import NotFoundError

#: Not JSON, not UTF-8: a download is bytes, as they are.
WEIGHTS = bytes(range(256)) * 64


@pytest.mark.asyncio
async def test_download_follows_the_signed_url_without_the_api_key(
    server: Loopback, other_server: Loopback, driver: Driver
) -> None:
    signed = f"{other_server.url}/bucket/weights.bin?X-Amz-Signature=abc"
    server.route("/v1/deployments/storage/weights.bin", redirect(signed))
    other_server.route(
        "/bucket/weights.bin", respond(200, WEIGHTS, content_type="application/octet-stream")
    )

    exchange = await driver.execute(download_storage_file("weights.bin"), config_for(server))

    assert exchange.result == Success(WEIGHTS)
    assert exchange.status == 200
    [asked] = server.requests_to("/v1/deployments/storage/weights.bin")
    assert asked.method == "GET"
    assert asked.header("authorization") == f"Bearer {KEY}"
    [fetched] = other_server.requests_to("/bucket/weights.bin")
    assert fetched.method == "GET"
    assert fetched.query == "X-Amz-Signature=abc"
    assert fetched.header("authorization") is None
    assert all(KEY not in value for _, value in fetched.headers)


@pytest.mark.asyncio
async def test_a_missing_file_at_the_signed_url_is_an_error(
    server: Loopback, other_server: Loopback, driver: Driver
) -> None:
    server.route("/v1/deployments/storage/gone.bin", redirect(f"{other_server.url}/bucket/gone"))
    other_server.route(
        "/bucket/gone", respond(404, b"<Error>NoSuchKey</Error>", content_type="text/xml")
    )

    exchange = await driver.execute(download_storage_file("gone.bin"), config_for(server))

    assert isinstance(exchange.result, Failure)
    assert isinstance(exchange.result.failure(), NotFoundError)
    assert other_server.requests_to("/bucket/gone")[0].header("authorization") is None
