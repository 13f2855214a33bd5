"""Unit tests are pure: no network, no sleeping, and a fixed Hypothesis budget."""

from __future__ import annotations

import os
import socket
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, settings

# A fixed, reproducible budget: the same examples on every run and every machine.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# For hunting bugs locally: HYPOTHESIS_PROFILE=explore pytest tests/unit
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class NetworkAccessError(RuntimeError):
    """A unit test tried to open a connection."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise NetworkAccessError("unit tests must not touch the network")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every outgoing connection fail loudly (monkeypatch undoes it after the test)."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
