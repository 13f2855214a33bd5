"""Builders for ``/videos``, which the spec serves from ``https://api.together.ai/v2``.

Their requests name the ``"v2"`` server; ``config.prepare`` resolves it against the configured
base URL (``.../v1`` becomes ``.../v2``) or an explicit ``ClientConfig(servers=...)`` entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    json_call,
    operation,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.videos import (
    CreateVideoBody,
    VideoFrameImageInput,
    VideoJob,
    VideoMedia,
    VideoOutputFormat,
)

#: The spec's server for the video operations.
VIDEO_SERVER = "v2"


def _on_v2(call: Call[Any]) -> Call[Any]:
    return attrs.evolve(call, request=attrs.evolve(call.request, server=VIDEO_SERVER))


@operation("POST", "/videos")
def create_video(
    *,
    model: str,
    prompt: str | None = None,
    height: int | None = None,
    width: int | None = None,
    resolution: str | None = None,
    ratio: str | None = None,
    seconds: int | float | str | None = None,
    fps: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
    guidance_scale: float | None = None,
    output_format: VideoOutputFormat | None = None,
    output_quality: int | None = None,
    negative_prompt: str | None = None,
    generate_audio: bool | None = None,
    media: VideoMedia | Mapping[str, Any] | None = None,
    frame_images: Iterable[VideoFrameImageInput | Mapping[str, Any]] | None = None,
    reference_images: Iterable[str] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[VideoJob]:
    """The Call that starts a video job. Not retried once sent: each request is a new job.

    ``frame_images`` and ``reference_images`` are deprecated by the API in favour of
    ``media={"frame_images": ..., "reference_images": ...}``.

    >>> call = create_video(model="minimax/video-01-director", prompt="a cat", seconds=6)
    >>> call.request.url, call.request.server, call.request.body.json()["seconds"], call.retryable
    ('/videos', 'v2', '6', False)
    """
    body = CreateVideoBody(
        model=model,
        prompt=prompt,
        height=height,
        width=width,
        resolution=resolution,
        ratio=ratio,
        seconds=seconds,
        fps=fps,
        steps=steps,
        seed=seed,
        guidance_scale=guidance_scale,
        output_format=output_format,
        output_quality=output_quality,
        negative_prompt=negative_prompt,
        generate_audio=generate_audio,
        media=media,
        frame_images=frame_images,
        reference_images=reference_images,
    )
    return _on_v2(json_call("POST /videos", VideoJob, body, retryable=False, options=options))


@operation("GET", "/videos/{id}")
def retrieve_video(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[VideoJob]:
    """The Call that reads a video job (``id`` from :func:`create_video`'s answer).

    >>> retrieve_video("vid_123").request.url
    '/videos/vid_123'
    """
    return Call(
        operation="GET /videos/{id}",
        request=attrs.evolve(
            request(Method.GET, f"/videos/{path_param(id)}", options=options), server=VIDEO_SERVER
        ),
        response_type=VideoJob,
    )
