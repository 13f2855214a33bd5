"""Both transports against a loopback server: what they send, what they return, how they fail."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import requests
from returns.result import Failure, Success

from tests.executors.conftest import (
    KEY,
    Driver,
    assert_secret_free,
    config_for,
    get_call,
    json_call,
    prepared,
)
from tests.executors.loopback import (
    Loopback,
    cut_short,
    echo,
    gzip_reply,
    json_reply,
    redirect,
    reset,
    respond,
    slow,
    stream,
)
from together_fn.errors import APIConnectionError, APITimeoutError
from together_fn.executors._bodies import connection_error
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.http import HttpRequest, Method

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- plain exchanges ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_json_request_and_response(server: Loopback, driver: Driver) -> None:
    server.route(
        "/v1/things",
        json_reply(
            {"id": "t-1", "n": 3},
            headers=[("X-Request-ID", "req-9"), ("X-Multi", "a"), ("X-Multi", "b")],
        ),
    )
    exchange = await driver.execute(json_call("/things", {"q": "é"}), config_for(server))

    assert exchange.result == Success({"id": "t-1", "n": 3})
    assert exchange.status == 200
    assert exchange.request_id == "req-9"
    assert all(name == name.lower() for name, _ in exchange.headers)
    assert ("x-multi", "a") in exchange.headers
    assert ("x-multi", "b") in exchange.headers
    [sent] = server.requests_to("/v1/things")
    assert sent.method == "POST"
    assert sent.header("authorization") == f"Bearer {KEY}"
    assert sent.header("content-type") == "application/json"
    assert json.loads(sent.body) == {"q": "é"}
    assert sent.header("content-length") == str(len(sent.body))
    assert (sent.header("user-agent") or "").startswith("together-fn/")
    assert driver.sleeps == []


@pytest.mark.asyncio
async def test_query_string_reaches_the_server(server: Loopback, driver: Driver) -> None:
    server.route("/v1/list", json_reply({"data": []}))
    call = get_call("/list", query=(("limit", "5"), ("after", "a b&c")))
    exchange = await driver.execute(call, config_for(server))

    assert exchange.result == Success({"data": []})
    [sent] = server.requests_to("/v1/list")
    assert sent.method == "GET"
    assert sent.query == "limit=5&after=a+b%26c"
    assert sent.body == b""


@pytest.mark.asyncio
async def test_send_fills_the_url_and_decodes_the_body(server: Loopback, driver: Driver) -> None:
    server.route("/v1/zipped", gzip_reply({"packed": "yes" * 100}))
    request = prepared(HttpRequest(method=Method.GET, url="/zipped"), server)
    response = await driver.send(request)

    assert response.status == 200
    assert response.url == f"{server.url}/v1/zipped"
    assert json.loads(response.body) == {"packed": "yes" * 100}
    assert response.header("content-encoding") == "gzip"
    assert all(name == name.lower() for name, _ in response.headers)


@pytest.mark.asyncio
async def test_connections_are_kept_alive(server: Loopback, driver: Driver) -> None:
    server.route("/v1/things", json_reply({}))
    for _ in range(3):
        exchange = await driver.execute(json_call("/things", {}), config_for(server))
        assert exchange.result == Success({})

    connections = {r.connection for r in server.requests_to("/v1/things")}
    assert len(connections) == 1


@pytest.mark.asyncio
async def test_error_status_comes_back_as_a_response(server: Loopback, driver: Driver) -> None:
    server.route("/v1/things", json_reply({"error": {"message": "no such model"}}, status=404))
    request = prepared(HttpRequest(method=Method.GET, url="/things"), server)
    response = await driver.send(request)

    assert response.status == 404
    assert json.loads(response.body) == {"error": {"message": "no such model"}}


# --- retries --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_retry_after_is_honoured_then_success(server: Loopback, driver: Driver) -> None:
    server.route(
        "/v1/things",
        json_reply({"error": {"message": "slow down"}}, status=429, headers=[("Retry-After", "2")]),
        json_reply({"ok": True}),
    )
    exchange = await driver.execute(json_call("/things", {}), config_for(server))

    assert exchange.result == Success({"ok": True})
    assert exchange.attempts == 2
    assert driver.sleeps == [2.0]
    assert server.hits("/v1/things") == 2


@pytest.mark.asyncio
async def test_503_twice_then_success(server: Loopback, driver: Driver) -> None:
    busy = respond(503, b'{"error": {"message": "busy"}}')
    server.route("/v1/things", busy, busy, json_reply({"ok": True}))
    exchange = await driver.execute(json_call("/things", {}), config_for(server))

    assert exchange.result == Success({"ok": True})
    assert exchange.attempts == 3
    assert driver.sleeps == [0.5, 1.0]


@pytest.mark.asyncio
async def test_reset_before_any_byte_is_retried(server: Loopback, driver: Driver) -> None:
    server.route("/v1/things", reset(), json_reply({"ok": True}))
    exchange = await driver.execute(json_call("/things", {}), config_for(server))

    assert exchange.result == Success({"ok": True})
    assert exchange.attempts == 2
    assert server.hits("/v1/things") == 2


@pytest.mark.asyncio
async def test_reset_on_every_attempt_fails(server: Loopback, driver: Driver) -> None:
    server.route("/v1/things", reset())
    exchange = await driver.execute(get_call("/things"), config_for(server, retries=2))

    assert isinstance(exchange.result, Failure)
    error = exchange.result.failure()
    assert type(error) is APIConnectionError
    assert error.attempts == 3
    assert error.request_sent
    assert exchange.attempts == 3
    # Each attempt reached the server exactly once: the libraries do not retry on their own.
    assert server.hits("/v1/things") == 3
    assert driver.sleeps == [0.5, 1.0]
    assert_secret_free(error)


@pytest.mark.asyncio
async def test_refused_connection_was_never_sent(driver: Driver) -> None:
    with Loopback() as placeholder:
        config = config_for(placeholder, retries=0, base_url=f"http://127.0.0.1:{closed_port()}")
    exchange = await driver.execute(json_call("/things", {}, retryable=False), config)

    assert isinstance(exchange.result, Failure)
    error = exchange.result.failure()
    assert type(error) is APIConnectionError
    assert not error.request_sent
    assert "could not connect" in error.message
    assert_secret_free(error)


# --- bodies cut short and timeouts ----------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("end", ["close", "reset"])
async def test_body_cut_short_is_an_error(server: Loopback, driver: Driver, end: str) -> None:
    server.route("/v1/things", cut_short(b'{"id": "t-', declared=100, end=end))  # type: ignore[arg-type]
    request = prepared(json_call("/things", {}).request, server)
    with pytest.raises(APIConnectionError) as raised:
        await driver.send(request)
    assert not isinstance(raised.value, APITimeoutError)
    assert_secret_free(raised.value)

    exchange = await driver.execute(json_call("/things", {}), config_for(server, retries=1))
    assert isinstance(exchange.result, Failure)
    assert isinstance(exchange.result.failure(), APIConnectionError)
    assert server.hits("/v1/things") == 3


@pytest.mark.asyncio
async def test_broken_chunked_body_is_an_error(server: Loopback, driver: Driver) -> None:
    pieces = [b'{"id": ', b'"t-1", "more": ']
    server.route("/v1/things", stream(pieces, content_type="application/json", end="close"))
    request = prepared(json_call("/things", {}).request, server)
    with pytest.raises(APIConnectionError) as raised:
        await driver.send(request)
    assert "before the body was complete" in raised.value.message
    assert_secret_free(raised.value)


@pytest.mark.asyncio
async def test_slow_headers_time_out(server: Loopback, driver: Driver) -> None:
    server.route("/v1/things", slow(3.0, json_reply({"late": True})))
    exchange = await driver.execute(
        json_call("/things", {}), config_for(server, read=0.2, retries=1)
    )

    assert isinstance(exchange.result, Failure)
    error = exchange.result.failure()
    assert isinstance(error, APITimeoutError)
    assert error.request_sent
    assert error.attempts == 2
    assert driver.sleeps == [0.5]
    assert exchange.elapsed < 2.5
    assert_secret_free(error)


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cross_origin_redirect_drops_authorization(
    server: Loopback, other_server: Loopback, driver: Driver
) -> None:
    server.route("/v1/upload", redirect(f"{other_server.url}/landing?sig=abc"))
    other_server.route("/landing", echo())
    exchange = await driver.execute(json_call("/upload", {"part": 1}), config_for(server))

    assert isinstance(exchange.result, Success)
    [first] = server.requests_to("/v1/upload")
    assert first.header("authorization") == f"Bearer {KEY}"
    [landed] = other_server.requests_to("/landing")
    assert landed.header("authorization") is None
    assert all(KEY not in value for _, value in landed.headers)
    # A 307 keeps the method and the body.
    assert landed.method == "POST"
    assert json.loads(landed.body) == {"part": 1}
    assert landed.query == "sig=abc"


@pytest.mark.asyncio
async def test_same_origin_redirect_keeps_authorization(server: Loopback, driver: Driver) -> None:
    server.route("/v1/old", redirect("/v1/new"))
    server.route("/v1/new", json_reply({"moved": True}))
    exchange = await driver.execute(get_call("/old"), config_for(server))

    assert exchange.result == Success({"moved": True})
    [arrived] = server.requests_to("/v1/new")
    assert arrived.header("authorization") == f"Bearer {KEY}"


@pytest.mark.asyncio
async def test_transport_does_not_follow_redirects(server: Loopback, driver: Driver) -> None:
    server.route("/v1/old", redirect("/v1/new"))
    response = await driver.send(prepared(HttpRequest(method=Method.GET, url="/old"), server))

    assert response.status == 307
    assert response.header("location") == "/v1/new"
    assert server.hits("/v1/new") == 0


def test_error_text_hides_credentials_and_signed_queries() -> None:
    signed = "https://uploads.example/blob?X-Signature=abcdef123456"
    request = HttpRequest(
        method=Method.PUT,
        url=signed,
        query=(("token", "qwertyuiop"),),
        headers=(("authorization", f"Bearer {KEY}"),),
    )
    cause = OSError(f"failed {signed}&token=qwertyuiop sending Bearer {KEY}")
    error = connection_error(request, "the connection failed", cause, request_sent=True)

    assert error.message.startswith("PUT https://uploads.example/blob: the connection failed")
    for secret in (KEY, "abcdef123456", "qwertyuiop"):
        assert secret not in str(error)
    assert_secret_free(error)


# --- ownership and configuration ------------------------------------------------------------


class CountingSession(requests.Session):
    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


def test_requests_transport_closes_only_its_own_session() -> None:
    given = CountingSession()
    RequestsTransport(given).close()
    assert given.closed == 0
    given.close()

    owned = RequestsTransport(trust_env=False, pool_maxsize=4)
    assert owned.session.trust_env is False
    adapter = owned.session.get_adapter("https://api.together.ai/")
    assert isinstance(adapter, requests.adapters.HTTPAdapter)
    assert adapter.max_retries.total == 0
    owned.close()


@pytest.mark.asyncio
async def test_aiohttp_transport_session_lifecycle(server: Loopback) -> None:
    server.route("/v1/things", json_reply({}))
    request = prepared(HttpRequest(method=Method.GET, url="/things"), server)

    owned = AiohttpTransport(trust_env=False)
    before_use = owned.session
    assert before_use is None  # created inside the loop, on first use
    assert (await owned.asend(request)).status == 200
    session = owned.session
    assert session is not None
    assert session.trust_env is False
    await owned.aclose()
    assert session.closed

    async with aiohttp.ClientSession() as given:
        borrowed = AiohttpTransport(given)
        assert (await borrowed.asend(request)).status == 200
        await borrowed.aclose()
        assert not given.closed


def test_importing_the_package_does_not_import_http_libraries() -> None:
    script = (
        "import sys, together_fn, together_fn.executors; "
        "print(sorted(m for m in ('requests', 'aiohttp') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "[]"
