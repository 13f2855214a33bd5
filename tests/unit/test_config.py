"""Configuration from arguments and an environment mapping; preparing a request with it."""

from __future__ import annotations

import attrs
import pytest
from returns.result import Failure, Success

from together_fn.config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    USER_AGENT,
    ClientConfig,
    config_from_env,
    prepare,
)
from together_fn.errors import AuthenticationError, ConfigurationError
from together_fn.http import (
    HttpRequest,
    JsonBody,
    Method,
    MultipartBody,
    RawBody,
    Timeout,
)
from together_fn.retry import RetryPolicy

KEY = "sk-config-test-0123456789"
ENV = {
    "TOGETHER_API_KEY": "sk-from-env",
    "TOGETHER_BASE_URL": "https://env.example.test/v2/",
    "TOGETHER_TIMEOUT": "30",
    "TOGETHER_MAX_RETRIES": "7",
}


def resolved(env: dict[str, str], **explicit: object) -> ClientConfig:
    result = config_from_env(env, **explicit)  # type: ignore[arg-type]
    assert isinstance(result, Success), result
    config: ClientConfig = result.unwrap()
    return config


def test_defaults() -> None:
    config = resolved({"TOGETHER_API_KEY": KEY})
    assert config.api_key == KEY
    assert config.base_url == DEFAULT_BASE_URL == "https://api.together.ai/v1"
    assert config.timeout == DEFAULT_TIMEOUT
    assert config.retry == RetryPolicy()
    assert config.user_agent == USER_AGENT
    assert config.default_headers == ()


def test_environment_beats_defaults() -> None:
    config = resolved(ENV)
    assert config.api_key == "sk-from-env"
    assert config.base_url == "https://env.example.test/v2"
    assert config.timeout == Timeout(connect=5.0, read=30.0)
    assert config.retry.max_retries == 7


def test_explicit_arguments_beat_the_environment() -> None:
    config = resolved(
        ENV, api_key=KEY, base_url="http://127.0.0.1:4010", timeout=2.5, max_retries=0
    )
    assert config.api_key == KEY
    assert config.base_url == "http://127.0.0.1:4010"
    assert config.timeout == Timeout(connect=2.5, read=2.5)
    assert config.retry.max_retries == 0


def test_explicit_timeout_value_and_retry_policy() -> None:
    policy = RetryPolicy(max_retries=1, jitter=0.0)
    config = resolved(ENV, timeout=Timeout(connect=1.0, read=9.0), retry=policy)
    assert config.timeout == Timeout(connect=1.0, read=9.0)
    assert config.retry == attrs.evolve(policy, max_retries=7)  # env still sets the count
    assert resolved(ENV, retry=policy, max_retries=2).retry == attrs.evolve(policy, max_retries=2)


def test_blank_environment_values_mean_unset() -> None:
    config = resolved({"TOGETHER_API_KEY": KEY, "TOGETHER_TIMEOUT": " ", "TOGETHER_BASE_URL": ""})
    assert config.timeout == DEFAULT_TIMEOUT
    assert config.base_url == DEFAULT_BASE_URL


@pytest.mark.parametrize("env", [{}, {"TOGETHER_API_KEY": ""}])
def test_missing_key_is_an_authentication_error(env: dict[str, str]) -> None:
    result = config_from_env(env)
    error = result.failure()
    assert isinstance(error, AuthenticationError)
    assert error.status is None
    assert "TOGETHER_API_KEY" in str(error)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOGETHER_TIMEOUT", "soon"),
        ("TOGETHER_TIMEOUT", "-1"),
        ("TOGETHER_TIMEOUT", "0"),
        ("TOGETHER_TIMEOUT", "nan"),
        ("TOGETHER_TIMEOUT", "inf"),
        ("TOGETHER_MAX_RETRIES", "many"),
        ("TOGETHER_MAX_RETRIES", "2.5"),
        ("TOGETHER_MAX_RETRIES", "-1"),
        ("TOGETHER_BASE_URL", "api.together.ai/v1"),
        ("TOGETHER_BASE_URL", "ftp://api.together.ai"),
        ("TOGETHER_BASE_URL", "https://"),
        ("TOGETHER_BASE_URL", "https://api.together.ai:port/v1"),
    ],
)
def test_bad_environment_values_are_configuration_errors(name: str, value: str) -> None:
    result = config_from_env({"TOGETHER_API_KEY": KEY, name: value})
    error = result.failure()
    assert isinstance(error, ConfigurationError)
    assert KEY not in str(error)
    assert KEY not in repr(error)


@pytest.mark.parametrize(
    "explicit",
    [{"timeout": 0}, {"timeout": -3.0}, {"max_retries": -2}, {"base_url": "not a url"}],
)
def test_bad_explicit_values_are_configuration_errors(explicit: dict[str, object]) -> None:
    result = config_from_env({}, api_key=KEY, **explicit)  # type: ignore[arg-type]
    assert isinstance(result.failure(), ConfigurationError)


