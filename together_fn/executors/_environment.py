"""Proxy and CA-bundle settings from the environment, read once per transport.

Both HTTP libraries re-read the environment (and ``.netrc``) on every request when they
"trust" it, which costs more CPU than the rest of a small call. A transport reads it here
once, when it is made, and looks proxies up per origin from then on.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

#: The variables ``requests`` (and curl) read for a CA bundle, in order.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class EnvironmentSettings:
    """Proxies (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) and a CA bundle, read once.

    ``environ`` defaults to the process environment; tests pass a mapping.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._proxies = _proxies(env)
        self.ca_bundle: str | None = next((env[v] for v in CA_BUNDLE_VARIABLES if env.get(v)), None)
        self._by_origin: dict[tuple[str, str], str | None] = {}

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL to reach ``url`` through, or ``None`` to connect directly."""
        if not self._proxies:
            return None  # no proxy variables: the common case costs no URL parsing
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._by_origin:
            self._by_origin[key] = self._lookup(parts.scheme, parts.hostname or "", parts.port)
        return self._by_origin[key]

    def _lookup(self, scheme: str, host: str, port: int | None) -> str | None:
        proxy = self._proxies.get(scheme) or self._proxies.get("all")
        if proxy is None:
            return None
        if bypassed(host, port, self._proxies.get("no", "")):
            return None
        return proxy


def bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` exempts ``host`` (``*``, a domain and its subdomains, an
    optional ``:port``, an IP address or a CIDR network)."""
    host = host.lower().strip("[]")
    address = _address(host)
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
        if entry_port and str(port) != entry_port:
            continue
        name = name.strip("[]")
        if address is not None and "/" in name:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                pass
            continue
        domain = name.lstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _has_port(entry: str) -> bool:
    # "host:port" or "[v6]:port", but not a bare IPv6 address.
    head, colon, tail = entry.rpartition(":")
    return bool(colon) and tail.isdigit() and (head.endswith("]") or ":" not in head)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _proxies(env: Mapping[str, str]) -> dict[str, str]:
    # The rules of urllib.request.getproxies_environment, applied to the mapping given:
    # lower-case names win, and a CGI request's HTTP_PROXY header is never a proxy setting.
    found: dict[str, str] = {}
    for name, value in env.items():
        lower = name.lower()
        if value and lower.endswith("_proxy") and name in (lower, lower.upper()):
            found.setdefault(lower[: -len("_proxy")], value)
    for name, value in env.items():
        if value and name.islower() and name.endswith("_proxy"):
            found[name[: -len("_proxy")]] = value
    if "REQUEST_METHOD" in env:
        found.pop("http", None)
    return found
