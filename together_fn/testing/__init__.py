"""Testing an application that calls Together, with or without cassettes.

* :mod:`together_fn.testing.fakes` builds spec-shaped answers (a chat completion, a stream of
  chunks, an error) as :class:`~together_fn.http.HttpResponse` values;
* :class:`FakeTransport` answers a client's requests from them, in memory, and remembers
  what it was asked;
* the pytest plugin (:mod:`together_fn.testing.pytest_plugin`, loaded automatically once
  together_fn is installed) gives each test a client bound to a cassette named after it.
"""

from __future__ import annotations

from together_fn.testing.fakes import (
    chat_completion,
    chat_stream,
    completion,
    embeddings,
    error,
    json_response,
    sse_response,
)
from together_fn.testing.transport import FakeTransport

__all__ = [
    "FakeTransport",
    "chat_completion",
    "chat_stream",
    "completion",
    "embeddings",
    "error",
    "json_response",
    "sse_response",
]
