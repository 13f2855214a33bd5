"""Completion models (OpenAPI: ``CompletionRequest``, ``CompletionResponse``,
``CompletionChunk`` and the schemas they reference).

The spec's ``CompletionChunk`` has a top-level ``token`` and ``finish_reason``; the real API
streams chunks shaped like chat chunks instead (``object: "completion.chunk"``, with
``text``, ``delta``, ``finish_reason`` and ``seed`` inside ``choices[]``). One model reads
both; :attr:`CompletionChunk.text` gives the new text whichever shape arrived.
"""

from __future__ import annotations

import attrs

from together_fn.models.common import (
    ChatCompletionChoiceDelta,
    FinishReason,
    GenerationParameters,
    LogprobsPart,
    PromptPart,
    UsageData,
)

#: The spec's ``CompletionChoiceDelta`` has the same shape as the chat one.
CompletionChoiceDelta = ChatCompletionChoiceDelta


def _prompt(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"prompt must be a string, got {type(value).__name__}")
    return value


@attrs.frozen(kw_only=True)
class CompletionRequest(GenerationParameters):
    """Body of ``POST /completions``: raw text for the model to continue."""

    prompt: str = attrs.field(converter=_prompt)


@attrs.frozen(kw_only=True)
class CompletionChoicesData:
    """An item of the spec's ``CompletionChoicesData``: one continuation.

    ``index`` and ``matched_stop`` (the stop string or token id that ended generation) are
    sent by the real API but not listed in the spec; ``seed`` may exceed 64 bits.
    """

    index: int = 0
    text: str = ""
    finish_reason: FinishReason | None = None
    seed: int | None = None
    logprobs: LogprobsPart | None = None
    matched_stop: str | int | None = None


@attrs.frozen(kw_only=True)
class CompletionResponse:
    """The answer to ``POST /completions`` (``object: "text.completion"``)."""

    id: str = ""
    object: str = "text.completion"
    created: int = 0
    model: str = ""
    choices: tuple[CompletionChoicesData, ...]
    usage: UsageData | None = None
    prompt: tuple[PromptPart, ...] | None = None


@attrs.frozen(kw_only=True)
class CompletionToken:
    """The token of a spec-shaped stream chunk."""

    id: int | None = None
    text: str = ""
    logprob: float | None = None
    special: bool = False


@attrs.frozen(kw_only=True)
class CompletionChoice:
    """One choice of a stream chunk (the spec's ``CompletionChoice``, plus what the real API
    puts there: ``finish_reason``, ``seed`` and ``logprobs``)."""

    index: int = 0
    text: str | None = None
    delta: CompletionChoiceDelta | None = None
    finish_reason: FinishReason | None = None
    seed: int | None = None
    logprobs: float | LogprobsPart | None = None


@attrs.frozen(kw_only=True)
class CompletionChunk:
    """One event of a streamed completion, in the spec's shape or the real API's."""

    id: str = ""
    object: str = "completion.chunk"
    created: int = 0
    model: str = ""
    choices: tuple[CompletionChoice, ...] = ()
    token: CompletionToken | None = None
    finish_reason: FinishReason | None = None
    seed: int | None = None
    usage: UsageData | None = None

    @property
    def text(self) -> str:
        """The text this chunk adds (of the first choice, or of ``token``)."""
        if self.choices:
            choice = self.choices[0]
            if choice.text is not None:
                return choice.text
            if choice.delta is not None and choice.delta.content is not None:
                return choice.delta.content
        return self.token.text if self.token is not None else ""
