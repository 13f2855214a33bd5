"""Video models (OpenAPI: ``CreateVideoBody``, ``VideoMedia``, ``VideoFrameImageInput``,
``VideoRef``, ``AudioRef``, ``VideoJob``).

Video generation is a job: ``POST /videos`` answers a :class:`VideoJob` at once, and
``GET /videos/{id}`` is polled until :func:`is_video_done`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeAlias, TypeVar

import attrs

from together_fn.models._fields import in_range, non_empty, positive

M = TypeVar("M")

VideoStatus: TypeAlias = str  # "in_progress" | "completed" | "failed" (open: new states may come)
VideoOutputFormat: TypeAlias = Literal["MP4", "WEBM"]

OUTPUT_FORMATS: tuple[str, ...] = ("MP4", "WEBM")
#: States after which a video job no longer changes.
TERMINAL_STATES = frozenset({"completed", "failed"})


def _as(cls: type[M]) -> Callable[[Any], M]:
    # Users pass plain dicts, as with the official SDK; they become models here (unknown keys
    # fail, as attrs rejects unexpected keyword arguments).
    def convert(value: Any) -> M:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        raise TypeError(f"expected a {cls.__name__} or a mapping, got {type(value).__name__}")

    return convert


def _many(convert: Callable[[Any], Any]) -> Callable[[Iterable[Any] | None], Any]:
    def many(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
        if value is None:
            return None
        if isinstance(value, str | Mapping):
            raise TypeError("expected a list, got a single value")
        return tuple(convert(v) for v in value)

    return many


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty URL string, got {value!r}")
    return value


def _frame(_: object, attribute: Any, value: float | str | None) -> None:
    if isinstance(value, str) and value not in ("first", "last"):
        raise ValueError(f"frame must be a number, 'first' or 'last', got {value!r}")


@attrs.frozen(kw_only=True)
class VideoFrameImageInput:
    """An image to place at a frame (a number, ``"first"`` or ``"last"``)."""

    input_image: str = attrs.field(validator=non_empty)
    frame: float | str | None = attrs.field(default=None, validator=_frame)


@attrs.frozen(kw_only=True)
class VideoRef:
    """A video given by URL."""

    video: str = attrs.field(validator=non_empty)


@attrs.frozen(kw_only=True)
class AudioRef:
    """An audio clip given by URL."""

    audio: str = attrs.field(validator=non_empty)


def _video_or_url(value: Any) -> str | VideoRef:
    return value if isinstance(value, str) and value else _as(VideoRef)(value)


def _audio_or_url(value: Any) -> str | AudioRef:
    return value if isinstance(value, str) and value else _as(AudioRef)(value)


# Named converters: the attrs mypy plugin reads the accepted types from their signatures.


def _frame_images(value: Iterable[Any] | None) -> tuple[VideoFrameImageInput, ...] | None:
    return _many(_as(VideoFrameImageInput))(value)  # type: ignore[no-any-return]


def _videos(value: Iterable[Any] | None) -> tuple[VideoRef, ...] | None:
    return _many(_as(VideoRef))(value)  # type: ignore[no-any-return]


def _urls(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return _many(_url)(value)  # type: ignore[no-any-return]


def _audio_inputs(value: Iterable[Any] | None) -> tuple[str | AudioRef, ...] | None:
    return _many(_audio_or_url)(value)  # type: ignore[no-any-return]


def _source_video(value: Any) -> str | VideoRef | None:
    return None if value is None else _video_or_url(value)


def _media(value: Any) -> VideoMedia | None:
    return None if value is None else _as(VideoMedia)(value)


@attrs.frozen(kw_only=True)
class VideoMedia:
    """Media inputs; which ones a model accepts depends on its kind (i2v, r2v, t2v, edit)."""

    frame_images: tuple[VideoFrameImageInput, ...] | None = attrs.field(
        default=None, converter=_frame_images
    )
    frame_videos: tuple[VideoRef, ...] | None = attrs.field(default=None, converter=_videos)
    reference_images: tuple[str, ...] | None = attrs.field(default=None, converter=_urls)
    reference_videos: tuple[VideoRef, ...] | None = attrs.field(default=None, converter=_videos)
    source_video: str | VideoRef | None = attrs.field(default=None, converter=_source_video)
    audio_inputs: tuple[str | AudioRef, ...] | None = attrs.field(
        default=None, converter=_audio_inputs
    )


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: Any, value: str | None) -> None:
        if value is not None and value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


def _seconds(value: int | float | str | None) -> str | None:
    # The spec types the duration as a string; a number is what people write.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("seconds must be a number of seconds")
    return str(int(value)) if float(value).is_integer() else str(value)


def _prompt(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not 1 <= len(value) <= 32000:
        raise ValueError("prompt must be 1 to 32000 characters long")


@attrs.frozen(kw_only=True)
class CreateVideoBody:
    """Body of ``POST /videos``."""

    model: str = attrs.field(validator=non_empty)
    prompt: str | None = attrs.field(default=None, validator=_prompt)
    height: int | None = attrs.field(default=None, validator=positive)
    width: int | None = attrs.field(default=None, validator=positive)
    resolution: str | None = None
    ratio: str | None = None
    seconds: str | None = attrs.field(default=None, converter=_seconds)
    fps: int | None = attrs.field(default=None, validator=positive)
    steps: int | None = attrs.field(default=None, validator=in_range(10, 50))
    seed: int | None = None
    guidance_scale: float | None = None
    output_format: VideoOutputFormat | None = attrs.field(
        default=None, validator=_one_of(OUTPUT_FORMATS)
    )
    output_quality: int | None = None
    negative_prompt: str | None = None
    generate_audio: bool | None = None
    media: VideoMedia | None = attrs.field(default=None, converter=_media)
    frame_images: tuple[VideoFrameImageInput, ...] | None = attrs.field(
        default=None, converter=_frame_images
    )
    reference_images: tuple[str, ...] | None = attrs.field(default=None, converter=_urls)


@attrs.frozen(kw_only=True)
class VideoJobError:
    """Why a video failed."""

    message: str = ""
    code: str | None = None


@attrs.frozen(kw_only=True)
class VideoOutputs:
    """What a completed video cost and where it is hosted."""

    video_url: str | None = None
    cost: float | None = None


@attrs.frozen(kw_only=True)
class VideoJob:
    """A video generation job and, once ``completed``, its output."""

    id: str
    status: VideoStatus = "in_progress"
    model: str | None = None
    object: str = "video"
    created_at: float | None = None
    completed_at: float | None = None
    size: str | None = None
    # The spec says a string ("6"); a number is accepted too, as clients in the wild do.
    seconds: str | float | None = None
    error: VideoJobError | None = None
    outputs: VideoOutputs | None = None


def is_video_done(video: VideoJob) -> bool:
    """Whether ``video`` has reached a final state (completed or failed)."""
    return video.status in TERMINAL_STATES
