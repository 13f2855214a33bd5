"""What the commands share: option fields, the sampling option group, the parser, the spec.

Options classes are stdlib dataclasses because ``argparse_dataclass`` reads only those (not
attrs classes, and not string annotations: no ``from __future__ import annotations`` in the
modules that define them). Parsers here never print or exit: they raise
:class:`HelpRequested` or :class:`UsageError`, and ``main`` decides what to do with them.
"""

import argparse
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import argparse_dataclass
import attrs

from together_fn.calls import Call, StreamCall

if TYPE_CHECKING:
    from together_fn.cli.run import Runner


class HelpRequested(Exception):  # noqa: N818 - not an error: the text to show, then exit 0
    """``--help`` or ``--version`` was given: show ``text`` and stop."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class UsageError(Exception):
    """The command line does not parse; ``usage`` is the usage line of the parser that said so."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


class Quiet(argparse.ArgumentParser):
    """An ``argparse`` parser that raises instead of printing and exiting."""

    def print_help(self, file: Any = None) -> NoReturn:
        raise HelpRequested(self.format_help())

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(message or f"exit status {status}", self.format_usage())


class _Append(argparse.Action):
    """Collects every occurrence of an option into a tuple (``nargs`` values as a tuple)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        seen = getattr(namespace, self.dest, None)
        # argparse_dataclass marks "not given" with its MISSING sentinel.
        items = seen if isinstance(seen, tuple) else ()
        value = tuple(values) if isinstance(values, list) else values
        setattr(namespace, self.dest, (*items, value))


class CommandParser(argparse_dataclass.ArgumentParser, Quiet):  # type: ignore[misc]
    """``argparse_dataclass.ArgumentParser`` plus repeatable options.

    argparse_dataclass passes ``nargs`` from field metadata but not ``action``; a field whose
    metadata has ``repeat=True`` gets an appending action here, so ``--stop a --stop b``
    (or ``--message user hi --message ...``) collects into a tuple.
    """

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        options = getattr(self, "_options_type", None)  # unset while argparse adds --help
        if options is not None:
            dest = kwargs.get("dest") or args[0].lstrip("-").replace("-", "_")
            meta: Mapping[str, Any] = {f.name: f.metadata for f in dataclasses.fields(options)}.get(
                dest, {}
            )
            if meta.get("repeat"):
                kwargs["action"] = _Append
        action: argparse.Action = super().add_argument(*args, **kwargs)
        return action


def parse_options(options: type[Any], argv: Sequence[str], prog: str) -> Any:
    """Parse a command's own arguments into its options dataclass."""
    # argparse_dataclass is untyped: mypy takes Quiet's (argparse's) constructor for this one.
    make: Callable[..., CommandParser] = CommandParser
    parser = make(options, prog=prog, allow_abbrev=False)
    try:
        return parser.parse_args(list(argv))
    except ValueError as problem:  # from the options' own __post_init__ checks
        raise UsageError(str(problem), parser.format_usage()) from None


# Field helpers. Types are given explicitly: argparse_dataclass cannot call ``int | None``.


def required(
    kind: Callable[[str], Any],
    help: str,
    *,
    metavar: str | None = None,
    choices: Sequence[str] | None = None,
) -> Any:
    """A required option."""
    meta = {"type": kind, "help": help, "metavar": metavar, "choices": choices}
    return dataclasses.field(metadata=meta)


def positional(name: str, kind: Callable[[str], Any], help: str, *, metavar: str) -> Any:
    """A required argument given by position (an id, a path); ``name`` is the field's name."""
    meta = {"type": kind, "help": help, "metavar": metavar, "args": [name]}
    return dataclasses.field(metadata=meta)


def optional(
    kind: Callable[[str], Any],
    help: str,
    *,
    metavar: str | None = None,
    choices: Sequence[str] | None = None,
    default: Any = None,
) -> Any:
    """An option that may be left out (``None``, or ``default``)."""
    meta = {"type": kind, "help": help, "metavar": metavar, "choices": choices}
    return dataclasses.field(default=default, metadata=meta)


def repeated(
    help: str, *, metavar: str | tuple[str, ...], nargs: int | None = None, needed: bool = False
) -> Any:
    """An option given any number of times, collected into a tuple (of tuples with nargs)."""
    meta = {"type": str, "help": help, "metavar": metavar, "nargs": nargs, "repeat": True}
    if needed:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=(), metadata=meta)


