"""The shipped examples run offline, replayed from the cassettes in ``cassettes/``."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

import examples._offline
from examples import (
    async_fanout,
    fine_tuning,
    functional,
    images,
    json_output,
    quickstart,
    search,
    streaming,
    tool_calling,
)
from examples._offline import cassette
from together_fn.executors import ReplayTransport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


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


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("an offline example opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.mark.usefixtures("offline", "no_network")
def test_fine_tuning_uploads_trains_waits_and_downloads_from_the_cassette(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replays: list[ReplayTransport] = []

    def kept(path: Any) -> ReplayTransport:
        replays.append(ReplayTransport(path))
        return replays[-1]

    monkeypatch.setattr(examples._offline, "ReplayTransport", kept)
    assert fine_tuning.main(output=tmp_path) == 0
    out = replayed(capsys, "fine_tuning")
    assert "dataset: 120 conversation examples, ok=True" in out
    assert "uploaded: file-3f9c2a71-8e4d-4b6a-9d02-71c5e8a4b913 (capitals.jsonl)" in out
    assert "estimated price: $1.80 for 21780 training tokens" in out
    assert "created: ft-5d1e7a90-2c4b" in out
    statuses = [line for line in out.splitlines() if line.startswith("status: ")]
    assert statuses == [
        "status: pending",
        "status: running (12/45 steps)",
        "status: running (38/45 steps)",
        "status: completed (45/45 steps)",
    ]
    # The file is the archive the cassette holds, saved under the server's name.
    (saved,) = tmp_path.iterdir()
    assert saved.name == "ft-5d1e7a90-2c4b-merged.tar.gz"
    assert f"saved: {saved.name} ({saved.stat().st_size} bytes) in {tmp_path}" in out
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(saved.read_bytes()))) as archive:
        config = json.load(archive.extractfile("adapter_config.json"))  # type: ignore[arg-type]
    assert config["base_model_name_or_path"] == fine_tuning.MODEL
    # Every recorded exchange was played exactly once, the signed storage PUT included.
    (replay,) = replays
    assert replay.unplayed == ()
    assert set(replay.play_counts) == {1}
    uris = [i.request.uri for i in replay.cassette.interactions]
    assert any(u.startswith("https://uploads.example.com/together-files/") for u in uris)
    assert sum(u.endswith("/fine-tunes/ft-5d1e7a90-2c4b") for u in uris) == 5


def test_fine_tuning_dataset_passes_the_local_check(tmp_path: Path) -> None:
    from together_fn.dataset import MIN_SAMPLES, check_file

    report = check_file(fine_tuning.write_dataset(tmp_path))
    assert report.ok, report.problems
    assert report.num_samples == fine_tuning.SAMPLES > MIN_SAMPLES
    assert report.format == "conversation"


def test_testing_app_passes_in_replay_mode() -> None:
    # Run as a user would, in its own pytest process: CI=true makes the plugin replay only.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOGETHER_", "CI"))}
    env["CI"] = "true"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "examples/testing_app",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_every_example_has_a_cassette_that_says_where_it_came_from() -> None:
    names = [p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")]
    assert len(names) >= 9
    paths = [cassette(name) for name in names]
    app_cassettes = sorted((EXAMPLES / "testing_app" / "cassettes").rglob("*.yaml"))
    assert app_cassettes, "examples/testing_app has no cassette"
    for path in [*paths, *app_cassettes]:
        assert path.exists(), f"{path.name}: the example has no cassette"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# recorded by together_fn"), path
        assert "loopback server" in first or "written by hand" in first, path
