"""The API key, audited: it appears nowhere but in the ``Authorization`` header to the API.

A unique fake key goes through representative calls, failures, retries, streams, redirects,
recordings and command lines, with every logger at DEBUG. Then everything a user or an
operator could see is searched for it: exception text and ``repr``, formatted tracebacks,
log records, stdout/stderr, cassette files, and what arrived at another origin.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.executors.loopback import (
    Loopback,
    cut_short,
    json_reply,
    redirect,
    reset,
    respond,
    slow,
    stream,
)
from tests.faults.conftest import FaultServer
from tests.faults.runners import FAST
from tests.faults.scenarios import COMPLETION
from tests.faults.streams import AB, event
from together_fn import api, errors
from together_fn.cli.main import main
from together_fn.client import AsyncTogether, Together
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.replay import RecordingTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.http import Timeout

KEY = "tk-audit-5e1f0c9a7b3d4e2f8a6c1b0d9e7f3a2c"
CHAT: dict[str, Any] = {"model": "audit/model", "messages": [{"role": "user", "content": "hi"}]}
PATH = "/v1/chat/completions"
ECHO = json.dumps({"error": {"message": f"Invalid API key provided: {KEY}", "code": KEY}}).encode()


class Everything(logging.Handler):
    """Keeps every record, formatted as an operator's log file would show it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Everything]:
    caplog.set_level(logging.DEBUG)
    handler = Everything()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.fixture
def api_server() -> Iterator[Loopback]:
    with FaultServer(lifetime=60.0) as running:
        yield running


@pytest.fixture
def elsewhere() -> Iterator[Loopback]:
    with FaultServer(lifetime=60.0) as running:
        yield running


