"""Properties are pure: no network, no sleeping, and a fixed, reproducible Hypothesis budget.

Each test also sets ``max_examples`` itself, so the time the fuzzers take in CI is bounded
whatever profile is loaded.
"""

from __future__ import annotations

import os
import socket
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("property tests must not touch the network")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every outgoing connection fail loudly."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
