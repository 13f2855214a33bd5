"""Multimodal content parts: text parts, base64 images, their type, size, count and role."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.unit.dataset.helpers import (
    JPEG,
    PNG,
    WEBP,
    chat,
    check,
    codes,
    data_url,
    image,
    only,
    text,
)
from together_fn.dataset import MAX_IMAGE_BYTES, MAX_IMAGES_PER_EXAMPLE


def with_parts(*parts: Any, role: str = "user") -> dict[str, Any]:
    if role == "user":
        return chat(("user", list(parts)), ("assistant", "A cat."))
    return chat(("user", "Look"), (role, list(parts)))


@pytest.mark.parametrize(
    ("data", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_base64_images_of_each_accepted_type(data: bytes, mime: str) -> None:
    report = check(with_parts(text("What is this?"), image(data_url(data, mime))))
    assert report.ok, report.problems


def test_text_parts_are_valid_for_any_role() -> None:
    assert check(with_parts(text("a"), text("b"), role="assistant")).ok


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ({"type": "text", "text": 5}, "text_part"),
        ({"type": "text"}, "text_part"),
        ({"text": "no type"}, "content_part_type"),
        ({"type": "audio", "audio": "x"}, "content_part_type"),
        ("plain string", "content_part_type"),
        ({"type": "image_url", "image_url": "data:image/png;base64,AAAA"}, "image_url"),
        ({"type": "image_url", "image_url": {"uri": "x"}}, "image_url"),
    ],
)
def test_invalid_parts(part: Any, expected: str) -> None:
    assert only(with_parts(part)) == [expected]


def test_an_empty_part_list_is_invalid() -> None:
    assert only(with_parts()) == ["content_empty"]


def test_images_only_in_user_messages() -> None:
    report = check(with_parts(image(data_url(PNG)), role="assistant"))
    assert codes(report) == [(1, "image_role")]
    assert "only user messages" in report.problems[0].message


def test_remote_image_urls_are_not_accepted() -> None:
    assert only(with_parts(image("https://example.com/cat.png"))) == ["image_not_base64"]
    assert only(with_parts(image("data:image/png,rawbytes"))) == ["image_not_base64"]


@pytest.mark.parametrize("mime", ["image/gif", "image/svg+xml", "text/plain"])
def test_other_image_types_are_rejected(mime: str) -> None:
    report = check(with_parts(image(data_url(PNG, mime))))
    assert codes(report) == [(1, "image_format")]
    assert repr(mime) in report.problems[0].message


def test_invalid_base64_is_reported() -> None:
    assert only(with_parts(image("data:image/png;base64,iVBO!!!="))) == ["image_base64"]


def test_the_payload_must_be_the_declared_image_type() -> None:
    assert only(with_parts(image(data_url(JPEG, "image/png")))) == ["image_corrupt"]
    assert only(with_parts(image(data_url(b"hello world", "image/webp")))) == ["image_corrupt"]


def test_images_above_the_size_limit_are_rejected() -> None:
    raw_limit = MAX_IMAGE_BYTES // 4 * 3  # the largest payload whose base64 fits the limit
    fits = PNG + b"\x00" * (raw_limit - len(PNG))
    assert len(base64.b64encode(fits)) == MAX_IMAGE_BYTES
    assert check(with_parts(image(data_url(fits)))).ok
    too_big = fits + b"\x00" * 3
    report = check(with_parts(image(data_url(too_big))))
    assert codes(report) == [(1, "image_too_large")]
    assert str(MAX_IMAGE_BYTES) in report.problems[0].message


def test_images_are_counted_across_the_example() -> None:
    url = data_url(PNG)
    half = MAX_IMAGES_PER_EXAMPLE // 2
    turns: list[tuple[str, Any]] = [
        ("user", [image(url)] * half),
        ("assistant", "ok"),
        ("user", [image(url)] * (MAX_IMAGES_PER_EXAMPLE - half)),
        ("assistant", "ok"),
    ]
    assert check(chat(*turns)).ok
    turns[2] = ("user", [image(url)] * (MAX_IMAGES_PER_EXAMPLE - half + 1))
    report = check(chat(*turns))
    assert codes(report) == [(1, "too_many_images")]
    assert f"{MAX_IMAGES_PER_EXAMPLE + 1} images" in report.problems[0].message
