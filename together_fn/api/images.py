"""Builders for ``/images``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from together_fn.api._build import NO_OPTIONS, RequestOptions, json_call, operation
from together_fn.calls import Call
from together_fn.models.images import (
    ImageLora,
    ImageRequest,
    ImageResponse,
    OutputFormat,
    ResponseFormat,
)


@operation("POST", "/images/generations")
def generate_image(
    *,
    prompt: str,
    model: str,
    steps: int | None = None,
    image_url: str | None = None,
    seed: int | None = None,
    n: int | None = None,
    height: int | None = None,
    width: int | None = None,
    negative_prompt: str | None = None,
    response_format: ResponseFormat | None = None,
    guidance_scale: float | None = None,
    output_format: OutputFormat | None = None,
    image_loras: Iterable[ImageLora | Mapping[str, Any]] | None = None,
    reference_images: Iterable[str] | None = None,
    disable_safety_checker: bool | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[ImageResponse]:
    """The Call that generates images from ``prompt`` with ``model``.

    >>> call = generate_image(prompt="a cat", model="black-forest-labs/FLUX.1-schnell", steps=4)
    >>> call.request.url, call.request.body.json()["steps"]
    ('/images/generations', 4)
    """
    body = ImageRequest(
        prompt=prompt,
        model=model,
        steps=steps,
        image_url=image_url,
        seed=seed,
        n=n,
        height=height,
        width=width,
        negative_prompt=negative_prompt,
        response_format=response_format,
        guidance_scale=guidance_scale,
        output_format=output_format,
        image_loras=image_loras,
        reference_images=reference_images,
        disable_safety_checker=disable_safety_checker,
    )
    return json_call("POST /images/generations", ImageResponse, body, options=options)
