"""Builders for ``/chat/completions``, and folding a stream back into one answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    model_call,
    operation,
    stream_twin,
)
from together_fn.calls import Call
from together_fn.models.chat import (
    ChatCompletionChoice,
    ChatCompletionChoicesData,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageParam,
    ChatCompletionRequest,
    ChatCompletionResponse,
    Reasoning,
    ResponseFormat,
)
from together_fn.models.common import (
    ChoiceDeltaFunctionCall,
    ChoiceDeltaToolCall,
    FunctionCall,
    ToolChoice,
    ToolsPart,
    UsageData,
)


@operation("POST", "/chat/completions")
def create_chat_completion(
    *,
    model: str,
    messages: Sequence[ChatCompletionMessageParam | ChatCompletionMessage | Mapping[str, Any]],
    max_tokens: int | None = None,
    stop: str | Sequence[str] | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    context_length_exceeded_behavior: str | None = None,
    repetition_penalty: float | None = None,
    logprobs: int | None = None,
    echo: bool | None = None,
    n: int | None = None,
    min_p: float | None = None,
    presence_penalty: float | None = None,
    frequency_penalty: float | None = None,
    logit_bias: Mapping[str | int, float] | None = None,
    seed: int | None = None,
    function_call: str | Mapping[str, Any] | None = None,
    response_format: ResponseFormat | Mapping[str, Any] | None = None,
    tools: Sequence[ToolsPart | Mapping[str, Any]] | None = None,
    tool_choice: str | ToolChoice | Mapping[str, Any] | None = None,
    compliance: str | None = None,
    chat_template_kwargs: Mapping[str, Any] | None = None,
    safety_model: str | None = None,
    reasoning_effort: str | None = None,
    reasoning: Reasoning | Mapping[str, Any] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[ChatCompletionResponse]:
    """The Call that asks ``model`` to answer ``messages``.

    Parameters are the spec's ``ChatCompletionRequest`` fields; ``None`` means "not sent".
    Messages, content parts, tools and ``response_format`` may be plain dicts.

    >>> call = create_chat_completion(model="m", messages=[{"role": "user", "content": "hi"}])
    >>> call.request.url, call.request.body.json()
    ('/chat/completions', {'model': 'm', 'messages': [{'role': 'user', 'content': 'hi'}]})
    """
    arguments = locals()  # the model's fields, and options
    return model_call(
        "POST /chat/completions",
        ChatCompletionResponse,
        ChatCompletionRequest,
        arguments,
        options=options,
    )


stream_chat_completion = operation("POST", "/chat/completions")(
    stream_twin(create_chat_completion, ChatCompletionChunk, "stream_chat_completion")
)


def _extend(parts: list[str] | None, piece: str | None) -> list[str] | None:
    # ``None`` until a first piece arrives, so "no content" stays distinct from "".
    if piece is None:
        return parts
    if parts is None:
        return [piece]
    parts.append(piece)
    return parts


class _ToolCallFold:
    """One tool call being assembled from its fragments."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.arguments: list[str] | None = None

    def add(self, fragment: ChoiceDeltaToolCall) -> None:
        # Only the first fragment names the call; later ones omit (or repeat) the name.
        function = fragment.function or ChoiceDeltaFunctionCall()
        self.id = self.id or fragment.id
        self.type = self.type or fragment.type
        self.name = self.name or function.name
        self.arguments = _extend(self.arguments, function.arguments)

    def done(self, index: float) -> ToolChoice:
        return ToolChoice(
            index=index,
            id=self.id or "",
            type=self.type or "function",
            function=FunctionCall(name=self.name or "", arguments="".join(self.arguments or ())),
        )


class _ChoiceFold:
    """Mutable scratch space for one choice while folding; never escapes the fold."""

    def __init__(self) -> None:
        self.role: str | None = None
        self.content: list[str] | None = None
        self.reasoning: list[str] | None = None
        self.tool_calls: dict[float, _ToolCallFold] = {}
        self.function_call: _ToolCallFold | None = None
        self.finish_reason: str | None = None
        self.seed: int | None = None

    def add(self, choice: ChatCompletionChoice) -> None:
        delta = choice.delta
        self.role = self.role or delta.role
        # Token chunks repeat the text as ``choice.text``; use it only without a delta.
        self.content = _extend(
            self.content, delta.content if delta.content is not None else choice.text
        )
        self.reasoning = _extend(self.reasoning, delta.reasoning)
        for fragment in delta.tool_calls or ():
            self.tool_calls.setdefault(fragment.index, _ToolCallFold()).add(fragment)
        if delta.function_call is not None:
            self.function_call = self.function_call or _ToolCallFold()
            self.function_call.add(ChoiceDeltaToolCall(function=delta.function_call))
        self.finish_reason = choice.finish_reason or self.finish_reason
        self.seed = choice.seed if choice.seed is not None else self.seed

    def done(self, index: int) -> ChatCompletionChoicesData:
        calls = tuple(call.done(i) for i, call in sorted(self.tool_calls.items()))
        message = ChatCompletionMessage(
            role=self.role or "assistant",
            content=None if self.content is None else "".join(self.content),
            reasoning=None if self.reasoning is None else "".join(self.reasoning),
            tool_calls=calls or None,
            function_call=self.function_call.done(0).function if self.function_call else None,
        )
        return ChatCompletionChoicesData(
            index=index, message=message, finish_reason=self.finish_reason, seed=self.seed
        )


def accumulate_chat_chunks(chunks: Iterable[ChatCompletionChunk]) -> ChatCompletionResponse:
    """Fold streamed chunks into the response a non-streamed call would have returned.

    Text and reasoning are concatenated per choice; tool-call fragments are merged by
    ``index`` (the first fragment of a call carries its id, type and name, the rest only
    pieces of the arguments); the last ``finish_reason``, ``seed`` and ``usage`` win.
    """
    folds: dict[int, _ChoiceFold] = {}
    first: ChatCompletionChunk | None = None
    usage: UsageData | None = None
    for chunk in chunks:
        first = first or chunk
        usage = chunk.usage or usage
        for choice in chunk.choices:
            folds.setdefault(choice.index, _ChoiceFold()).add(choice)
    return ChatCompletionResponse(
        id=first.id if first else "",
        created=first.created if first else 0,
        model=first.model if first else "",
        choices=tuple(fold.done(index) for index, fold in sorted(folds.items())),
        usage=usage,
    )
