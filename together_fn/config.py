"""Client configuration as a value, resolved from explicit arguments and an environment mapping.

The environment is passed in (``config_from_env(os.environ)`` at the edge), so resolution is
pure and testable. Precedence for every setting: explicit argument, then environment, then
default. A missing API key is an :class:`AuthenticationError` before any request is built.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
from returns.result import Failure, Result, Success

from together_fn._version import __version__
from together_fn.errors import AuthenticationError, ConfigurationError, TogetherError
from together_fn.http import (
    SECRET_HEADERS,
    Headers,
    HttpRequest,
    JsonBody,
    Timeout,
    new_request,
    origin,
    to_headers,
)
from together_fn.retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.together.ai/v1"
DEFAULT_TIMEOUT = Timeout(connect=5.0, read=600.0)
USER_AGENT = f"together-fn/{__version__}"
DEFAULT_RETRY = RetryPolicy()

ENV_API_KEY = "TOGETHER_API_KEY"
ENV_BASE_URL = "TOGETHER_BASE_URL"
ENV_TIMEOUT = "TOGETHER_TIMEOUT"
ENV_MAX_RETRIES = "TOGETHER_MAX_RETRIES"


def _valid_base_url(_: object, __: object, value: str) -> None:
    scheme, host, _port = origin(value)
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {value!r}")


def _strip_slash(url: str) -> str:
    return url.rstrip("/")


def _server_pairs(
    value: Mapping[str, str] | tuple[tuple[str, str], ...],
) -> tuple[tuple[str, str], ...]:
    pairs = tuple(value.items()) if isinstance(value, Mapping) else tuple(value)
    for _name, url in pairs:
        _valid_base_url(None, None, url)
    return tuple((name, _strip_slash(url)) for name, url in pairs)


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a request needs that the builders leave out. The key is never shown."""

    api_key: str = attrs.field(repr=False)
    base_url: str = attrs.field(
        default=DEFAULT_BASE_URL, converter=_strip_slash, validator=_valid_base_url
    )
    timeout: Timeout = DEFAULT_TIMEOUT
    retry: RetryPolicy = DEFAULT_RETRY
    default_headers: Headers = attrs.field(default=(), converter=to_headers)
    user_agent: str = USER_AGENT
    #: Base URLs of the other API servers by name (``{"v2": ...}``); see :func:`server_url`.
    servers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_server_pairs)
    #: The headers :func:`prepare` adds, worked out once per config object: a memo, not part
    #: of the value (neither compared, hashed nor shown).
    _headers: dict[tuple[bool, bool], Headers] = attrs.field(
        factory=dict, init=False, repr=False, eq=False, hash=False
    )


def server_url(config: ClientConfig, server: str | None) -> str:
    """The base URL of ``server``: configured, else the base URL with its trailing ``/v1``
    replaced by ``/<server>``, else the base URL itself (a mock serving every path at its root).
    """
    if server is None:
        return config.base_url
    for name, url in config.servers:
        if name == server:
            return url
    if config.base_url.endswith("/v1"):
        return f"{config.base_url[: -len('/v1')]}/{server}"
    return config.base_url


def config_from_env(
    env: Mapping[str, str],
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float | Timeout | None = None,
    max_retries: int | None = None,
    retry: RetryPolicy | None = None,
    default_headers: Mapping[str, str] | None = None,
    user_agent: str | None = None,
) -> Result[ClientConfig, TogetherError]:
    """Resolve a :class:`ClientConfig`: explicit argument, then ``env``, then the default."""
    key = api_key or env.get(ENV_API_KEY)
    if not key:
        return Failure(
            AuthenticationError(
                message=f"no API key: pass api_key= or set the {ENV_API_KEY} environment variable"
            )
        )
    try:
        policy = retry or RetryPolicy()
        retries = max_retries if max_retries is not None else _env_int(env, ENV_MAX_RETRIES)
        if retries is not None:
            policy = attrs.evolve(policy, max_retries=retries)
        config = ClientConfig(
            api_key=key,
            base_url=base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL,
            timeout=_timeout(timeout if timeout is not None else _env_float(env, ENV_TIMEOUT)),
            retry=policy,
            default_headers=to_headers(default_headers),
            user_agent=user_agent or USER_AGENT,
        )
    except ValueError as exc:
        return Failure(ConfigurationError(message=str(exc)))
    return Success(config)


def _timeout(value: float | Timeout | None) -> Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, Timeout):
        return value
    return Timeout(connect=min(DEFAULT_TIMEOUT.connect, float(value)), read=float(value))


def _env_float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None


def _env_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def prepare(request: HttpRequest, config: ClientConfig) -> HttpRequest:
    """Make a builder's relative request absolute and add auth, user agent and timeout.

    A request that already carries an absolute URL (a signed upload URL, say) gets the
    ``Authorization`` header only when it points at the configured API's origin.
    """
    absolute = request.url.startswith(("http://", "https://"))
    url = request.url if absolute else server_url(config, request.server) + request.url
    # A relative URL is the API's own (on whichever of its servers): it gets the credentials.
    own = not absolute or origin(url) == origin(config.base_url)
    json_body = isinstance(request.body, JsonBody)
    headers = config._headers.get((own, json_body))
    if headers is None:
        headers = config._headers[own, json_body] = _config_headers(config, own, json_body)
    if request.headers:
        headers = _merge(headers, request.headers)
    # Made directly rather than with attrs.evolve, which inspects the class on every call.
    return new_request(
        method=request.method,
        url=url,
        query=request.query,
        headers=headers,
        body=request.body,
        timeout=request.timeout or config.timeout,
        server=request.server,
    )


def _config_headers(config: ClientConfig, own_origin: bool, json_body: bool) -> Headers:
    headers: Headers = (("accept", "application/json"), ("user-agent", config.user_agent))
    if json_body:
        headers += (("content-type", "application/json"),)
    # Each source replaces same-named headers of the one before (no duplicate user-agent),
    # and nothing secret from the config leaves the API's origin.
    if own_origin:
        headers = _merge(headers, config.default_headers)
        return _merge(headers, (("authorization", f"Bearer {config.api_key}"),))
    return _merge(headers, _without_secrets(config.default_headers))


def _without_secrets(headers: Headers) -> Headers:
    return tuple((k, v) for k, v in headers if k not in SECRET_HEADERS)


def _merge(defaults: Headers, own: Headers) -> Headers:
    names = {k for k, _ in own}
    return tuple((k, v) for k, v in defaults if k not in names) + own
