"""``together-fn images generate``: generate images and save them as files.

File names are built only from ``--prefix`` and the image's position (never from anything the
server sent), with the extension read from the image bytes; ``main`` writes them.
"""

from dataclasses import dataclass
from pathlib import PurePath

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, OutputFile, PromptArgs, optional, required
from together_fn.models.images import ImageResponse, ImageResponseDataB64

#: Leading bytes of the image formats the API returns, and the extension for each.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


@dataclass(frozen=True, kw_only=True)
class Args(PromptArgs):
    """Options of ``images generate``: what to draw (PROMPT or --prompt), and how."""

    model: str = required(str, "the image model", metavar="M")
    steps: int | None = optional(int, "diffusion steps", metavar="N")
    n: int | None = optional(int, "how many images", metavar="N")
    height: int | None = optional(int, "height in pixels", metavar="N")
    width: int | None = optional(int, "width in pixels", metavar="N")
    seed: int | None = optional(int, "seed for reproducible images", metavar="N")
    negative_prompt: str | None = optional(str, "what to keep out of the image", metavar="S")
    output_dir: str = optional(str, "directory to save into", metavar="DIR", default=".")
    prefix: str = optional(str, "file name prefix", metavar="PREFIX", default="image-")


def check_prefix(prefix: str) -> str:
    """``prefix`` if it keeps files inside the output directory; ``ValueError`` otherwise."""
    if any(c in prefix for c in "/\\") or any(ord(c) < 32 for c in prefix):
        raise ValueError(
            f"prefix must not contain path separators or control characters: {prefix!r}"
        )
    return prefix


def to_call(args: Args) -> Call[ImageResponse]:
    """The generation call, asking for base64 images so that they can be saved."""
    check_prefix(args.prefix)
    return api.images.generate_image(
        prompt=args.given_prompt,
        model=args.model,
        steps=args.steps,
        n=args.n,
        height=args.height,
        width=args.width,
        seed=args.seed,
        negative_prompt=args.negative_prompt,
        response_format="base64",
    )


def extension(data: bytes) -> str:
    """The file extension for image bytes (``webp``, ``png``, ``jpg``, ``gif``; else ``bin``)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _SIGNATURES if data.startswith(magic)), "bin")


def files(response: ImageResponse, output_dir: str, prefix: str) -> tuple[OutputFile, ...]:
    """The files to write: ``<output_dir>/<prefix><position>.<ext>``, one per base64 image."""
    check_prefix(prefix)
    planned = []
    for position, item in enumerate(response.data):
        if isinstance(item, ImageResponseDataB64):
            data = item.decode()
            name = f"{prefix}{position}.{extension(data)}"
            planned.append(OutputFile(path=str(PurePath(output_dir) / name), data=data))
    return tuple(planned)


def render(response: ImageResponse, output_dir: str, prefix: str) -> str:
    """One line per image: the path it is saved at, or the URL the server gave instead."""
    saved = iter(files(response, output_dir, prefix))
    lines = []
    for item in response.data:
        if isinstance(item, ImageResponseDataB64):
            lines.append(next(saved).path)
        else:
            lines.append(item.url)
    return "\n".join(lines)


COMMAND = Command(
    name="images generate",
    summary="generate images and save them as files",
    options=Args,
    to_call=to_call,
    render=lambda response, args: render(response, args.output_dir, args.prefix),
    files=lambda response, args: files(response, args.output_dir, args.prefix),
)
