"""The shipped examples run offline, replayed from the cassettes in ``cassettes/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples import (
    async_fanout,
    functional,
    images,
    json_output,
    quickstart,
    search,
    streaming,
    tool_calling,
)
from examples._offline import cassette

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)


def replayed(capsys: pytest.CaptureFixture[str], name: str) -> str:
    out = capsys.readouterr().out
    assert f"offline: replaying {name}.yaml" in out
    return out


@pytest.mark.usefixtures("offline")
def test_streaming_prints_tokens_and_folds_the_chunks(capsys: pytest.CaptureFixture[str]) -> None:
    assert streaming.main() == 0
    out = replayed(capsys, "streaming")
    assert "1. Running tests offline. 2. Reproducing a bug report exactly." in out
    assert "chunks: 18, finish: stop, tokens: 35" in out


@pytest.mark.usefixtures("offline")
def test_tool_calling_runs_the_tool_and_sends_its_result_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert tool_calling.main() == 0
    out = replayed(capsys, "tool_calling")
    # The second request carries the tool's result: the cassette matched it by body.
    assert "tool get_weather({\"city\": \"Paris\"}) -> {'city': 'Paris', 'celsius': 21}" in out
    assert "answer: It is 21 °C in Paris right now." in out


@pytest.mark.usefixtures("offline")
def test_json_output_parses_the_schema_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert json_output.main() == 0
    assert "Spirited Away (2001): animation, fantasy" in replayed(capsys, "json_output")


@pytest.mark.usefixtures("offline")
def test_search_shortlists_by_cosine_and_reranks(capsys: pytest.CaptureFixture[str]) -> None:
    assert search.main() == 0
    out = replayed(capsys, "search")
    assert "1. [0.94] Cassettes record HTTP exchanges" in out
    assert "2. [0.12] A frozen attrs class" in out


@pytest.mark.usefixtures("offline")
def test_images_are_saved_as_png_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert images.main(output=tmp_path) == 0
    replayed(capsys, "images")
    saved = sorted(tmp_path.iterdir())
    assert [p.name for p in saved] == ["lighthouse-0.png", "lighthouse-1.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in saved)


@pytest.mark.usefixtures("offline")
def test_async_fanout_answers_every_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert async_fanout.main() == 0
    out = replayed(capsys, "async_fanout")
    for question, answer in zip(
        async_fanout.QUESTIONS,
        ["Rules for trying again safely.", "A recording of HTTP exchanges.", "Success or failure"],
        strict=True,
    ):
        assert f"{question}\n  {answer}" in out


@pytest.mark.usefixtures("offline")
def test_functional_composes_two_calls(capsys: pytest.CaptureFixture[str]) -> None:
    assert functional.main() == 0
    out = replayed(capsys, "functional")
    assert "summary: Build values, run them, get results." in out
    assert "embedded into 768 dimensions" in out


def test_every_example_has_a_cassette_that_says_where_it_came_from() -> None:
    names = [p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")]
    assert len(names) >= 8
    for name in names:
        path = cassette(name)
        assert path.exists(), f"examples/{name}.py has no cassette"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# recorded by together_fn"), name
        assert "loopback server" in first or "written by hand" in first, name
