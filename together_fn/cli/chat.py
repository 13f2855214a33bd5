"""``together-fn chat.completions``: ask a chat model, streaming its answer by default."""

from dataclasses import dataclass

from together_fn import api
from together_fn.calls import Call, StreamCall
from together_fn.cli.common import Command, SamplingArgs, repeated, required, sampling_params
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse


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


def to_call(args: Args) -> Call[ChatCompletionResponse] | StreamCall[ChatCompletionChunk]:
    """The chat completion call; streamed unless ``--no-stream``."""
    messages = [{"role": role, "content": content} for role, content in args.message]
    params = sampling_params(args)
    if args.no_stream:
        return api.chat.create_chat_completion(model=args.model, messages=messages, **params)
    return api.chat.stream_chat_completion(model=args.model, messages=messages, **params)


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
