"""A pytest plugin: each test gets a Together client bound to a cassette named after it.

Installed with together_fn (entry point ``pytest11``), so the fixtures are simply there::

    def test_greeting(together_client):
        answer = together_client.chat.completions.create(model=..., messages=[...])
        assert "hello" in answer.choices[0].message.content.lower()

The first run with ``--together-record-mode=once`` and ``TOGETHER_API_KEY`` set records
``cassettes/<test module>/<test name>.yaml`` beside the test file; later runs replay it with
no key and no network. Modes follow pytest-recording: ``none`` (replay only: the default when
the ``CI`` variable is set), ``once`` (record a missing cassette, else replay: the default
elsewhere), ``new_episodes`` (replay, and record requests not in the cassette), ``all``
(send everything, replacing recordings of the same requests) and ``rewrite`` (start the
cassette afresh). ``Authorization`` is never written. ``@pytest.mark.together_cassette("name")``
picks another cassette (a name, or a path relative to the test file's directory).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from together_fn.client import AsyncTogether, Together
    from together_fn.executors.replay import RecordingTransport

MODES = ("none", "once", "new_episodes", "all", "rewrite")
#: The key a replaying client uses when none is set: cassettes never hold the real one.
REPLAY_KEY = "replay-without-a-key"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("together_fn", "Together cassettes")
    group.addoption(
        "--together-record-mode",
        choices=MODES,
        default=None,
        help="how the together_client fixtures use cassettes "
        "(default: none when $CI is set, else once)",
    )
    parser.addini(
        "together_cassette_dir",
        "folder of cassettes, relative to each test file (default: cassettes)",
        default="cassettes",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "together_cassette(name): the cassette a test's Together client uses"
    )


@pytest.fixture
def together_record_mode(request: pytest.FixtureRequest) -> str:
    """The record mode in force (``--together-record-mode``, else by ``$CI``)."""
    chosen: str | None = request.config.getoption("--together-record-mode")
    return chosen or ("none" if os.environ.get("CI") else "once")


@pytest.fixture
def together_cassette(request: pytest.FixtureRequest) -> Path:
    """The cassette of this test: ``<dir>/<test module>/<test name>.yaml`` beside the test."""
    folder = request.path.parent
    marker = request.node.get_closest_marker("together_cassette")
    if marker is not None and marker.args:
        name = str(marker.args[0])
        path = folder / name
        return path if path.suffix in (".yaml", ".yml") else path.with_suffix(".yaml")
    base = folder / str(request.config.getini("together_cassette_dir"))
    return base / request.path.stem / f"{_safe(request.node.name)}.yaml"


def _safe(name: str) -> str:
    # Parametrized ids carry brackets, slashes and spaces; keep names portable.
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "test"


def _recording(inner: Any, cassette: Path, mode: str) -> RecordingTransport:
    from together_fn.executors.replay import RecordingTransport

    if mode == "rewrite":
        cassette.unlink(missing_ok=True)
        mode = "all"
    cassette.parent.mkdir(parents=True, exist_ok=True)
    return RecordingTransport(inner, cassette, mode=mode)  # type: ignore[arg-type]


def _api_key(mode: str, cassette: Path) -> str:
    key = os.environ.get("TOGETHER_API_KEY")
    if key:
        return key
    if mode == "none" or (mode == "once" and cassette.exists()):
        return REPLAY_KEY  # only replays: "once" never records into an existing cassette
    raise pytest.UsageError(
        f"--together-record-mode={mode} may record: set TOGETHER_API_KEY, or replay with "
        "--together-record-mode=none"
    )


@pytest.fixture
def together_transport(together_cassette: Path, together_record_mode: str) -> RecordingTransport:
    """A sync and async transport that replays (and, as the mode allows, records) the
    test's cassette, sending what it records over ``requests``."""
    from together_fn.executors.requests_transport import RequestsTransport

    return _recording(RequestsTransport(), together_cassette, together_record_mode)


@pytest.fixture
def together_client(
    together_transport: RecordingTransport, together_cassette: Path, together_record_mode: str
) -> Iterator[Together]:
    """A :class:`~together_fn.Together` client bound to the test's cassette."""
    from together_fn.client import Together

    key = _api_key(together_record_mode, together_cassette)
    with Together(api_key=key, transport=together_transport) as client:
        yield client


@pytest.fixture
def async_together_client(together_cassette: Path, together_record_mode: str) -> AsyncTogether:
    """An :class:`~together_fn.AsyncTogether` client bound to the test's cassette
    (recording over ``aiohttp``)."""
    from together_fn.client import AsyncTogether
    from together_fn.executors.aiohttp_transport import AiohttpTransport

    key = _api_key(together_record_mode, together_cassette)
    transport = _recording(AiohttpTransport(), together_cassette, together_record_mode)
    return AsyncTogether(api_key=key, transport=transport)