def test_key_is_never_shown() -> None:
    config = resolved({}, api_key=KEY, default_headers={"X-Team": "a"})
    prepared = prepare(HttpRequest(method=Method.GET, url="/models"), config)
    assert prepared.header("authorization") == f"Bearer {KEY}"
    for text in (repr(config), str(config), repr(prepared), str(prepared)):
        assert KEY not in text
    assert "<redacted>" in repr(prepared)


CONFIG = ClientConfig(api_key=KEY, base_url="https://api.example.test/v1")


def test_prepare_makes_the_url_absolute_and_adds_defaults() -> None:
    request = HttpRequest(
        method=Method.POST, url="/chat/completions", body=JsonBody(b"{}"), query=(("a", "1"),)
    )
    prepared = prepare(request, CONFIG)
    assert prepared.url == "https://api.example.test/v1/chat/completions"
    assert prepared.full_url == "https://api.example.test/v1/chat/completions?a=1"
    assert dict(prepared.headers) == {
        "accept": "application/json",
        "user-agent": USER_AGENT,
        "content-type": "application/json",
        "authorization": f"Bearer {KEY}",
    }
    assert prepared.timeout == CONFIG.timeout
    assert (prepared.method, prepared.body, prepared.query) == (
        request.method,
        request.body,
        request.query,
    )


@pytest.mark.parametrize("body", [RawBody(b"x"), MultipartBody(fields=(("purpose", "fine-tune"),))])
def test_content_type_only_for_json(body: RawBody | MultipartBody) -> None:
    prepared = prepare(HttpRequest(method=Method.PUT, url="/files", body=body), CONFIG)
    assert prepared.header("content-type") is None


def test_request_headers_and_timeout_override_the_defaults() -> None:
    request = HttpRequest(
        method=Method.GET,
        url="/files/f/content",
        headers=(("accept", "application/octet-stream"), ("user-agent", "mine/1")),
        timeout=Timeout(connect=1.0, read=2.0),
    )
    prepared = prepare(request, CONFIG)
    assert prepared.header("accept") == "application/octet-stream"
    assert prepared.header("user-agent") == "mine/1"
    assert [k for k, _ in prepared.headers].count("user-agent") == 1
    assert prepared.timeout == Timeout(connect=1.0, read=2.0)


def test_default_headers_replace_builtin_ones_without_duplicates() -> None:
    config = attrs.evolve(CONFIG, default_headers={"User-Agent": "app/2", "X-Project": "p"})
    prepared = prepare(HttpRequest(method=Method.GET, url="/models"), config)
    names = [k for k, _ in prepared.headers]
    assert len(names) == len(set(names))
    assert prepared.header("user-agent") == "app/2"
    assert prepared.header("x-project") == "p"
    assert prepared.header("authorization") == f"Bearer {KEY}"


def test_the_key_wins_over_a_default_authorization_header() -> None:
    config = attrs.evolve(CONFIG, default_headers={"Authorization": "Bearer other"})
    prepared = prepare(HttpRequest(method=Method.GET, url="/models"), config)
    assert [v for k, v in prepared.headers if k == "authorization"] == [f"Bearer {KEY}"]


@pytest.mark.parametrize(
    ("url", "authorized"),
    [
        ("https://api.example.test/v1/files/upload", True),
        ("https://API.example.test:443/other", True),
        ("https://storage.example.org/bucket?sig=abc", False),
        ("http://api.example.test/v1/files", False),
        ("https://api.example.test:8443/v1/files", False),
        ("https://api.example.test.evil.org/v1", False),
    ],
)
def test_absolute_urls_get_the_key_only_on_the_apis_origin(url: str, authorized: bool) -> None:
    config = attrs.evolve(CONFIG, default_headers={"X-Api-Key": "k2", "X-Team": "t"})
    prepared = prepare(HttpRequest(method=Method.PUT, url=url, body=RawBody(b"x")), config)
    assert prepared.url == url
    assert (prepared.header("authorization") is not None) is authorized
    assert (prepared.header("x-api-key") is not None) is authorized
    assert prepared.header("x-team") == "t"
    assert prepared.header("user-agent") == USER_AGENT


def test_base_url_trailing_slash_is_removed() -> None:
    config = ClientConfig(api_key=KEY, base_url="https://api.example.test/v1/")
    assert prepare(HttpRequest(method=Method.GET, url="/models"), config).url == (
        "https://api.example.test/v1/models"
    )


def test_config_is_a_value() -> None:
    assert resolved({}, api_key=KEY) == resolved({"TOGETHER_API_KEY": KEY})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CONFIG.api_key = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="base_url"):
        ClientConfig(api_key=KEY, base_url="/relative")
    assert isinstance(config_from_env({}), Failure)
