"""Performing a parsed command line: configuration, transport, the call, output and files.

Everything here runs on behalf of ``main``: it reads the environment mapping it is given,
writes through a :class:`Console` and returns the exit status.
"""

from __future__ import annotations

import json
import os
import tempfile
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from returns.result import Failure, Result, Success

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
from together_fn.http import HttpRequest

if TYPE_CHECKING:
    from together_fn.cli.main import GlobalArgs, Invocation

EXIT_OK = 0
#: The API (or the network, or a cassette) answered with an error.
EXIT_API_ERROR = 1
#: The command line does not parse, or the configuration is unusable (no API key, say).
EXIT_USAGE = 2
#: A parameter value (or a file) was rejected before anything was sent (``--top-p 2``, say).
EXIT_INVALID = 3
EXIT_INTERRUPTED = 130

#: Stands in for the key when none is needed (a dry run, a replay); it is never sent anywhere.
PLACEHOLDER_KEY = "no-key-needed"


#: Shows nothing of its own: for dry runs of commands that act by themselves.
NOTHING = Command(name="", summary="", options=object)


class Console:
    """Where output goes: stdout and stderr, each with the secrets scrubbed out."""

    def __init__(
        self,
        stdout: TextIO,
        stderr: TextIO,
        secrets: frozenset[str],
        stdin: TextIO | None = None,
    ) -> None:
        self._out, self._err, self._secrets = stdout, stderr, secrets
        self.stdin = stdin

    def write(self, text: str) -> None:
        """Text to stdout, flushed (a stream's chunks show as they arrive)."""
        self._out.write(scrub(text, self._secrets))
        self._out.flush()

    def error(self, text: str) -> None:
        """One line (or a traceback) to stderr."""
        self._err.write(scrub(text.rstrip("\n") + "\n", self._secrets))
        self._err.flush()

    def note(self, text: str) -> None:
        """Text to stderr as it is (a prompt, say): diagnostics never go to stdout."""
        self._err.write(scrub(text, self._secrets))
        self._err.flush()

    @property
    def errors(self) -> TextIO:
        """stderr itself, for progress bars."""
        return self._err

    def interactive(self) -> bool:
        """Whether a person is typing at stdin (prompts and confirmations make sense)."""
        isatty = getattr(self.stdin, "isatty", None)
        return bool(isatty and isatty())


