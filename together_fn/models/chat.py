"""Chat completion models (OpenAPI: ``ChatCompletionRequest``, ``ChatCompletionResponse``,
``ChatCompletionChunk`` and the schemas they reference).

Requests accept plain dicts wherever the official SDK does (messages, content parts, tools,
``response_format``): a dict becomes the typed model for its ``role`` or ``type`` when that
loses nothing, and is sent as given otherwise, so roles and keys this library does not know
still work. Tool definitions and tool calls live in :mod:`together_fn.models.common`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.codec import JSON
from together_fn.models._fields import non_empty
from together_fn.models.common import (
    ChatCompletionChoiceDelta,
    FinishReason,
    FunctionCall,
    GenerationParameters,
    InferenceWarning,
    LogprobsPart,
    PromptPart,
    ToolChoice,
    ToolsPart,
    TopLogprobs,
    UsageData,
    json_object,
    typed_or_raw,
)
from together_fn.schema import Tagged, json_shortcut


@attrs.frozen(kw_only=True)
class ChatCompletionContentPartText:
    """``{"type": "text", "text": ...}``."""

    type: Literal["text"] = "text"
    text: str


@attrs.frozen(kw_only=True)
class ImageUrl:
    """Where an image is: an ``https:`` or ``data:`` URL."""

    url: str
    detail: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionContentPartImage:
    """``{"type": "image_url", "image_url": {"url": ...}}``."""

    type: Literal["image_url"] = "image_url"
    image_url: ImageUrl


@attrs.frozen(kw_only=True)
class VideoUrl:
    """Where a video is."""

    url: str


@attrs.frozen(kw_only=True)
class ChatCompletionContentPartVideo:
    """``{"type": "video_url", "video_url": {"url": ...}}``."""

    type: Literal["video_url"] = "video_url"
    video_url: VideoUrl


@attrs.frozen(kw_only=True)
class AudioUrl:
    """Where an audio clip is."""

    url: str


@attrs.frozen(kw_only=True)
class ChatCompletionContentPartAudio:
    """``{"type": "audio_url", "audio_url": {"url": ...}}``."""

    type: Literal["audio_url"] = "audio_url"
    audio_url: AudioUrl


@attrs.frozen(kw_only=True)
class InputAudio:
    """Base64-encoded audio and its format (the spec lists ``wav``)."""

    data: str
    format: str = "wav"


@attrs.frozen(kw_only=True)
class ChatCompletionContentPartInputAudio:
    """``{"type": "input_audio", "input_audio": {"data": ..., "format": "wav"}}``."""

    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudio


#: An item of ``ChatCompletionUserMessageContentMultimodal``, told apart by ``type``.
ContentPart: TypeAlias = Annotated[
    ChatCompletionContentPartText
    | ChatCompletionContentPartImage
    | ChatCompletionContentPartVideo
    | ChatCompletionContentPartAudio
    | ChatCompletionContentPartInputAudio
    | dict[str, Any],
    Tagged(
        "type",
        {
            "text": ChatCompletionContentPartText,
            "image_url": ChatCompletionContentPartImage,
            "video_url": ChatCompletionContentPartVideo,
            "audio_url": ChatCompletionContentPartAudio,
            "input_audio": ChatCompletionContentPartInputAudio,
        },
        default=dict,
    ),
]


def _content(value: str | Iterable[object]) -> str | tuple[ContentPart, ...]:
    if isinstance(value, str):
        return value
    return tuple(typed_or_raw(part, ContentPart) for part in value)


def _tool_calls(value: Iterable[object] | None) -> tuple[ToolChoice | dict[str, Any], ...] | None:
    return None if value is None else tuple(typed_or_raw(call, ToolChoice) for call in value)


@attrs.frozen(kw_only=True)
class ChatCompletionSystemMessageParam:
    """Instructions for the model."""

    role: Literal["system"] = "system"
    content: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionDeveloperMessageParam:
    """Instructions for the model, as newer OpenAI-compatible models name them (not a role
    the spec lists)."""

    role: Literal["developer"] = "developer"
    content: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionUserMessageParam:
    """What the user said: text, or a list of text, image, video and audio parts."""

    role: Literal["user"] = "user"
    content: str | tuple[ContentPart, ...] = attrs.field(converter=_content)
    name: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionAssistantMessageParam:
    """An earlier answer of the model, possibly with the tool calls it made."""

    role: Literal["assistant"] = "assistant"
    content: str | None = None
    name: str | None = None
    tool_calls: tuple[ToolChoice | dict[str, Any], ...] | None = attrs.field(
        default=None, converter=_tool_calls
    )
    function_call: FunctionCall | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionToolMessageParam:
    """The result of a tool call, answering the call with id ``tool_call_id``."""

    role: Literal["tool"] = "tool"
    content: str
    tool_call_id: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionFunctionMessageParam:
    """The result of a function call (deprecated in favour of tool messages)."""

    role: Literal["function"] = "function"
    content: str
    name: str


#: One message of the conversation (the spec's ``ChatCompletionMessageParam``), by ``role``.
#: A dict with a role or keys this library does not model is sent as given.
ChatCompletionMessageParam: TypeAlias = Annotated[
    ChatCompletionSystemMessageParam
    | ChatCompletionDeveloperMessageParam
    | ChatCompletionUserMessageParam
    | ChatCompletionAssistantMessageParam
    | ChatCompletionToolMessageParam
    | ChatCompletionFunctionMessageParam
    | dict[str, Any],
    Tagged(
        "role",
        {
            "system": ChatCompletionSystemMessageParam,
            "developer": ChatCompletionDeveloperMessageParam,
            "user": ChatCompletionUserMessageParam,
            "assistant": ChatCompletionAssistantMessageParam,
            "tool": ChatCompletionToolMessageParam,
            "function": ChatCompletionFunctionMessageParam,
        },
        default=dict,
    ),
]


#: Roles whose ``{"role", "content": "text"}`` message is that class with that content.
_TEXT_MESSAGES: dict[str, Callable[..., Any]] = {
    "system": ChatCompletionSystemMessageParam,
    "developer": ChatCompletionDeveloperMessageParam,
    "user": ChatCompletionUserMessageParam,
    "assistant": ChatCompletionAssistantMessageParam,
}


def _message(value: object) -> Any:
    # (dict first: it spares the slow ABC check in the common case.)
    if type(value) is dict or isinstance(value, Mapping):
        simple = _TEXT_MESSAGES.get(value.get("role"))  # type: ignore[arg-type]
        if simple is not None and len(value) == 2:
            content = value.get("content")
            if type(content) is str:
                # ``{"role", "content": "text"}``, the commonest message, made directly:
                # what typed_or_raw would make of it.
                return simple(content=content)
        return typed_or_raw(value, ChatCompletionMessageParam)
    if isinstance(value, ChatCompletionMessage):
        # An answer fed back into the conversation.
        return ChatCompletionAssistantMessageParam(
            content=value.content,
            tool_calls=value.tool_calls or None,
            function_call=value.function_call,
        )
    if attrs.has(type(value)):
        return value
    raise TypeError(f"a message must be a dict or a message model, got {type(value).__name__}")


#: What ``messages`` usually is, told apart without an ABC check.
_ARRAYS = (list, tuple)


def _messages(value: Iterable[object]) -> tuple[ChatCompletionMessageParam, ...]:
    if type(value) not in _ARRAYS and isinstance(value, str | Mapping):
        raise TypeError("messages must be a list of messages")
    return tuple([_message(m) for m in value])


def _messages_json(value: object) -> list[dict[str, str]] | None:
    """The JSON of ``messages`` made only of ``{"role", "content": "text"}`` dicts of the
    roles in :data:`_TEXT_MESSAGES` (what their models unstructure to), else ``None``."""
    if type(value) not in _ARRAYS or not value:
        return None
    encoded = []
    for message in value:  # type: ignore[attr-defined]
        if type(message) is not dict or len(message) != 2:
            return None
        role, content = message.get("role"), message.get("content")
        if type(role) is not str or role not in _TEXT_MESSAGES or type(content) is not str:
            return None
        encoded.append({"role": role, "content": content})
    return encoded


def _tools(value: Iterable[object] | None) -> tuple[ToolsPart | dict[str, Any], ...] | None:
    return None if value is None else tuple(typed_or_raw(tool, ToolsPart) for tool in value)


@attrs.frozen(kw_only=True)
class ResponseFormatText:
    """Plain text output (the default)."""

    type: Literal["text"] = "text"


@attrs.frozen(kw_only=True)
class ResponseFormatJsonObject:
    """Any valid JSON object (the older JSON mode)."""

    type: Literal["json_object"] = "json_object"


@attrs.frozen(kw_only=True)
class JsonSchema:
    """Structured Outputs: the JSON schema the answer must follow."""

    name: str
    description: str | None = None
    schema: dict[str, JSON] | None = attrs.field(default=None, converter=json_object)
    strict: bool | None = None


@attrs.frozen(kw_only=True)
class ResponseFormatJsonSchema:
    """Output that matches ``json_schema``."""

    type: Literal["json_schema"] = "json_schema"
    json_schema: JsonSchema


#: ``response_format``, by ``type``; other shapes (the older ``{"type": "json_object",
#: "schema": ...}``) are sent as given.
ResponseFormat: TypeAlias = Annotated[
    ResponseFormatText | ResponseFormatJsonObject | ResponseFormatJsonSchema | dict[str, Any],
    Tagged(
        "type",
        {
            "text": ResponseFormatText,
            "json_object": ResponseFormatJsonObject,
            "json_schema": ResponseFormatJsonSchema,
        },
        default=dict,
    ),
]


@attrs.frozen(kw_only=True)
class Reasoning:
    """Turns reasoning on or off, for models that support both."""

    enabled: bool | None = None


#: ``tool_choice``: ``"auto"``, ``"none"``, ``"required"``, a tool's name, or an object.
ToolChoiceParam: TypeAlias = str | ToolChoice | dict[str, Any]


def _response_format(value: ResponseFormat | Mapping[str, Any] | None) -> ResponseFormat | None:
    return None if value is None else typed_or_raw(value, ResponseFormat)


def _tool_choice(value: str | ToolChoice | Mapping[str, Any] | None) -> ToolChoiceParam | None:
    if value is None:
        return None
    typed: ToolChoiceParam = typed_or_raw(value, ToolChoice)
    return typed


def _reasoning(value: Reasoning | Mapping[str, Any] | None) -> Reasoning | dict[str, Any] | None:
    if value is None:
        return None
    typed: Reasoning | dict[str, Any] = typed_or_raw(value, Reasoning)
    return typed


def _function_call(value: str | Mapping[str, Any] | None) -> str | dict[str, Any] | None:
    if value is None or type(value) is str:
        return value  # spares the slow ABC check below
    return dict(value) if isinstance(value, Mapping) else value


@attrs.frozen(kw_only=True)
class ChatCompletionRequest(GenerationParameters):
    """Body of ``POST /chat/completions``."""

    messages: tuple[ChatCompletionMessageParam, ...] = attrs.field(
        converter=_messages, validator=non_empty, metadata=json_shortcut(_messages_json)
    )
    context_length_exceeded_behavior: str | None = None
    function_call: str | dict[str, Any] | None = attrs.field(default=None, converter=_function_call)
    response_format: ResponseFormat | None = attrs.field(default=None, converter=_response_format)
    tools: tuple[ToolsPart | dict[str, Any], ...] | None = attrs.field(
        default=None, converter=_tools
    )
    tool_choice: ToolChoiceParam | None = attrs.field(default=None, converter=_tool_choice)
    compliance: str | None = None
    chat_template_kwargs: dict[str, JSON] | None = attrs.field(default=None, converter=json_object)
    reasoning_effort: str | None = None
    reasoning: Reasoning | dict[str, Any] | None = attrs.field(default=None, converter=_reasoning)


@attrs.frozen(kw_only=True)
class ChatCompletionMessage:
    """The model's answer. ``content`` is ``None`` when it only calls tools; ``tool_calls``
    is often an empty list on plain answers."""

    role: str = "assistant"
    content: str | None = None
    tool_calls: tuple[ToolChoice, ...] | None = None
    function_call: FunctionCall | None = None
    reasoning: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChoicesData:
    """An item of the spec's ``ChatCompletionChoicesData``: one answer.

    ``seed`` may exceed 64 bits; ``finish_reason`` is an open string (``eos``, ``stop``,
    ``length``, ``tool_calls``, ...).
    """

    index: int = 0
    message: ChatCompletionMessage = attrs.field(factory=ChatCompletionMessage)
    finish_reason: FinishReason | None = None
    seed: int | None = None
    logprobs: LogprobsPart | None = None
    top_logprobs: TopLogprobs | None = None
    text: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionResponse:
    """The answer to ``POST /chat/completions``."""

    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: tuple[ChatCompletionChoicesData, ...]
    usage: UsageData | None = None
    prompt: tuple[PromptPart, ...] | None = None
    warnings: tuple[InferenceWarning, ...] | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChoice:
    """One choice of a stream chunk (the spec's ``ChatCompletionChoice``).

    The real API repeats the token as ``text`` beside ``delta.content`` and sends ``seed``
    and ``finish_reason`` on the last chunk; ``logprobs`` is a number in the spec and an
    object or ``null`` in practice.
    """

    index: int = 0
    delta: ChatCompletionChoiceDelta = attrs.field(factory=ChatCompletionChoiceDelta)
    finish_reason: FinishReason | None = None
    logprobs: float | LogprobsPart | None = None
    top_logprobs: TopLogprobs | None = None
    seed: int | None = None
    text: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChunk:
    """One event of a streamed chat completion. ``usage`` is ``null`` on every chunk but
    the last (and absent from tool-call streams)."""

    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: tuple[ChatCompletionChoice, ...]
    usage: UsageData | None = None
    system_fingerprint: str | None = None
    warnings: tuple[InferenceWarning, ...] | None = None
