"""Tests of ``app.py``: one replays a recorded exchange, the others answer from fakes.

Run from the project root: ``CI=true python -m pytest examples/testing_app`` (``CI`` makes the
plugin replay only; without it, ``--together-record-mode=none`` does the same).
"""

from __future__ import annotations

import json

import pytest

from examples.testing_app.app import (
    MODEL,
    excerpt,
    stream_summary,
    summarize,
    summary_or_excerpt,
)
from together_fn import Together
from together_fn.errors import RateLimitError, StreamError
from together_fn.testing import FakeTransport, chat_completion, chat_stream, error

TEXT = (
    "Cassettes record the HTTP exchanges of a test run once, against the real service; "
    "later runs replay them, so the tests are fast, offline and repeatable, and a reviewer "
    "can read exactly what the client sent and what came back."
)
CHAT = "POST /chat/completions"


# -- with a cassette: the client of the pytest plugin replays a recorded exchange ------------


def test_summary_replayed_from_a_cassette(together_client: Together) -> None:
    summary = summarize(together_client, TEXT)
    # What any good answer satisfies, so that the test still holds once re-recorded live.
    assert summary == summary.strip()
    assert "\n" not in summary
    assert 3 <= len(summary.split()) <= 20
    assert "cassette" in summary.lower()


# -- with fakes: no cassette, no network ------------------------------------------------------


def fake_client(transport: FakeTransport, **options: object) -> Together:
    return Together(api_key="test-key", transport=transport, **options)  # type: ignore[arg-type]


def test_summary_is_the_models_answer_trimmed() -> None:
    transport = FakeTransport({CHAT: chat_completion("  A short summary.\n", model=MODEL)})
    with fake_client(transport) as client:
        assert summarize(client, TEXT) == "A short summary."
    (sent,) = transport.requests_to(CHAT)
    body = json.loads(sent.body.data)  # type: ignore[union-attr]
    assert body["model"] == MODEL
    assert body["messages"][-1] == {"role": "user", "content": TEXT}
    assert body["temperature"] == 0.0


def test_a_rate_limit_then_success_is_retried_by_the_client() -> None:
    transport = FakeTransport(
        {CHAT: [error(429, "slow down", retry_after=0), chat_completion("Retried fine.")]}
    )
    with fake_client(transport) as client:
        assert summary_or_excerpt(client, TEXT) == "Retried fine."
    assert len(transport.requests_to(CHAT)) == 2


def test_a_lasting_rate_limit_falls_back_to_an_excerpt() -> None:
    transport = FakeTransport({CHAT: error(429, "slow down", retry_after=0)})
    with fake_client(transport, max_retries=1) as client:
        assert summary_or_excerpt(client, TEXT) == excerpt(TEXT)
        with pytest.raises(RateLimitError):
            summarize(client, TEXT)
    assert excerpt(TEXT).endswith(" ...")
    assert len(transport.requests_to(CHAT)) == 4  # two tries for each of the two calls


def test_a_streamed_summary_arrives_in_pieces() -> None:
    transport = FakeTransport({CHAT: chat_stream(["Cassettes ", "replay ", "tests."])})
    seen: list[str] = []
    with fake_client(transport) as client:
        assert stream_summary(client, TEXT, seen.append) == "Cassettes replay tests."
    assert seen == ["Cassettes ", "replay ", "tests."]


def test_a_truncated_stream_raises_stream_error() -> None:
    transport = FakeTransport({CHAT: chat_stream(["Cassettes ", "repl"], done=False)})
    seen: list[str] = []
    with fake_client(transport) as client, pytest.raises(StreamError):
        stream_summary(client, TEXT, seen.append)
    assert seen == ["Cassettes ", "repl"]  # shown as they came; no summary was returned
