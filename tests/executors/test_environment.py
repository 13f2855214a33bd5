"""Proxy settings come from the environment once, when a transport is made, not per request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from returns.result import Success

from tests.executors.conftest import config_for, get_call
from tests.executors.loopback import Loopback, json_reply
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors._environment import EnvironmentSettings, bypassed
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport

#: A loopback address nothing listens on: reachable only through the proxy.
UNREACHABLE = "http://127.0.0.2:9"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)


def test_a_proxy_is_chosen_by_scheme_with_all_proxy_as_the_fallback() -> None:
    settings = EnvironmentSettings({"HTTPS_PROXY": "http://p:1", "ALL_PROXY": "http://q:2"})
    assert settings.proxy_for("https://api.example.com/v1/x") == "http://p:1"
    assert settings.proxy_for("http://api.example.com/v1/x") == "http://q:2"
    assert EnvironmentSettings({}).proxy_for("https://api.example.com/") is None


def test_lower_case_names_win_and_a_cgi_http_proxy_header_is_ignored() -> None:
    both = EnvironmentSettings({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"})
    assert both.proxy_for("https://x/") == "http://lower:1"
    cgi = EnvironmentSettings({"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"})
    assert cgi.proxy_for("http://x/") is None


def test_the_ca_bundle_follows_requests_order_of_variables() -> None:
    env = {"CURL_CA_BUNDLE": "/curl.pem", "REQUESTS_CA_BUNDLE": "/requests.pem"}
    assert EnvironmentSettings(env).ca_bundle == "/requests.pem"
    assert EnvironmentSettings({"CURL_CA_BUNDLE": "/curl.pem"}).ca_bundle == "/curl.pem"
    assert EnvironmentSettings({}).ca_bundle is None


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "expected"),
    [
        ("api.together.ai", None, "*", True),
        ("api.together.ai", None, "together.ai", True),
        ("api.together.ai", None, ".together.ai", True),
        ("together.ai", None, ".together.ai", True),
        ("nottogether.ai", None, "together.ai", False),
        ("api.together.ai", 443, "api.together.ai:443", True),
        ("api.together.ai", 8443, "api.together.ai:443", False),
        ("10.1.2.3", None, "10.0.0.0/8", True),
        ("11.1.2.3", None, "10.0.0.0/8", False),
        ("::1", None, "::1", True),
        ("[::1]", 80, "[::1]:80", True),
        ("api.together.ai", None, " , ,other.org", False),
        ("api.together.ai", None, "", False),
    ],
)
def test_no_proxy_rules(host: str, port: int | None, no_proxy: str, expected: bool) -> None:
    assert bypassed(host, port, no_proxy) is expected


def test_no_proxy_exempts_a_host_and_lookups_are_remembered_per_origin() -> None:
    settings = EnvironmentSettings({"http_proxy": "http://p:1", "no_proxy": "internal.test"})
    assert settings.proxy_for("http://svc.internal.test/a") is None
    assert settings.proxy_for("http://api.example.com/a") == "http://p:1"
    assert settings.proxy_for("http://api.example.com/b?q=1") == "http://p:1"


def _through_proxy(server: Loopback) -> str:
    server.route(f"{UNREACHABLE}/v1/x", json_reply({"via": "proxy"}))
    return f"http://127.0.0.1:{server.url.rsplit(':', 1)[1]}"


def test_the_requests_transport_reads_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with Loopback() as server:
        monkeypatch.setenv("HTTP_PROXY", _through_proxy(server))
        transport = RequestsTransport()
        # Changing the environment afterwards changes nothing: it was read once.
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.2:9")
        executor = Executor(transport, config_for(server, base_url=f"{UNREACHABLE}/v1"))
        try:
            assert executor.run(get_call("/x")) == Success({"via": "proxy"})
        finally:
            executor.close()
        [received] = server.requests_to(f"{UNREACHABLE}/v1/x")
        assert received.target == f"{UNREACHABLE}/v1/x"  # the absolute form a proxy receives


def test_the_aiohttp_transport_reads_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with Loopback() as server:
        monkeypatch.setenv("HTTP_PROXY", _through_proxy(server))
        transport = AiohttpTransport()
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.2:9")

        async def perform() -> Any:
            executor = AsyncExecutor(transport, config_for(server, base_url=f"{UNREACHABLE}/v1"))
            try:
                return await executor.arun(get_call("/x"))
            finally:
                await executor.aclose()

        assert asyncio.run(perform()) == Success({"via": "proxy"})
        assert server.hits(f"{UNREACHABLE}/v1/x") == 1


@pytest.mark.parametrize("make", [RequestsTransport, AiohttpTransport])
def test_trust_env_false_ignores_proxies(monkeypatch: pytest.MonkeyPatch, make: Any) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.2:9")
    with Loopback() as server:
        server.route("/v1/x", json_reply({"via": "direct"}))
        transport = make(trust_env=False)
        config = config_for(server)
        if make is RequestsTransport:
            executor = Executor(transport, config)
            assert executor.run(get_call("/x")) == Success({"via": "direct"})
            executor.close()
        else:

            async def perform() -> Any:
                executor = AsyncExecutor(transport, config)
                try:
                    return await executor.arun(get_call("/x"))
                finally:
                    await executor.aclose()

            assert asyncio.run(perform()) == Success({"via": "direct"})
