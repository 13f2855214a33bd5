"""``together-fn completions``: continue a prompt, streaming the text by default."""

from dataclasses import dataclass

from together_fn import api
from together_fn.calls import Call, StreamCall
from together_fn.cli.common import (
    Command,
    PromptArgs,
    SamplingArgs,
    flag,
    optional,
    required,
    sampling_params,
)
from together_fn.models.completions import CompletionChunk, CompletionResponse


@dataclass(frozen=True, kw_only=True)
class _Prompt(PromptArgs):
    model: str = required(str, "the model to ask", metavar="M")


@dataclass(frozen=True, kw_only=True)
class Args(SamplingArgs, _Prompt):
    """Options of ``completions``: the prompt, how to sample, and what else to return."""

    echo: bool = flag("include the prompt in the answer")
    n: int | None = optional(int, "how many continuations to generate", metavar="N")


def to_call(args: Args) -> Call[CompletionResponse] | StreamCall[CompletionChunk]:
    """The completion call; streamed unless ``--no-stream``."""
    params = sampling_params(args)
    if args.echo:
        params["echo"] = True
    if args.n is not None:
        params["n"] = args.n
    if args.no_stream:
        return api.completions.create_completion(
            model=args.model, prompt=args.given_prompt, **params
        )
    return api.completions.stream_completion(model=args.model, prompt=args.given_prompt, **params)


def render(response: CompletionResponse) -> str:
    """The continuation; with several, each under a ``[choice N]`` heading."""
    choices = sorted(response.choices, key=lambda c: c.index)
    if len(choices) == 1:
        return choices[0].text
    return "\n\n".join(f"[choice {c.index}]\n{c.text}" for c in choices)


def render_chunk(chunk: CompletionChunk) -> str:
    """The text one streamed chunk adds, whichever shape the chunk came in."""
    if not chunk.choices:
        return chunk.text
    pieces = []
    for choice in sorted(chunk.choices, key=lambda c: c.index):
        if choice.text is not None:
            pieces.append(choice.text)
        elif choice.delta is not None and choice.delta.content is not None:
            pieces.append(choice.delta.content)
    return "".join(pieces)


COMMAND = Command(
    name="completions",
    summary="continue a prompt (streams the text)",
    options=Args,
    to_call=to_call,
    render=lambda response, _args: render(response),
    render_chunk=lambda chunk, _args: render_chunk(chunk),
)