def exposed(error: BaseException) -> str:
    """Everything an exception shows: text, repr and traceback, with its chained causes."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    seen = error.__cause__ or error.__context__
    while seen is not None:
        shown += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(shown)


def raised(action: Any) -> BaseException:
    try:
        action()
    except Exception as error:  # what a user's except clause would catch
        return error
    raise AssertionError("expected an error")


SCRIPTS: dict[str, tuple[Any, ...]] = {
    "ok": (json_reply(COMPLETION),),
    "unauthorized": (
        respond(401, b'{"error": {"message": "Invalid API key provided: tk-au****3a2c"}}'),
    ),
    "retried-then-ok": (
        respond(429, b"{}", headers=[("Retry-After", "0")]),
        json_reply(COMPLETION),
    ),
    "server-error": (respond(500, b'{"error": "boom"}'),),
    "reset": (reset(),),
    "cut-short": (cut_short(b'{"id": "x', declared=300),),
    "malformed": (respond(200, b"<html>portal</html>", content_type="text/html"),),
    # Servers that echo the key they were sent, in an error and in a page we cannot decode.
    "echoed-in-an-error": (respond(401, ECHO, headers=[("x-echo", KEY)]),),
    "echoed-in-a-bad-200": (respond(200, b"<html>" + KEY.encode(), content_type="text/html"),),
}


def sync_client(server: Loopback, read: float = 2.0) -> Together:
    return Together(
        KEY,
        base_url=f"{server.url}/v1",
        retry=FAST,
        timeout=Timeout(connect=2.0, read=read),
        transport=RequestsTransport(trust_env=False),
        env={},
    )


def async_client(server: Loopback) -> AsyncTogether:
    return AsyncTogether(
        KEY,
        base_url=f"{server.url}/v1",
        retry=FAST,
        transport=AiohttpTransport(trust_env=False),
        env={},
    )


def test_calls_failures_retries_streams_and_redirects_leak_nothing(
    api_server: Loopback, elsewhere: Loopback, logs: Everything, tmp_path: Path
) -> None:
    shown: list[str] = []
    with sync_client(api_server) as client:
        for name, script in SCRIPTS.items():
            api_server.route(PATH, *script)
            if name in ("ok", "retried-then-ok"):
                shown.append(repr(client.chat.completions.create(**CHAT)))
                continue
            shown.append(exposed(raised(lambda: client.chat.completions.create(**CHAT))))
        # Streams: whole, and broken off by an error event.
        api_server.route(PATH, stream([AB]))
        with client.chat.completions.create(stream=True, **CHAT) as chunks:
            shown += [repr(chunk) for chunk in chunks]
        broken_streams = (
            stream([event("a"), b'data: {"error": {"message": "x"}}\n\n']),
            stream([event("a"), b"data: " + ECHO + b"\n\n"]),
            respond(401, ECHO),
        )
        for broken in broken_streams:
            api_server.route(PATH, broken)
            shown.append(
                exposed(raised(lambda: list(client.chat.completions.create(stream=True, **CHAT))))
            )
        # A redirect to another origin, with the request and the exchange shown.
        api_server.route(PATH, redirect(f"{elsewhere.url}/landing", status=307))
        elsewhere.route("/landing", json_reply(COMPLETION))
        exchange = client.execute(api.chat.create_chat_completion(**CHAT))
        shown.append(repr(exchange))
        shown.append(repr(api.chat.create_chat_completion(**CHAT)))
        shown.append(repr(client.config))
        # A stream redirected to another origin.
        api_server.route(PATH, redirect(f"{elsewhere.url}/streamed", status=307))
        elsewhere.route("/streamed", stream([AB]))
        with client.chat.completions.create(stream=True, **CHAT) as chunks:
            shown += [repr(chunk) for chunk in chunks]
    with sync_client(api_server, read=0.2) as impatient:
        api_server.route(PATH, slow(1.0, json_reply(COMPLETION)))
        shown.append(exposed(raised(lambda: impatient.chat.completions.create(**CHAT))))
        api_server.route(PATH, _stall())
        shown.append(exposed(raised(lambda: impatient.chat.completions.create(**CHAT))))

    async def the_async_side() -> None:
        async with async_client(api_server) as client:
            for script in SCRIPTS.values():
                api_server.route(PATH, *script)
                try:
                    shown.append(repr(await client.chat.completions.create(**CHAT)))
                except Exception as error:
                    shown.append(exposed(error))

    asyncio.run(the_async_side())

    for text in shown:
        assert KEY not in text, text[:2000]
    for line in logs.lines:
        assert KEY not in line, line
    assert logs.lines, "nothing was logged at DEBUG: the audit saw no log records"
    arrived = elsewhere.requests_to("/landing") + elsewhere.requests_to("/streamed")
    assert len(arrived) == 2
    for request in arrived:
        assert all(KEY not in value for _, value in request.headers)
        assert KEY.encode() not in request.body
    # ... while the API itself did get the key: the audit would notice a key never sent.
    assert api_server.received[0].header("authorization") == f"Bearer {KEY}"


def _stall() -> Any:
    # The head, then a body that stops coming.
    return stream([b"{", lambda wire: wire.pause(1.0)], content_type="application/json")


def test_cassettes_never_hold_the_key(api_server: Loopback, tmp_path: Path) -> None:
    # The server echoes the key back in a header and in the body: it must still not be kept.
    echoed = json_reply({**COMPLETION, "echo": f"Bearer {KEY}"}, headers=[("x-echo", KEY)])
    api_server.route(PATH, echoed)
    cassette = tmp_path / "audit.yaml"
    recording = RecordingTransport(RequestsTransport(trust_env=False), cassette, mode="all")
    with Together(KEY, base_url=f"{api_server.url}/v1", transport=recording, env={}) as client:
        client.chat.completions.create(**CHAT)
        api_server.route(PATH, respond(401, b'{"error": {"message": "bad key"}}'))
        raised(lambda: client.chat.completions.create(**CHAT))
    text = cassette.read_text()
    assert "interactions" in text
    assert KEY not in text


def run_cli(argv: list[str], server: Loopback | None = None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"TOGETHER_API_KEY": KEY}
    if server is not None:
        env["TOGETHER_BASE_URL"] = f"{server.url}/v1"
    code = main(argv, env=env, stdout=out, stderr=err, transport=RequestsTransport(trust_env=False))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["--dry-run", "models", "list"],
        ["--dry-run", "--debug", "embeddings", "--model", "m", "--input", "x"],
        ["--debug", "models", "list"],
        ["models", "list"],
        ["--debug", "--max-retries", "1", "embeddings", "--model", "m", "--input", "x"],
        ["--api-key", KEY, "--debug", "models", "list"],
    ],
    ids=["dry-run", "dry-run-debug", "failing-debug", "failing", "retried-debug", "key-in-argv"],
)
def test_command_lines_never_print_the_key(
    argv: list[str], api_server: Loopback, logs: Everything
) -> None:
    api_server.route("/v1/models", respond(401, b'{"error": {"message": "Invalid API key"}}'))
    api_server.route("/v1/embeddings", respond(503, b"<html>busy</html>", content_type="text/html"))
    code, printed = run_cli(argv, api_server)
    assert printed.strip()
    assert KEY not in printed, printed
    assert all(KEY not in line for line in logs.lines)
    if "--dry-run" in argv:
        assert code == 0
        assert "<redacted>" in printed
    else:
        assert code != 0


# --- every error class: str and repr are total, bounded and secret-free --------------------


def error_classes() -> list[type[errors.TogetherError]]:
    found = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.TogetherError)
    }
    return sorted(found, key=lambda cls: cls.__name__)


ODD_VALUES: dict[type, list[Any]] = {
    str: ["", "\x00\udcff\u202e", "x" * 100_000, "{}%s%(x)s"],
    int: [0, -1, 2**70],
    float: [0.0, -1.0, float("nan"), float("inf")],
    bytes: [b"", b"\xff\xfe\x00", b"<html>" * 20_000],
}


KINDS = {"str": str, "int": int, "float": float, "bytes": bytes}


def odd_instances(cls: type[errors.TogetherError]) -> Iterator[errors.TogetherError]:
    for index in range(4):
        kwargs: dict[str, Any] = {}
        for field in attrs.fields(cls):
            declared = str(field.type)
            for name, python in KINDS.items():
                if declared.startswith(name):
                    values = ODD_VALUES[python]
                    kwargs[field.name] = values[index % len(values)]
                    break
            else:
                if "None" in declared:
                    kwargs[field.name] = None
                elif "tuple" in declared and field.name == "problems":
                    kwargs[field.name] = ("\udcff", "y" * 10_000) * (index + 1)
                elif "tuple" in declared:
                    kwargs[field.name] = (("x-request-id", "\x00" * index),)
        yield cls(**kwargs)


@pytest.mark.parametrize("cls", error_classes(), ids=lambda c: c.__name__)
def test_str_and_repr_of_every_error_are_total(cls: type[errors.TogetherError]) -> None:
    def show_all() -> list[str]:
        shown = []
        for error in odd_instances(cls):
            shown += [str(error), repr(error), "".join(traceback.format_exception(error))]
        return shown

    async def in_a_loop() -> list[str]:
        return show_all()

    assert show_all() == asyncio.run(in_a_loop())
    assert show_all()
