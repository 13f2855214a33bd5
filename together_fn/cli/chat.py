"""``together-fn chat.completions`` (one request) and ``together-fn chat`` (a conversation)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from together_fn import api
from together_fn.calls import Call, StreamCall
from together_fn.cli.common import (
    Command,
    SamplingArgs,
    optional,
    repeated,
    required,
    sampling_params,
)
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse

if TYPE_CHECKING:
    from together_fn.cli.run import Runner

#: Lines that end a conversation (as does the end of input).
EXIT_WORDS = frozenset({"/exit", "/quit"})
#: Shown on stderr before each line when a person is typing.
PROMPT = ">>> "

Message = Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class _Conversation:
    model: str = required(str, "the model to ask", metavar="M")
    message: tuple[tuple[str, str], ...] = repeated(
        "a message of the conversation, in order (repeatable)",
        metavar=("ROLE", "CONTENT"),
        nargs=2,
        needed=True,
    )


@dataclass(frozen=True, kw_only=True)
class Args(SamplingArgs, _Conversation):
    """Options of ``chat.completions`` (the conversation first, then how to sample)."""


def turn_call(
    args: SamplingArgs, model: str, messages: Sequence[Message]
) -> Call[ChatCompletionResponse] | StreamCall[ChatCompletionChunk]:
    """The call answering ``messages``; streamed unless ``--no-stream``."""
    params = sampling_params(args)
    if args.no_stream:
        return api.chat.create_chat_completion(model=model, messages=messages, **params)
    return api.chat.stream_chat_completion(model=model, messages=messages, **params)


def to_call(args: Args) -> Call[ChatCompletionResponse] | StreamCall[ChatCompletionChunk]:
    """The chat completion call; streamed unless ``--no-stream``."""
    messages = [{"role": role, "content": content} for role, content in args.message]
    return turn_call(args, args.model, messages)


def render(response: ChatCompletionResponse) -> str:
    """The answer's text; with several choices, each under a ``[choice N]`` heading."""
    choices = sorted(response.choices, key=lambda c: c.index)
    if len(choices) == 1:
        return choices[0].message.content or ""
    return "\n\n".join(f"[choice {c.index}]\n{c.message.content or ''}" for c in choices)


def render_chunk(chunk: ChatCompletionChunk) -> str:
    """The text one streamed chunk adds (every choice's, in index order)."""
    return "".join(
        choice.delta.content or "" for choice in sorted(chunk.choices, key=lambda c: c.index)
    )


COMMAND = Command(
    name="chat.completions",
    summary="ask a chat model (streams the answer)",
    options=Args,
    to_call=to_call,
    render=lambda response, _args: render(response),
    render_chunk=lambda chunk, _args: render_chunk(chunk),
)


# --- the interactive conversation -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Session:
    model: str = required(str, "the model to talk to", metavar="M")
    system: str | None = optional(str, "a system message to start with", metavar="TEXT")


@dataclass(frozen=True, kw_only=True)
class SessionArgs(SamplingArgs, _Session):
    """Options of ``chat``: the model, a system message, and how to sample."""


def opening(args: SessionArgs) -> tuple[Message, ...]:
    """The conversation before the first line is read."""
    return ({"role": "system", "content": args.system},) if args.system is not None else ()


def reply(answer: Any) -> str | None:
    """The assistant's text in an answer: a response, or a stream's chunks; ``None`` if none."""
    if answer is None:
        return None
    response = (
        answer
        if isinstance(answer, ChatCompletionResponse)
        else api.chat.accumulate_chat_chunks(answer)
    )
    first = min(response.choices, key=lambda c: c.index, default=None)
    return first.message.content or "" if first is not None else None


def step(history: tuple[Message, ...], line: str) -> tuple[Message, ...] | None:
    """The conversation with the user's ``line`` added; ``None`` when the line ends it."""
    text = line.rstrip("\r\n")
    if text.strip() in EXIT_WORDS:
        return None
    return (*history, {"role": "user", "content": text})


def converse(args: SessionArgs, runner: "Runner") -> int:
    """Read lines from stdin, answer each with the whole conversation so far.

    Ends at ``/exit`` or the end of input. A failed turn is reported and left out of the
    conversation; the exit status is then 1.
    """
    console = runner.console
    history = opening(args)
    # Rejected values are reported before anything is read.
    turn_call(args, args.model, (*history, {"role": "user", "content": ""}))
    failed = False
    while True:
        if console.interactive():
            console.note(PROMPT)
        line = console.stdin.readline() if console.stdin is not None else ""
        if not line:
            break
        if not line.strip():
            continue
        asked = step(history, line)
        if asked is None:
            break
        status, answer = runner.answer(turn_call(args, args.model, asked), TURN, args)
        if status != 0:
            failed = True
            continue
        text = reply(answer)
        history = asked if text is None else (*asked, {"role": "assistant", "content": text})
    return 1 if failed else 0


#: How one turn of ``chat`` is shown: as ``chat.completions`` shows an answer.
TURN = COMMAND

SESSION = Command(
    name="chat",
    summary="talk with a chat model (reads lines from stdin; /exit ends)",
    options=SessionArgs,
    to_call=lambda args: turn_call(args, args.model, opening(args)),
    render=COMMAND.render,
    render_chunk=COMMAND.render_chunk,
    action=converse,
)
