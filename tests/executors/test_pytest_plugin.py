"""The pytest plugin, end to end: a user's test records a cassette, then replays it offline.

Each scenario runs pytest in a subprocess on a small test file in ``tmp_path`` (the plugin is
found through its entry point, as in a user's project), against a loopback server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.executors.loopback import Loopback, json_reply

SECRET = "plugin-secret-key-0123456789"
ANSWER = {
    "id": "c-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello, tests!"}}],
}
APP_TEST = """
import asyncio
import pytest


def test_greeting(together_client):
    answer = together_client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Greet the tests"}]
    )
    assert answer.choices[0].message.content == "Hello, tests!"


@pytest.mark.together_cassette("shared/greeting")
def test_named(together_client):
    answer = together_client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Greet the tests"}]
    )
    assert answer.choices[0].message.content == "Hello, tests!"


def test_async(async_together_client):
    async def ask():
        answer = await async_together_client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "Greet the tests"}]
        )
        return answer.choices[0].message.content

    assert asyncio.run(ask()) == "Hello, tests!"
"""


def run_pytest(
    folder: Path, *args: str, base_url: str, key: str | None, ci: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOGETHER_", "CI"))}
    env["TOGETHER_BASE_URL"] = base_url
    if key is not None:
        env["TOGETHER_API_KEY"] = key
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "test_app.py").write_text(APP_TEST, encoding="utf-8")
    return tmp_path


def test_record_once_then_replay_offline_without_a_key(app: Path) -> None:
    with Loopback() as server:
        server.route("/v1/chat/completions", json_reply(ANSWER))
        base_url = f"{server.url}/v1"
        recorded = run_pytest(app, "--together-record-mode=once", base_url=base_url, key=SECRET)
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        assert server.hits("/v1/chat/completions") == 3
    cassettes = sorted(p.relative_to(app).as_posix() for p in app.rglob("*.yaml"))
    assert cassettes == [
        "cassettes/test_app/test_async.yaml",
        "cassettes/test_app/test_greeting.yaml",
        "shared/greeting.yaml",
    ]
    for cassette in app.rglob("*.yaml"):
        text = cassette.read_text(encoding="utf-8")
        assert SECRET not in text
        assert "authorization" not in text.lower()
    # The server is gone: replay (the CI default) needs neither the network nor a key.
    replayed = run_pytest(app, base_url=base_url, key=None, ci=True)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "3 passed" in replayed.stdout
    # Nor does "once" (the default elsewhere) once the cassettes exist: it never records then.
    again = run_pytest(app, base_url=base_url, key=None)
    assert again.returncode == 0, again.stdout + again.stderr


def test_replay_mode_fails_a_test_whose_cassette_is_missing(app: Path) -> None:
    result = run_pytest(app, "-k", "greeting", base_url="http://127.0.0.1:9/v1", key=None, ci=True)
    assert result.returncode == 1
    assert "mode 'none' never records" in result.stdout


def test_recording_without_a_key_is_a_usage_error(app: Path) -> None:
    result = run_pytest(
        app, "--together-record-mode=once", base_url="http://127.0.0.1:9/v1", key=None
    )
    assert result.returncode != 0
    assert "set TOGETHER_API_KEY" in result.stdout + result.stderr


def test_rewrite_records_afresh(app: Path) -> None:
    changed = {**ANSWER, "choices": [{"index": 0, "message": {"content": "Hello, tests!"}}]}
    with Loopback() as server:
        server.route("/v1/chat/completions", json_reply(ANSWER), json_reply(changed))
        base_url = f"{server.url}/v1"
        first = run_pytest(
            app, "-k", "test_greeting", "--together-record-mode=once", base_url=base_url, key=SECRET
        )
        assert first.returncode == 0, first.stdout
        again = run_pytest(
            app, "-k", "test_greeting", "--together-record-mode=once", base_url=base_url, key=SECRET
        )
        assert again.returncode == 0, again.stdout
        assert server.hits("/v1/chat/completions") == 1  # "once" replayed the second time
        rewritten = run_pytest(
            app,
            "-k",
            "test_greeting",
            "--together-record-mode=rewrite",
            base_url=base_url,
            key=SECRET,
        )
        assert rewritten.returncode == 0, rewritten.stdout
        assert server.hits("/v1/chat/completions") == 2
    cassette = app / "cassettes" / "test_app" / "test_greeting.yaml"
    assert cassette.read_text(encoding="utf-8").count("request:") == 1
