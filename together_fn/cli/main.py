"""``together-fn``: the command line. Parsing is two-stage and pure; :func:`main` does the I/O.

Stage 1 reads the global options (plain ``argparse``) up to the command; stage 2 parses the
command's own arguments into its options dataclass (``argparse_dataclass``). The command
then builds a Call (pure), ``main`` performs it and prints the command's rendering.
"""

import argparse
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import attrs

from together_fn._version import __version__
from together_fn.cli import (
    audio,
    batches,
    bulk,
    chat,
    completions,
    embeddings,
    endpoints,
    evaluation,
    files,
    fine_tunes,
    images,
    models,
    rerank,
)
from together_fn.cli.common import Command, HelpRequested, Quiet, UsageError, parse_options
from together_fn.cli.run import (
    EXIT_API_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    run,
)
from together_fn.config import ENV_API_KEY
from together_fn.executors.base import SyncTransport

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        chat.COMMAND,
        chat.SESSION,
        completions.COMMAND,
        embeddings.COMMAND,
        rerank.COMMAND,
        images.COMMAND,
        models.LIST,
        models.UPLOAD,
        *audio.COMMANDS,
        *files.COMMANDS,
        *fine_tunes.COMMANDS,
        *batches.COMMANDS,
        *endpoints.COMMANDS,
        *evaluation.COMMANDS,
        *bulk.COMMANDS,
    )
}
#: Other spellings of a command (the old CLI's docs use both).
ALIASES = {"chat completions": "chat.completions"}
#: First words of two-word commands.
GROUPS = frozenset(name.split(" ")[0] for name in (*COMMANDS, *ALIASES) if " " in name)

#: Options whose values are secrets: scrubbed from everything printed.
SECRET_OPTIONS = ("--api-key", "--hf-token", "--hf-api-token", "--wandb-api-key")
#: Shorter values are not scrubbed (replacing every "x" in the output would hide nothing).
MIN_SECRET_LENGTH = 8


@attrs.frozen(kw_only=True)
class GlobalArgs:
    """The options that come before the command."""

    api_key: str | None = attrs.field(default=None, repr=False)
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    json: bool = False
    dry_run: bool = False
    replay: str | None = None
    record: str | None = None
    debug: bool = False


@attrs.frozen(kw_only=True)
class Invocation:
    """A parsed command line: global options, the command and its options."""

    options: GlobalArgs
    command: Command
    args: Any


class _GlobalParser(Quiet, argparse.ArgumentParser):
    """Stage 1: global options, then the command word(s) and everything after them."""


_EPILOG = """commands:
{commands}

Run "together-fn COMMAND --help" for a command's options. Global options go before the
command. The API key comes from --api-key or TOGETHER_API_KEY, the base URL from
--base-url or TOGETHER_BASE_URL.

exit status:
  0    ok
  1    the API, the network or a cassette answered with an error (or a confirmation
       was declined)
  2    usage error: bad arguments, no API key, unusable configuration or cassette
  3    validation failure: a value, or a file checked before upload, was rejected
       before anything was sent
  130  interrupted (Ctrl-C)"""