class Runner:
    """Performs calls for a command: prints them (``--dry-run``) or sends and shows them."""

    def __init__(
        self,
        options: GlobalArgs,
        config: ClientConfig,
        console: Console,
        executor: Executor | None,
    ) -> None:
        self.options, self.config, self.console = options, config, console
        self.executor = executor

    def perform(self, call: Call[Any] | StreamCall[Any], command: Command, args: Any) -> int:
        """Perform ``call`` and show its answer; the exit status."""
        return self.answer(call, command, args)[0]

    def answer(
        self, call: Call[Any] | StreamCall[Any], command: Command, args: Any
    ) -> tuple[int, Any]:
        """Perform ``call``, show it; the status and the answer (a stream's chunks as a tuple).

        The answer is ``None`` when there is none: a dry run, or a failure.
        """
        if self.options.dry_run or self.executor is None:
            return self.show_request(call.request), None
        as_json = self.options.json or bool(getattr(args, "raw", False))
        try:
            if isinstance(call, StreamCall):
                return self._stream(call, command, args, as_json)
            return self._once(call, command, args, as_json)
        except TogetherError as error:  # raised by a transport: a cassette without the request
            return self.failed(error), None

    def result(self, call: Call[Any]) -> Result[Any, TogetherError]:
        """Perform ``call`` (not a dry run) and return its result, showing nothing."""
        assert self.executor is not None, "a dry run performs nothing"
        try:
            return self.executor.execute(call).result
        except TogetherError as error:  # raised by a transport: a cassette without the request
            return Failure(error)

    def show(self, value: Any, command: Command, args: Any) -> int:
        """Print an answer as the command shows it (or as JSON); exit status 0."""
        text = to_json(value) if self.options.json else command.render(value, args)
        self.console.write(text + "\n")
        return EXIT_OK

    def download(
        self, call: Call[Any], destination: str, *, overwrite: bool, fallback: str | None = None
    ) -> int:
        """Save ``call``'s body under ``destination`` (a directory or a file path); print where."""
        if self.options.dry_run or self.executor is None:
            return self.answer(call, NOTHING, None)[0]
        from together_fn.executors.download import download

        try:
            outcome = download(
                self.executor,
                call,
                destination,
                overwrite=overwrite,
                progress=True if self.bars() else None,
                fallback_name=fallback,
            )
        except TogetherError as error:
            return self.failed(error)
        match outcome:
            case Success(saved):
                if self.options.json:
                    facts = {"path": saved.path, "size": saved.size, "sha256": saved.sha256}
                    self.console.write(json.dumps(facts, indent=2) + "\n")
                else:
                    self.console.write(f"{saved.path}\n")
                return EXIT_OK
            case Failure(error):
                return self.failed(error)
        raise AssertionError("unreachable")  # pragma: no cover

    def bars(self) -> bool:
        """Whether to draw progress bars: only for a person watching stderr."""
        isatty = getattr(self.console.errors, "isatty", None)
        return bool(isatty and isatty())

    def show_request(self, request: HttpRequest) -> int:
        """Print a request as a dry run does (prepared, the key redacted); exit status 0."""
        prepared = prepare(request, self.config)
        render = render_request_json if self.options.json else render_request
        self.console.write(render(prepared) + "\n")
        return EXIT_OK

    def failed(self, error: TogetherError) -> int:
        """Report ``error`` on one line (more with ``--debug``); the exit status."""
        self.console.error(error_line(error))
        if self.options.debug:
            self.console.error(repr(error))
            if isinstance(error, APIStatusError) and error.body:
                self.console.error("body: " + error.body[:4000].decode("utf-8", "replace"))
        return EXIT_API_ERROR

    def _once(self, call: Call[Any], command: Command, args: Any, as_json: bool) -> tuple[int, Any]:
        assert self.executor is not None
        match self.executor.execute(call).result:
            case Failure(error):
                return self.failed(error), None
            case Success(answer):
                pass
        try:
            for file in command.files(answer, args):
                save(file)
            value = command.select(answer, args)
        except (OSError, ValueError) as problem:
            self.console.error(f"error: could not save the output: {problem}")
            return EXIT_API_ERROR, None
        self.console.write((to_json(value) if as_json else command.render(value, args)) + "\n")
        return EXIT_OK, value

    def _stream(
        self, call: StreamCall[Any], command: Command, args: Any, as_json: bool
    ) -> tuple[int, Any]:
        assert self.executor is not None
        render_chunk = command.render_chunk or (lambda chunk, _args: to_json_line(chunk) + "\n")
        chunks = []
        last = "\n"  # the last character written, so the output ends with exactly one newline
        try:
            with self.executor.stream(call) as results:
                for result in results:
                    match result:
                        case Success(chunk):
                            chunks.append(chunk)
                            text = (
                                to_json_line(chunk) + "\n" if as_json else render_chunk(chunk, args)
                            )
                            if text:
                                self.console.write(text)
                                last = text[-1]
                        case Failure(error):
                            self._end_line(last)
                            last = "\n"
                            return self.failed(error), None
        finally:
            # Also on Ctrl-C or a cassette miss: the prompt starts on a line of its own.
            self._end_line(last)
        return EXIT_OK, tuple(chunks)

    def _end_line(self, last: str) -> None:
        if last != "\n":
            self.console.write("\n")


def run(
    invocation: Invocation,
    env: Mapping[str, str],
    console: Console,
    transport: SyncTransport | None = None,
) -> int:
    """Build the call, then print it (``--dry-run``) or perform it; the exit status."""
    options, command, args = invocation.options, invocation.command, invocation.args
    try:
        call = command.to_call(args) if command.action is None and command.to_call else None
    except (ValueError, TypeError) as problem:
        return invalid(console, problem, options.debug)
    resolved = _config(options, env, needless=command.offline)
    if isinstance(resolved, str):
        console.error(f"together-fn: error: {resolved}")
        return EXIT_USAGE
    executor = None
    if not (options.dry_run or command.offline):
        chosen = _transport(options, transport)
        if isinstance(chosen, str):
            console.error(f"together-fn: error: {chosen}")
            return EXIT_USAGE
        executor = Executor(chosen, resolved)
    runner = Runner(options, resolved, console, executor)
    try:
        if command.action is not None:
            try:
                return command.action(args, runner)
            except (ValueError, TypeError) as problem:
                return invalid(console, problem, options.debug)
        assert call is not None
        return runner.perform(call, command, args)
    finally:
        if executor is not None and (transport is None or options.replay or options.record):
            executor.close()


def invalid(console: Console, problem: Exception, debug: bool) -> int:
    """Report a value rejected before sending; the exit status."""
    if debug:
        console.error(traceback.format_exc())
    console.error(f"together-fn: invalid value: {problem}")
    return EXIT_INVALID


def _config(options: GlobalArgs, env: Mapping[str, str], needless: bool) -> ClientConfig | str:
    needless = needless or options.dry_run or options.replay is not None
    key = options.api_key or env.get(ENV_API_KEY) or (PLACEHOLDER_KEY if needless else None)
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
