"""Builders for ``/completions``, and folding a stream back into one answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    model_call,
    operation,
    stream_twin,
)
from together_fn.calls import Call
from together_fn.models.common import UsageData
from together_fn.models.completions import (
    CompletionChoicesData,
    CompletionChunk,
    CompletionRequest,
    CompletionResponse,
)


@operation("POST", "/completions")
def create_completion(
    *,
    model: str,
    prompt: str,
    max_tokens: int | None = None,
    stop: str | Sequence[str] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    repetition_penalty: float | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    n: int | None = None,
    safety_model: str | None = None,
    min_p: float | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str | int, float] | None = None,
    seed: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[CompletionResponse]:
    """The Call that asks ``model`` to continue ``prompt``.

    Parameters are the spec's ``CompletionRequest`` fields; ``None`` means "not sent".

    >>> call = create_completion(model="m", prompt="Paris is", max_tokens=5)
    >>> call.request.url, call.request.body.json()
    ('/completions', {'model': 'm', 'prompt': 'Paris is', 'max_tokens': 5})
    """
    arguments = locals()  # the model's fields, and options
    return model_call(
        "POST /completions", CompletionResponse, CompletionRequest, arguments, options=options
    )


stream_completion = operation("POST", "/completions")(
    stream_twin(create_completion, CompletionChunk, "stream_completion")
)


class _ChoiceFold:
    """Mutable scratch space for one choice while folding; never escapes the fold."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.finish_reason: str | None = None
        self.seed: int | None = None

    def add(self, text: str, finish_reason: str | None, seed: int | None) -> None:
        self.text.append(text)
        self.finish_reason = finish_reason or self.finish_reason
        self.seed = seed if seed is not None else self.seed


def accumulate_completion_chunks(chunks: Iterable[CompletionChunk]) -> CompletionResponse:
    """Fold streamed chunks (in the spec's shape or the real API's) into one response."""
    folds: dict[int, _ChoiceFold] = {}
    first: CompletionChunk | None = None
    usage: UsageData | None = None
    for chunk in chunks:
        first = first or chunk
        usage = chunk.usage or usage
        for choice in chunk.choices:
            delta = choice.delta.content if choice.delta is not None else None
            text = choice.text if choice.text is not None else delta
            seed = choice.seed if choice.seed is not None else chunk.seed
            folds.setdefault(choice.index, _ChoiceFold()).add(
                text or "", choice.finish_reason or chunk.finish_reason, seed
            )
        if not chunk.choices:
            # The spec's shape without choices: the token and finish reason at the top.
            text = chunk.token.text if chunk.token is not None else ""
            folds.setdefault(0, _ChoiceFold()).add(text, chunk.finish_reason, chunk.seed)
    return CompletionResponse(
        id=first.id if first else "",
        created=first.created if first else 0,
        model=first.model if first else "",
        choices=tuple(
            CompletionChoicesData(
                index=index,
                text="".join(fold.text),
                finish_reason=fold.finish_reason,
                seed=fold.seed,
            )
            for index, fold in sorted(folds.items())
        ),
        usage=usage,
    )
