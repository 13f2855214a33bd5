"""Models shared by chat completions and completions (and usage by other areas): token
usage, logprobs, tool definitions and tool calls, the sampling parameters both requests
take, and :func:`typed_or_raw`, which turns request dicts into models without losing keys.

Response models are tolerant: the real API sends fields the spec does not list
(``usage.cache_hit_rate``, ``choices[].seed``), leaves out or nulls fields the spec
requires (``delta.role``, ``delta.token_id``, a streamed tool call's ``id`` after its
first delta), and answers ``logprobs`` in three shapes. Every such field is optional here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import attrs

from together_fn.codec import JSON, structure, unstructure
from together_fn.models._coerce import without_nulls
from together_fn.models._fields import at_least, in_range, non_empty

#: Why generation stopped. The spec's ``FinishReason`` enum (``stop``, ``eos``, ``length``,
#: ``tool_calls``, ``function_call``) is kept open: the server is free to add values.
FinishReason: TypeAlias = str

#: The spec's ``TopLogprobs``: token → log probability.
TopLogprobs: TypeAlias = dict[str, float]


@attrs.frozen(kw_only=True)
class PromptTokensDetails:
    """Breakdown of prompt tokens (OpenAI-style; some models send it, often as ``null``)."""

    cached_tokens: int | None = None


@attrs.frozen(kw_only=True)
class UsageData:
    """Token counts. ``cache_hit_rate`` and ``prompt_tokens_details`` are not in the spec
    but are sent by the real API."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cache_hit_rate: float | None = None
    prompt_tokens_details: PromptTokensDetails | None = None


@attrs.frozen(kw_only=True)
class TopLogprob:
    """One alternative token in OpenAI-format logprobs."""

    token: str
    logprob: float
    bytes: tuple[int, ...] | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionTokenLogprob:
    """One sampled token in OpenAI-format logprobs (``logprobs.content[]``)."""

    token: str
    logprob: float
    bytes: tuple[int, ...] | None = None
    top_logprobs: tuple[TopLogprob, ...] = ()


@attrs.frozen(kw_only=True)
class LogprobsPart:
    """Log probabilities, in either shape the API uses.

    Together's own shape has parallel lists (``tokens``, ``token_logprobs``, and
    ``top_logprobs`` as one mapping, as in the spec, or one mapping per token, as the old
    SDK saw it); some models answer in OpenAI's shape (``content``). The first
    ``token_logprobs`` entry may be ``null`` when the prompt is echoed.
    """

    token_ids: tuple[int | float, ...] | None = None
    tokens: tuple[str, ...] | None = None
    token_logprobs: tuple[float | None, ...] | None = None
    top_logprobs: TopLogprobs | tuple[TopLogprobs | None, ...] | None = None
    content: tuple[ChatCompletionTokenLogprob, ...] | None = None
    refusal: tuple[ChatCompletionTokenLogprob, ...] | None = None


@attrs.frozen(kw_only=True)
class PromptPart:
    """An item of the spec's ``PromptPart``: the echoed prompt and its logprobs."""

    text: str = ""
    logprobs: LogprobsPart | None = None


@attrs.frozen(kw_only=True)
class InferenceWarning:
    """A warning the server attached to a response."""

    message: str


@attrs.frozen(kw_only=True)
class FunctionCall:
    """A function name and its JSON-encoded arguments (``function`` of a tool call)."""

    name: str
    arguments: str = ""


@attrs.frozen(kw_only=True)
class ToolChoice:
    """A tool call the model made (the spec's ``ToolChoice``), as in ``message.tool_calls``.

    Also what an assistant message sends back. ``index`` is only present in responses (the
    spec types it, and ``token_ids``, as any number).
    """

    id: str
    function: FunctionCall
    type: str = "function"
    index: int | float | None = None


@attrs.frozen(kw_only=True)
class ChoiceDeltaFunctionCall:
    """A fragment of a streamed function call: any part may be missing."""

    name: str | None = None
    arguments: str | None = None


