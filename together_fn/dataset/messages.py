"""Rules for conversations: messages, roles, content parts, images, tool calls, tools.

``fast_conversation_ok`` answers the common case (plain string turns) with a few dict lookups;
anything it does not recognise goes to ``check_messages``, which reports every problem.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from together_fn.dataset.limits import (
    IMAGE_MIME_TYPES,
    MAX_IMAGE_BYTES,
    MAX_IMAGES_PER_EXAMPLE,
    ROLES,
)
from together_fn.dataset.report import ProblemLog

#: First bytes of each accepted image type, to catch a payload that is not what it claims.
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
_ROLE_LIST = ", ".join(sorted(ROLES))


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def fast_conversation_ok(messages: object) -> bool:
    """True only for a valid training conversation of plain string turns.

    A turn here is ``role`` and string ``content``, and optionally a ``weight`` of 0 or 1.
    False means "look closer", not "invalid": the full rules then decide.
    """
    if type(messages) is not list or not messages:
        return False
    previous = None
    trainable = False
    for message in messages:
        if type(message) is not dict:
            return False
        weight = 1
        if len(message) != 2:
            weight = message.get("weight", 2)
            if len(message) != 3 or type(weight) is not int or (weight != 0 and weight != 1):
                return False
        role = message.get("role")
        if type(message.get("content")) is not str or role == previous:
            return False
        if role == "assistant":
            trainable = trainable or weight == 1
        elif role != "user" and not (role == "system" and previous is None):
            return False
        previous = role
    return trainable


def check_messages(
    messages: object, line: int, log: ProblemLog, *, where: str, require_assistant: bool
) -> int:
    """Report every problem of a message list; return how many images it holds."""
    if type(messages) is not list:
        log.add(
            line, "messages_type", f"`{where}` must be a list of messages, got {_kind(messages)}"
        )
        return 0
    if not messages:
        log.add(line, "messages_empty", f"`{where}` must not be empty")
        return 0
    images = 0
    previous: str | None = None
    call_ids: set[str] | None = None  # ids of the tool calls the tool messages may answer
    trainable = 0
    assistants = 0
    for index, message in enumerate(messages):
        at = f"{where}[{index}]"
        if type(message) is not dict:
            log.add(line, "message_type", f"{at} must be an object, got {_kind(message)}")
            previous = None
            continue
        role = message.get("role")
        _check_order(message, role, previous, call_ids, index, at, line, log)
        images += _check_message(message, role, at, line, log)
        if role == "assistant":
            assistants += 1
            trainable += message.get("weight", 1) != 0
            call_ids = _call_ids(message.get("tool_calls"))
        if role in ROLES:
            previous = role
    if require_assistant and assistants == 0:
        log.add(line, "no_assistant", f"`{where}` needs at least one assistant message to train on")
    elif require_assistant and trainable == 0:
        log.add(line, "all_weights_zero", f"every assistant message in `{where}` has weight 0")
    return images


def _check_order(
    message: dict[str, Any],
    role: object,
    previous: str | None,
    call_ids: set[str] | None,
    index: int,
    at: str,
    line: int,
    log: ProblemLog,
) -> None:
    """The role itself and where it may come: system first, turns alternate, tools answer."""
    if "role" not in message:
        log.add(line, "missing_role", f"{at} has no `role`")
    elif role not in ROLES:
        log.add(line, "invalid_role", f"{at} has role {role!r}; expected one of {_ROLE_LIST}")
    if role == "system" and index > 0:
        log.add(line, "system_position", f"{at}: a system message may only come first")
    if role == previous and role != "tool" and role in ROLES:
        log.add(
            line,
            "roles_not_alternating",
            f"{at} repeats role {role!r}; user and assistant turns must alternate",
        )
    if role == "tool":
        _check_tool_reply(message, previous, call_ids, at, line, log)


def _check_message(
    message: dict[str, Any], role: object, at: str, line: int, log: ProblemLog
) -> int:
    """Content, tool calls and weight of one message; returns how many images it holds."""
    _check_weight(message, at, line, log)
    content = message.get("content")
    tool_calls = message.get("tool_calls")
    if tool_calls is not None:
        if role != "assistant":
            log.add(line, "tool_calls_role", f"{at}: only assistant messages may have `tool_calls`")
        _check_tool_calls(tool_calls, at, line, log)
        if content is None:
            return 0
    if "content" not in message:
        log.add(line, "missing_content", f"{at} has no `content`")
        return 0
    if type(content) is str:
        return 0
    if type(content) is list:
        return _check_parts(content, role, at, line, log)
    log.add(
        line,
        "content_type",
        f"{at}.content must be a string or a list of content parts, got {_kind(content)}",
    )
    return 0


def _check_weight(message: dict[str, Any], at: str, line: int, log: ProblemLog) -> None:
    if "weight" not in message:
        return
    weight = message["weight"]
    if type(weight) is not int or weight not in (0, 1):
        log.add(line, "invalid_weight", f"{at}.weight must be 0 or 1, got {weight!r}")


def _call_ids(tool_calls: object) -> set[str] | None:
    if type(tool_calls) is not list or not tool_calls:
        return None
    return {c["id"] for c in tool_calls if type(c) is dict and type(c.get("id")) is str}


def _check_tool_reply(
    message: dict[str, Any],
    previous: str | None,
    call_ids: set[str] | None,
    at: str,
    line: int,
    log: ProblemLog,
) -> None:
    if call_ids is None or previous not in ("assistant", "tool"):
        log.add(
            line,
            "tool_without_call",
            f"{at}: a tool message must follow an assistant message with `tool_calls`",
        )
        return
    call_id = message.get("tool_call_id")
    if call_id is None:
        return
    if type(call_id) is not str:
        log.add(line, "tool_call_id_type", f"{at}.tool_call_id must be a string")
    elif call_ids and call_id not in call_ids:
        log.add(line, "unknown_tool_call_id", f"{at}.tool_call_id {call_id!r} answers no tool call")


def _check_tool_calls(tool_calls: object, at: str, line: int, log: ProblemLog) -> None:
    if type(tool_calls) is not list or not tool_calls:
        log.add(line, "tool_calls_type", f"{at}.tool_calls must be a non-empty list")
        return
    for index, call in enumerate(tool_calls):
        here = f"{at}.tool_calls[{index}]"
        if type(call) is not dict:
            log.add(line, "tool_call_type", f"{here} must be an object, got {_kind(call)}")
            continue
        if call.get("type", "function") != "function":
            log.add(line, "tool_call_type", f"{here}.type must be 'function'")
        if "id" in call and type(call["id"]) is not str:
            log.add(line, "tool_call_id_type", f"{here}.id must be a string")
        function = call.get("function")
        if type(function) is not dict:
            log.add(line, "tool_call_function", f"{here}.function must be an object")
            continue
        if type(function.get("name")) is not str or not function["name"]:
            log.add(line, "tool_call_function", f"{here}.function.name must be a non-empty string")
        arguments = function.get("arguments")
        if type(arguments) is not str:
            log.add(
                line,
                "tool_call_arguments",
                f"{here}.function.arguments must be a JSON string, got {_kind(arguments)}",
            )
            continue
        try:
            json.loads(arguments)
        except ValueError:
            log.add(line, "tool_call_arguments", f"{here}.function.arguments is not valid JSON")


def check_tools(tools: object, line: int, log: ProblemLog, *, where: str) -> None:
    """The ``tools`` a conversation offers: a list of function definitions."""
    if type(tools) is not list:
        log.add(line, "tools_type", f"`{where}` must be a list of tools, got {_kind(tools)}")
        return
    for index, tool in enumerate(tools):
        here = f"{where}[{index}]"
        function = tool.get("function") if type(tool) is dict else None
        if type(tool) is not dict or tool.get("type", "function") != "function":
            log.add(line, "tool_type", f"{here} must be an object with type 'function'")
        elif type(function) is not dict or type(function.get("name")) is not str:
            log.add(line, "tool_function", f"{here}.function must be an object with a `name`")
        elif "parameters" in function and type(function["parameters"]) is not dict:
            log.add(line, "tool_function", f"{here}.function.parameters must be an object")


def _check_parts(parts: list[Any], role: object, at: str, line: int, log: ProblemLog) -> int:
    if not parts:
        log.add(line, "content_empty", f"{at}.content must not be an empty list")
    images = 0
    for index, part in enumerate(parts):
        here = f"{at}.content[{index}]"
        if type(part) is not dict:
            log.add(line, "content_part_type", f"{here} must be an object, got {_kind(part)}")
            continue
        kind = part.get("type")
        if kind == "text":
            if type(part.get("text")) is not str:
                log.add(line, "text_part", f"{here}.text must be a string")
        elif kind == "image_url":
            images += 1
            if role != "user":
                log.add(line, "image_role", f"{here}: only user messages may contain images")
            _check_image(part.get("image_url"), here, line, log)
        elif "type" not in part:
            log.add(line, "content_part_type", f"{here} has no `type`")
        else:
            log.add(
                line,
                "content_part_type",
                f"{here} has type {kind!r}; expected 'text' or 'image_url'",
            )
    return images


def _check_image(image: object, at: str, line: int, log: ProblemLog) -> None:
    url = image.get("url") if type(image) is dict else None
    if type(url) is not str:
        log.add(line, "image_url", f"{at}.image_url must be an object with a string `url`")
        return
    if not url.startswith("data:"):
        log.add(
            line,
            "image_not_base64",
            f"{at}: images must be embedded as base64 data URLs (data:image/...;base64,...)",
        )
        return
    header, comma, payload = url.partition(",")
    mime, _, encoding = header[5:].partition(";")
    if not comma or encoding != "base64":
        log.add(line, "image_not_base64", f"{at}: the data URL is not base64-encoded")
        return
    if mime not in IMAGE_MIME_TYPES:
        allowed = ", ".join(sorted(IMAGE_MIME_TYPES))
        log.add(line, "image_format", f"{at}: image type {mime!r} is not one of {allowed}")
        return
    if len(payload) > MAX_IMAGE_BYTES:
        log.add(
            line,
            "image_too_large",
            f"{at}: base64 image is {len(payload)} bytes; the limit is {MAX_IMAGE_BYTES}",
        )
        return
    try:
        data = binascii.a2b_base64(payload, strict_mode=True)
    except binascii.Error:
        log.add(line, "image_base64", f"{at}: the image is not valid base64")
        return
    if not data.startswith(_MAGIC[mime]):
        log.add(line, "image_corrupt", f"{at}: the data is not a {mime} image")


def check_image_count(images: int, line: int, log: ProblemLog) -> None:
    """An example may hold at most ``MAX_IMAGES_PER_EXAMPLE`` images."""
    if images > MAX_IMAGES_PER_EXAMPLE:
        log.add(
            line,
            "too_many_images",
            f"the example has {images} images; the limit is {MAX_IMAGES_PER_EXAMPLE}",
        )
