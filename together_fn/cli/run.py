"""Performing a parsed command line: configuration, transport, the call, output and files.

Everything here runs on behalf of ``main``: it reads the environment mapping it is given,
writes through a :class:`Console` and returns the exit status.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from returns.result import Failure, Success

from together_fn.calls import Call, StreamCall
from together_fn.cli.common import Command, OutputFile
from together_fn.cli.output import (
    error_line,
    render_request,
    render_request_json,
    scrub,
    to_json,
    to_json_line,
)
from together_fn.config import ENV_API_KEY, ClientConfig, config_from_env, prepare
from together_fn.errors import APIStatusError, AuthenticationError, TogetherError
from together_fn.executors.base import Executor, SyncTransport

if TYPE_CHECKING:
    from together_fn.cli.main import GlobalArgs, Invocation

EXIT_OK = 0
#: The API (or the network, or a cassette) answered with an error.
EXIT_API_ERROR = 1
#: The command line does not parse, or the configuration is unusable (no API key, say).
EXIT_USAGE = 2
#: A parameter value was rejected before anything was sent (``--top-p 2``, say).
EXIT_INVALID = 3
EXIT_INTERRUPTED = 130

#: Stands in for the key in a dry run without one; the printed request redacts it anyway.
DRY_RUN_KEY = "dry-run-without-a-key"


class Console:
    """Where output goes: stdout and stderr, each with the secrets scrubbed out."""

    def __init__(self, stdout: TextIO, stderr: TextIO, secrets: frozenset[str]) -> None:
        self._out, self._err, self._secrets = stdout, stderr, secrets

    def write(self, text: str) -> None:
        """Text to stdout, flushed (a stream's chunks show as they arrive)."""
        self._out.write(scrub(text, self._secrets))
        self._out.flush()

    def error(self, text: str) -> None:
        """One line (or a traceback) to stderr."""
        self._err.write(scrub(text.rstrip("\n") + "\n", self._secrets))
        self._err.flush()


def run(
    invocation: Invocation,
    env: Mapping[str, str],
    console: Console,
    transport: SyncTransport | None = None,
) -> int:
    """Build the call, then print it (``--dry-run``) or perform it; the exit status."""
    options, command, args = invocation.options, invocation.command, invocation.args
    try:
        call = command.to_call(args)
    except (ValueError, TypeError) as problem:
        if options.debug:
            console.error(traceback.format_exc())
        console.error(f"together-fn: invalid value: {problem}")
        return EXIT_INVALID
    resolved = _config(options, env)
    if isinstance(resolved, str):
        console.error(f"together-fn: error: {resolved}")
        return EXIT_USAGE
    if options.dry_run:
        request = prepare(call.request, resolved)
        console.write((render_request_json if options.json else render_request)(request) + "\n")
        return EXIT_OK
    chosen = _transport(options, transport)
    if isinstance(chosen, str):
        console.error(f"together-fn: error: {chosen}")
        return EXIT_USAGE
    executor = Executor(chosen, resolved)
    as_json = options.json or bool(getattr(args, "raw", False))
    try:
        if isinstance(call, StreamCall):
            return _stream(executor, call, command, args, console, as_json, options.debug)
        return _once(executor, call, command, args, console, as_json, options.debug)
    finally:
        if transport is None or options.replay or options.record:
            executor.close()


def _config(options: GlobalArgs, env: Mapping[str, str]) -> ClientConfig | str:
    key = options.api_key or env.get(ENV_API_KEY) or (DRY_RUN_KEY if options.dry_run else None)
    match config_from_env(
        env,
        api_key=key,
        base_url=options.base_url,
        timeout=options.timeout,
        max_retries=options.max_retries,
    ):
        case Success(config):
            return config  # type: ignore[no-any-return]
        case Failure(AuthenticationError()):
            return f"no API key: pass --api-key KEY or set {ENV_API_KEY} (or use --dry-run)"
        case Failure(problem):
            return f"invalid configuration: {problem}"
    raise AssertionError("unreachable")  # pragma: no cover


def _transport(options: GlobalArgs, given: SyncTransport | None) -> SyncTransport | str:
    from together_fn.executors.replay import CassetteError, RecordingTransport, ReplayTransport

    try:
        if options.replay:
            return ReplayTransport(options.replay)
        if given is None:
            from together_fn.executors.requests_transport import RequestsTransport

            given = RequestsTransport()
        if options.record:
            # "all": a recording run always sends, replacing earlier recordings of a request.
            return RecordingTransport(given, options.record, mode="all")
    except CassetteError as problem:
        return str(problem)
    return given


def _failed(console: Console, error: TogetherError, debug: bool) -> int:
    console.error(error_line(error))
    if debug:
        console.error(repr(error))
        if isinstance(error, APIStatusError) and error.body:
            console.error("body: " + error.body[:4000].decode("utf-8", "replace"))
    return EXIT_API_ERROR


def _once(
    executor: Executor,
    call: Call[Any],
    command: Command,
    args: Any,
    console: Console,
    as_json: bool,
    debug: bool,
) -> int:
    match executor.execute(call).result:
        case Failure(error):
            return _failed(console, error, debug)
        case Success(answer):
            value = command.select(answer, args)
    try:
        for file in command.files(value, args):
            save(file)
    except (OSError, ValueError) as problem:
        console.error(f"error: could not save the output: {problem}")
        return EXIT_API_ERROR
    console.write((to_json(value) if as_json else command.render(value, args)) + "\n")
    return EXIT_OK


def _stream(
    executor: Executor,
    call: StreamCall[Any],
    command: Command,
    args: Any,
    console: Console,
    as_json: bool,
    debug: bool,
) -> int:
    render_chunk = command.render_chunk or (lambda chunk, _args: to_json_line(chunk) + "\n")
    last = "\n"  # the last character written, so the output ends with exactly one newline
    with executor.stream(call) as results:
        for result in results:
            match result:
                case Success(chunk):
                    text = to_json_line(chunk) + "\n" if as_json else render_chunk(chunk, args)
                    if text:
                        console.write(text)
                        last = text[-1]
                case Failure(error):
                    if last != "\n":
                        console.write("\n")
                    return _failed(console, error, debug)
    if last != "\n":
        console.write("\n")
    return EXIT_OK


def save(file: OutputFile) -> None:
    """Write ``file`` atomically: to a temporary file beside it, then renamed into place."""
    target = Path(file.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(file.data)
        os.chmod(temp, 0o644)  # mkstemp's 0600 would surprise whoever opens the image
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