@attrs.frozen(kw_only=True)
class ChoiceDeltaToolCall:
    """A fragment of a streamed tool call.

    Only the first fragment of a call carries ``id``, ``type`` and ``function.name``; the
    rest carry ``index`` and a piece of ``function.arguments``. Merge them by ``index``.
    """

    index: int | float = 0
    id: str | None = None
    type: str | None = None
    function: ChoiceDeltaFunctionCall | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChoiceDelta:
    """What one stream chunk adds to a choice (the spec's ``ChatCompletionChoiceDelta``;
    ``CompletionChoiceDelta`` has the same shape).

    The real API sends ``role`` on token chunks but not on tool-call chunks,
    ``token_id: null`` for some tokens, and ``tool_calls: null`` on text chunks.
    """

    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    token_id: int | None = None
    tool_calls: tuple[ChoiceDeltaToolCall, ...] | None = None
    function_call: ChoiceDeltaFunctionCall | None = None


def typed_or_raw(value: object, cls: Any) -> Any:
    """``value`` as ``cls`` when that loses nothing; otherwise ``value`` unchanged.

    Plain dicts become typed models (so dict and model arguments build equal requests),
    but only when the model writes back the same JSON (a ``null`` counting as absent, as
    everywhere in requests): a dict with keys or values the model does not know is sent
    as given instead of being silently trimmed.
    """
    if not isinstance(value, Mapping):
        return value
    raw = dict(value)
    try:
        typed = structure(raw, cls)
    except (ValueError, TypeError, KeyError, ExceptionGroup):  # cattrs raises groups
        return raw
    return typed if without_nulls(unstructure(typed)) == without_nulls(raw) else raw


def json_object(value: Mapping[str, JSON] | None) -> dict[str, JSON] | None:
    """A plain-dict copy of an open JSON object (a schema, template kwargs)."""
    return None if value is None else dict(value)


@attrs.frozen(kw_only=True)
class FunctionDefinition:
    """A function the model may call: its name, what it does, and a JSON schema of its
    parameters."""

    name: str
    description: str | None = None
    parameters: dict[str, JSON] | None = attrs.field(default=None, converter=json_object)


@attrs.frozen(kw_only=True)
class ToolsPart:
    """A tool the model may call (the spec's ``ToolsPart``; only functions exist)."""

    type: str = "function"
    function: FunctionDefinition


ChatCompletionTool = ToolsPart


def _stop(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    # The spec takes a list; a single string (as the SDKs accept) becomes a list of one.
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"stop sequences must be strings, got {type(item).__name__}")
    return items


def _logit_bias(value: Mapping[str | int, float] | None) -> dict[str, float] | None:
    # JSON object keys are strings; token ids may be given as ints.
    return None if value is None else {str(k): float(v) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class GenerationParameters:
    """What ``ChatCompletionRequest`` and ``CompletionRequest`` share: the model and how
    to sample. Ranges are checked where the spec or its descriptions give them."""

    model: str = attrs.field(validator=non_empty)
    max_tokens: int | None = attrs.field(default=None, validator=at_least(0))
    stop: tuple[str, ...] | None = attrs.field(default=None, converter=_stop)
    temperature: float | None = attrs.field(default=None, validator=at_least(0))
    top_p: float | None = attrs.field(default=None, validator=in_range(0, 1))
    top_k: int | None = None
    repetition_penalty: float | None = None
    stream: bool | None = None
    logprobs: int | None = attrs.field(default=None, validator=in_range(0, 20))
    echo: bool | None = None
    n: int | None = attrs.field(default=None, validator=in_range(1, 128))
    safety_model: str | None = None
    min_p: float | None = attrs.field(default=None, validator=in_range(0, 1))
    presence_penalty: float | None = attrs.field(default=None, validator=in_range(-2, 2))
    frequency_penalty: float | None = attrs.field(default=None, validator=in_range(-2, 2))
    logit_bias: dict[str, float] | None = attrs.field(default=None, converter=_logit_bias)
    seed: int | None = None