def _global_parser() -> _GlobalParser:
    width = max(len(name) for name in COMMANDS)
    listing = "\n".join(f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS.values())
    parser = _GlobalParser(
        prog="together-fn",
        description="Call the Together AI API from the command line.",
        epilog=_EPILOG.format(commands=listing),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add = parser.add_argument
    add("--api-key", metavar="KEY", help="API key (default: $TOGETHER_API_KEY)")
    add("--base-url", metavar="URL", help="API base URL (default: $TOGETHER_BASE_URL)")
    add("--timeout", type=float, metavar="SECONDS", help="read timeout per request")
    add("--max-retries", type=int, metavar="N", help="retries of failed requests")
    add("--json", action="store_true", help="print responses as JSON")
    add("--dry-run", action="store_true", help="print the HTTP request instead of sending it")
    cassettes = parser.add_mutually_exclusive_group()
    cassettes.add_argument("--replay", metavar="CASSETTE", help="answer from a cassette")
    cassettes.add_argument("--record", metavar="CASSETTE", help="record exchanges to a cassette")
    add("--debug", action="store_true", help="show tracebacks and full error details")
    add("--version", action="store_true", help="print the version and exit")
    add("command", nargs="?", metavar="COMMAND", help=argparse.SUPPRESS)
    add("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _command(words: Sequence[str], usage: str) -> tuple[Command, list[str]]:
    first, rest = words[0], list(words[1:])
    if rest and f"{first} {rest[0]}" in (*COMMANDS, *ALIASES):
        first, rest = f"{first} {rest[0]}", rest[1:]
    name = ALIASES.get(first, first)
    if name in COMMANDS:
        return COMMANDS[name], rest
    if first in GROUPS:
        known = sorted(n for n in COMMANDS if n.startswith(f"{first} "))
        if {"-h", "--help"} & set(rest):
            width = max(len(n) for n in known)
            listing = "\n".join(f"  together-fn {n:<{width}}  {COMMANDS[n].summary}" for n in known)
            raise HelpRequested(f"{first} subcommands:\n{listing}\n")
        given = f" (not {rest[0]!r})" if rest and not rest[0].startswith("-") else ""
        raise UsageError(f"{first!r} needs a subcommand{given}: {', '.join(known)}", usage)
    raise UsageError(f"unknown command {first!r}; choose from {', '.join(COMMANDS)}", usage)


def _misplaced(rest: Sequence[str]) -> list[str]:
    parser = _global_parser()
    flags = {s for a in parser._actions for s in a.option_strings} - {"-h", "--help"}
    return sorted({arg.split("=", 1)[0] for arg in rest} & flags)


def parse(argv: Sequence[str]) -> Invocation:
    """Parse a command line. Raises :class:`HelpRequested` or :class:`UsageError`."""
    parser = _global_parser()
    namespace = parser.parse_args(list(argv))
    if namespace.version:
        raise HelpRequested(f"together-fn {__version__}\n")
    if namespace.command is None:
        raise UsageError("a command is required (see --help)", parser.format_usage())
    command, rest = _command([namespace.command, *namespace.rest], parser.format_usage())
    try:
        args = parse_options(command.options, rest, prog=f"together-fn {command.name}")
    except UsageError as problem:
        misplaced = _misplaced(rest)
        if misplaced:
            hint = f" ({', '.join(misplaced)}: global options go before the command)"
            raise UsageError(problem.message + hint, problem.usage) from None
        raise
    options = GlobalArgs(
        api_key=namespace.api_key,
        base_url=namespace.base_url,
        timeout=namespace.timeout,
        max_retries=namespace.max_retries,
        json=namespace.json,
        dry_run=namespace.dry_run,
        replay=namespace.replay,
        record=namespace.record,
        debug=namespace.debug,
    )
    return Invocation(options=options, command=command, args=args)


def secrets_in(argv: Sequence[str], env: Mapping[str, str]) -> frozenset[str]:
    """The secret values a command line or environment holds, to keep out of all output."""
    found = {env.get(ENV_API_KEY, "")}
    for index, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in SECRET_OPTIONS:
            found.add(value if equals else (argv[index + 1] if index + 1 < len(argv) else ""))
    return frozenset(s for s in found if len(s) >= MIN_SECRET_LENGTH)


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
    transport: SyncTransport | None = None,
) -> int:
    """Run the command line; the exit status. ``transport`` replaces the HTTP transport."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    console = Console(
        stdout or sys.stdout, stderr or sys.stderr, secrets_in(argv, env), stdin or sys.stdin
    )
    try:
        invocation = parse(argv)
    except HelpRequested as shown:
        console.write(shown.text)
        return EXIT_OK
    except UsageError as problem:
        console.error(f"{problem.usage}together-fn: error: {problem.message}")
        return EXIT_USAGE
    debug = invocation.options.debug
    try:
        return run(invocation, env, console, transport)
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as unexpected:  # a bug: one line, or the whole story with --debug
        if debug:
            console.error(traceback.format_exc())
        console.error(f"together-fn: internal error: {type(unexpected).__name__}: {unexpected}")
        if not debug:
            console.error("(run again with --debug for a traceback)")
        return EXIT_API_ERROR
