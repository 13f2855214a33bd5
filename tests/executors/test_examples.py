"""The shipped examples run offline, replayed from the cassettes in ``cassettes/``."""

from __future__ import annotations

import pytest

from examples import quickstart


def test_quickstart_replays_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    assert quickstart.main() == 0
    out = capsys.readouterr().out
    assert "offline: replaying quickstart.yaml" in out
    answer = out.split("answer: ", 1)[1].splitlines()[0]
    streamed = out.split("streamed: ", 1)[1].splitlines()[0]
    assert answer.startswith("A functional API client")
    assert streamed == answer  # the stream reassembles the same sentence
    assert "status 200, request id quickstart-request, 1 attempt(s)" in out
    assert "embeddings: 2 vectors of 768, 768 dimensions" in out
