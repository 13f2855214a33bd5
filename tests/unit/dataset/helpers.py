"""Small builders shared by the dataset rule tests."""

from __future__ import annotations

import base64
import json
from typing import Any

from together_fn.dataset import CheckReport, JsonlChecker

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def chat(*turns: tuple[str, Any], **extra: Any) -> dict[str, Any]:
    """A conversation sample from (role, content) pairs."""
    return {"messages": [{"role": role, "content": content} for role, content in turns], **extra}


GOOD_CHAT = chat(("user", "Hi"), ("assistant", "Hello"))


def encode(sample: object) -> bytes:
    return sample if isinstance(sample, bytes) else json.dumps(sample).encode() + b"\n"


def check(
    *samples: object, purpose: str = "fine-tune", min_samples: int = 1, **kwargs: Any
) -> CheckReport:
    """Feed each sample as one line (bytes are fed as they are) and return the report."""
    checker = JsonlChecker(purpose=purpose, min_samples=min_samples, **kwargs)
    for number, sample in enumerate(samples, 1):
        checker.feed_line(number, encode(sample))
    return checker.finish()


def codes(report: CheckReport) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for p in report.problems]


def only(sample: object) -> list[str]:
    """The problem codes of a one-sample file."""
    return [code for _, code in codes(check(sample))]
