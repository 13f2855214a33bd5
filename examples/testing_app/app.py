"""A tiny application that calls Together: the code under test in ``test_app.py``."""

from __future__ import annotations

from collections.abc import Callable

from together_fn import Together
from together_fn.errors import RateLimitError

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
INSTRUCTION = "Summarize the user's text in one sentence of at most twenty words."


def _messages(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": text}]


def summarize(client: Together, text: str) -> str:
    """A one-sentence summary of ``text``."""
    answer = client.chat.completions.create(
        model=MODEL, messages=_messages(text), max_tokens=64, temperature=0.0
    )
    return (answer.choices[0].message.content or "").strip()


def excerpt(text: str, words: int = 20) -> str:
    """The start of ``text``: what the app shows when no summary can be had."""
    kept = text.split()
    return " ".join(kept[:words]) + (" ..." if len(kept) > words else "")


def summary_or_excerpt(client: Together, text: str) -> str:
    """A summary, or, once the client's own retries have not got past a rate limit, an
    excerpt: the page still renders while the API is busy."""
    try:
        return summarize(client, text)
    except RateLimitError:
        return excerpt(text)


def stream_summary(client: Together, text: str, on_text: Callable[[str], object]) -> str:
    """The summary streamed: ``on_text`` sees each piece as it arrives; the whole is
    returned. A stream cut short raises ``StreamError`` (never a silently partial summary)."""
    pieces = []
    for chunk in client.chat.completions.create(
        model=MODEL, messages=_messages(text), max_tokens=64, temperature=0.0, stream=True
    ):
        piece = chunk.choices[0].delta.content if chunk.choices else None
        if piece:
            on_text(piece)
            pieces.append(piece)
    return "".join(pieces).strip()