def flag(help: str, *names: str) -> Any:
    """An on/off switch, off unless given; ``names`` replace the ``--field-name`` spelling."""
    meta: dict[str, Any] = {"help": help}
    if names:
        meta["args"] = list(names)
    return dataclasses.field(default=False, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class PromptArgs:
    """A prompt given by position (as the old CLI took it) or as ``--prompt``."""

    text: str | None = dataclasses.field(
        default=None,
        metadata={"type": str, "args": ["text"], "nargs": "?", "metavar": "PROMPT",
                  "help": "the prompt (or give it as --prompt)"},
    )  # fmt: skip
    prompt: str | None = optional(str, "the prompt", metavar="P")

    def __post_init__(self) -> None:
        if self.text is None and self.prompt is None:
            raise ValueError("a prompt is required: PROMPT or --prompt P")
        if self.text is not None and self.prompt is not None:
            raise ValueError("give the prompt once: as PROMPT or as --prompt, not both")

    @property
    def given_prompt(self) -> str:
        """The prompt, however it was given."""
        chosen = self.prompt if self.prompt is not None else self.text
        assert chosen is not None
        return chosen


@dataclass(frozen=True, kw_only=True)
class SamplingArgs:
    """How to sample: the options ``chat.completions`` and ``completions`` share."""

    max_tokens: int | None = optional(int, "most tokens to generate", metavar="N")
    temperature: float | None = optional(float, "sampling temperature (>= 0)", metavar="F")
    top_p: float | None = optional(float, "nucleus sampling mass, 0 to 1", metavar="F")
    top_k: int | None = optional(int, "sample from the k likeliest tokens", metavar="N")
    repetition_penalty: float | None = optional(float, "penalty for repetition", metavar="F")
    min_p: float | None = optional(float, "minimum token probability, 0 to 1", metavar="F")
    presence_penalty: float | None = optional(float, "-2 to 2", metavar="F")
    frequency_penalty: float | None = optional(float, "-2 to 2", metavar="F")
    stop: tuple[str, ...] = repeated("stop at this text (repeatable)", metavar="S")
    seed: int | None = optional(int, "seed for reproducible sampling", metavar="N")
    logprobs: int | None = optional(int, "return this many log probabilities", metavar="N")
    safety_model: str | None = optional(str, "moderation model to apply", metavar="S")
    no_stream: bool = flag("wait for the whole answer instead of streaming it")
    raw: bool = flag("print each chunk (or the response) as JSON")


def sampling_params(args: SamplingArgs) -> dict[str, Any]:
    """The builder keyword arguments of the sampling options that were given."""
    names = [f.name for f in dataclasses.fields(SamplingArgs)]
    given = {n: getattr(args, n) for n in names if n not in ("stop", "no_stream", "raw")}
    params = {k: v for k, v in given.items() if v is not None}
    if args.stop:
        params["stop"] = args.stop
    return params


@attrs.frozen(kw_only=True)
class OutputFile:
    """A file a command writes: where, and what."""

    path: str
    data: bytes


def _no_files(_value: Any, _args: Any) -> tuple[OutputFile, ...]:
    return ()


def _blank(_value: Any, _args: Any) -> str:
    return ""


def _unchanged(value: Any, _args: Any) -> Any:
    return value


@attrs.frozen(kw_only=True)
class Command:
    """One command: its options, how to build its call and how to show the answer.

    ``select`` narrows the answer before it is shown (as text or JSON); ``files`` names the
    files to write from the answer; ``render_chunk`` shows one event of a stream. A command
    with an ``action`` performs itself through the :class:`Runner` (several calls, a download,
    a local check...): ``to_call`` then only says what a dry run shows first.
    """

    name: str
    summary: str
    options: type[Any]
    to_call: Callable[[Any], Call[Any] | StreamCall[Any]] | None = None
    render: Callable[[Any, Any], str] = _blank
    render_chunk: Callable[[Any, Any], str] | None = None
    select: Callable[[Any, Any], Any] = _unchanged
    files: Callable[[Any, Any], tuple[OutputFile, ...]] = _no_files
    action: Callable[[Any, "Runner"], int] | None = None
    #: Works on local files only: needs no key and sends nothing.
    offline: bool = False
