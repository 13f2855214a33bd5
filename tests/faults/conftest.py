"""Fixtures of the fault suite: two loopback servers (two origins), shared by the tests of a
module and wiped clean before each test."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.executors.loopback import Loopback


class FaultServer(Loopback):
    """The loopback server, answering without Nagle's delay, and reusable between tests.

    A head and a body written separately would otherwise wait for the client's delayed
    acknowledgement (about 40 ms) on every kept-alive request: time, not a fault.
    """

    def _connection(self, conn: socket.socket, ident: int) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super()._connection(conn, ident)

    def forget(self) -> None:
        """Drop every route, hit count and recorded request."""
        with self._lock:
            self._scripts.clear()
            self._hits.clear()
            self.received.clear()


@pytest.fixture(scope="module")
def _servers() -> Iterator[tuple[FaultServer, FaultServer]]:
    api, elsewhere = FaultServer(lifetime=300.0), FaultServer(lifetime=300.0)
    with api, elsewhere:
        yield api, elsewhere


@pytest.fixture
def server(_servers: tuple[FaultServer, FaultServer]) -> FaultServer:
    """The API's origin, with no routes yet."""
    _servers[0].forget()
    return _servers[0]


@pytest.fixture
def other(_servers: tuple[FaultServer, FaultServer]) -> FaultServer:
    """Another origin, where redirects point."""
    _servers[1].forget()
    return _servers[1]
