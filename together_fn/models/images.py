"""Image generation models (OpenAPI: the inline body of ``POST /images/generations``,
``ImageResponse``, ``ImageResponseDataB64``, ``ImageResponseDataUrl``).

The spec promises a ``type`` tag on every image item; the real API leaves it out and adds a
``timings`` object, so items are told apart by which of ``b64_json`` / ``url`` they carry.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.models._fields import at_least, non_empty
from together_fn.schema import ByKey

ResponseFormat: TypeAlias = Literal["base64", "url"]
OutputFormat: TypeAlias = Literal["jpeg", "png"]

RESPONSE_FORMATS: tuple[str, ...] = ("base64", "url")
OUTPUT_FORMATS: tuple[str, ...] = ("jpeg", "png")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: Any, value: str | None) -> None:
        if value is not None and value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


def _non_empty_optional(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty when given")


@attrs.frozen(kw_only=True)
class ImageLora:
    """A LoRA applied to the generation (OpenAPI: an item of ``image_loras``)."""

    path: str = attrs.field(validator=non_empty)
    scale: float


def _loras(
    value: Iterable[ImageLora | Mapping[str, Any]] | None,
) -> tuple[ImageLora, ...] | None:
    # Users pass plain dicts, as with the official SDK; they become models here.
    if value is None:
        return None
    if isinstance(value, Mapping):
        raise TypeError("image_loras must be a list of {'path', 'scale'} objects, not one object")
    items: list[ImageLora] = []
    for item in value:
        if isinstance(item, ImageLora):
            items.append(item)
        elif isinstance(item, Mapping):
            unknown = set(item) - {"path", "scale"}
            if unknown or "path" not in item or "scale" not in item:
                raise ValueError(
                    f"each image_loras item needs exactly 'path' and 'scale', got {sorted(item)}"
                )
            items.append(ImageLora(path=item["path"], scale=item["scale"]))
        else:
            raise TypeError(f"image_loras items must be objects, got {type(item).__name__}")
    return tuple(items)


def _urls(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError("reference_images must be a list of URLs, not one string")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"reference_images must be non-empty URL strings, got {item!r}")
    return items


@attrs.frozen(kw_only=True)
class ImageRequest:
    """Body of ``POST /images/generations``. Unset fields are not sent (server defaults apply:
    20 steps, one 1024x1024 image, guidance 3.5, jpeg)."""

    prompt: str = attrs.field(validator=non_empty)
    model: str = attrs.field(validator=non_empty)
    steps: int | None = attrs.field(default=None, validator=at_least(1))
    image_url: str | None = attrs.field(default=None, validator=_non_empty_optional)
    seed: int | None = None
    n: int | None = attrs.field(default=None, validator=at_least(1))
    height: int | None = attrs.field(default=None, validator=at_least(1))
    width: int | None = attrs.field(default=None, validator=at_least(1))
    negative_prompt: str | None = None
    response_format: ResponseFormat | None = attrs.field(
        default=None, validator=_one_of(RESPONSE_FORMATS)
    )
    guidance_scale: float | None = None
    output_format: OutputFormat | None = attrs.field(
        default=None, validator=_one_of(OUTPUT_FORMATS)
    )
    image_loras: tuple[ImageLora, ...] | None = attrs.field(default=None, converter=_loras)
    reference_images: tuple[str, ...] | None = attrs.field(default=None, converter=_urls)
    disable_safety_checker: bool | None = None


@attrs.frozen(kw_only=True)
class ImageTimings:
    """How long the server took, in milliseconds (undocumented; sent on every real item)."""

    inference: float | None = None


@attrs.frozen(kw_only=True)
class ImageResponseDataB64:
    """One image as base64 text (``response_format="base64"``)."""

    b64_json: str
    index: int = 0
    type: str = "b64_json"
    timings: ImageTimings | None = None
    #: Not in the spec; the old SDK exposed it for prompts rewritten by the safety filter.
    revised_prompt: str | None = None

    def decode(self) -> bytes:
        """The image file's bytes (JPEG or PNG, as requested)."""
        try:
            return base64.b64decode(self.b64_json, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"image {self.index} is not valid base64: {exc}") from None


@attrs.frozen(kw_only=True)
class ImageResponseDataUrl:
    """One image as a URL to download (``response_format="url"``)."""

    url: str
    index: int = 0
    type: str = "url"
    timings: ImageTimings | None = None
    revised_prompt: str | None = None


ImageData: TypeAlias = Annotated[
    ImageResponseDataB64 | ImageResponseDataUrl,
    ByKey((("b64_json", ImageResponseDataB64), ("url", ImageResponseDataUrl))),
]


@attrs.frozen(kw_only=True)
class ImageResponse:
    """The generated images, in ``index`` order."""

    data: tuple[ImageData, ...]
    id: str = ""
    model: str = ""
    object: str = "list"
