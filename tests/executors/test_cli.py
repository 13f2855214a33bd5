"""The command line end to end: argv in, stdout/stderr/exit status and files out.

Every run answers from a cassette (written here, in vcrpy's v1 format) through the real
executor; nothing leaves the process.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from together_fn.calls import Call, StreamCall
from together_fn.cli import chat
from together_fn.cli.main import main, parse
from together_fn.config import ClientConfig, prepare
from together_fn.executors.cassette import (
    Cassette,
    Interaction,
    RecordedResponse,
    load_cassette,
    recorded_request,
    save_cassette,
    status_message,
)
from together_fn.executors.replay import ReplayTransport

KEY = "tk-cli-test-3e9b7a1c5d"
ENV = {"TOGETHER_API_KEY": KEY}
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(16))

CHAT = ["chat.completions", "--model", MODEL, "--message", "user", "Say hello"]
COMPLETE = ["completions", "--model", MODEL, "--prompt", "Once upon"]
EMBED = ["embeddings", "--model", "e5", "--input", "a", "--input", "b"]
RERANK = ["rerank", "--model", "r", "--query", "q", "--document", "sun", "--document", "rain"]
IMAGES = ["images", "generate", "--prompt", "a cat", "--model", "flux", "--n", "2"]
MODELS = ["models", "list"]
UPLOAD = ["models", "upload", "--model-name", "mine", "--model-source", "org/repo"]

CHAT_ANSWER = {
    "id": "c1",
    "model": MODEL,
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}}],
}
ANSWERS: dict[str, Any] = {
    "chat": CHAT_ANSWER,
    "completions": {"id": "x", "choices": [{"index": 0, "text": " a time"}]},
    "embeddings": {
        "model": "e5",
        "data": [{"index": 0, "embedding": [0.6, 0.8]}, {"index": 1, "embedding": [1.0, 0.0]}],
    },
    "rerank": {"results": [{"index": 1, "relevance_score": 0.75}]},
    "images": {
        "data": [
            {"index": 0, "b64_json": base64.b64encode(PNG).decode()},
            {"index": 1, "b64_json": base64.b64encode(PNG[::-1]).decode()},
        ]
    },
    "models": [{"id": "b/m", "type": "chat", "context_length": 4096}, {"id": "a/m"}],
    "upload": {"data": {"job_id": "job-9", "model_name": "mine"}, "message": "queued"},
}


def sse(*events: object) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def chunks(*texts: str) -> bytes:
    return sse(*({"id": "c1", "choices": [{"index": 0, "delta": {"content": t}}]} for t in texts))


def interaction(
    call: Call[Any] | StreamCall[Any],
    body: bytes | object,
    *,
    status: int = 200,
    headers: tuple[tuple[str, str], ...] = (),
) -> Interaction:
    """``call`` as the command line sends it, answered by ``body``."""
    request = prepare(call.request, ClientConfig(api_key=KEY))
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    kind = "text/event-stream" if data.startswith(b"data:") else "application/json"
    response = RecordedResponse(
        status=status,
        message=status_message(status),
        headers=(("content-type", kind), *headers),
        body=data,
    )
    return Interaction(request=recorded_request(request), response=response)


def call_of(argv: list[str]) -> Call[Any] | StreamCall[Any]:
    invocation = parse(argv)
    assert invocation.command.to_call is not None
    return invocation.command.to_call(invocation.args)


def cassette(path: Path, *interactions: Interaction) -> str:
    save_cassette(Cassette(interactions=interactions), path)
    return str(path)


class Refuse:
    """A transport for runs that must not send anything."""

    def send(self, request):
        raise AssertionError(f"sent {request.method} {request.full_url}")

    open = send

    def close(self):
        pass


class Ran:
    def __init__(self, status: int, out: str, err: str) -> None:
        self.status, self.out, self.err = status, out, err


def cli(*argv: str, stdin: Any = "", **kwargs: Any) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    given = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    env = kwargs.pop("env", ENV)
    status = main(list(argv), env=env, stdout=out, stderr=err, stdin=given, **kwargs)
    ran = Ran(status, out.getvalue(), err.getvalue())
    assert KEY not in ran.out + ran.err
    return ran


# --- every command, replayed --------------------------------------------------------------

CASES = {
    "chat": ([*CHAT, "--no-stream"], "Hello!\n"),
    "completions": ([*COMPLETE, "--no-stream"], " a time\n"),
    "embeddings": (EMBED, "2 vector(s) from e5\n"),
    "rerank": (RERANK, "rank  index  score   document\n1     1      0.7500  rain\n"),
    "models": (MODELS, "id   type  context length  pricing (USD / 1M tokens)\n"),
    "upload": (UPLOAD, "job id: job-9\nmodel: mine\nqueued\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_command_shows_its_answer(tmp_path, case):
    argv, shown = CASES[case]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), ANSWERS[case]))
    ran = cli("--replay", path, *argv)
    assert (ran.status, ran.err) == (0, "")
    assert ran.out.startswith(shown)


#: A value of each command's JSON output, and what it must be.
JSON_VALUES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "chat": (lambda d: d["choices"][0]["message"]["content"], "Hello!"),
    "completions": (lambda d: d["choices"][0]["text"], " a time"),
    "embeddings": (lambda d: [e["embedding"] for e in d["data"]], [[0.6, 0.8], [1.0, 0.0]]),
    "rerank": (lambda d: [(r["index"], r["relevance_score"]) for r in d["results"]], [(1, 0.75)]),
    "models": (
        lambda d: [(m["id"], m.get("context_length")) for m in d],
        [("a/m", None), ("b/m", 4096)],
    ),  # sorted by id
    "upload": (lambda d: (d["data"]["job_id"], d["message"]), ("job-9", "queued")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_command_prints_json(tmp_path, case):
    argv, _ = CASES[case]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), ANSWERS[case]))
    ran = cli("--json", "--replay", path, *argv)
    assert ran.status == 0
    value, expected = JSON_VALUES[case]
    assert value(json.loads(ran.out)) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_command_dry_run_prints_the_request_and_sends_nothing(case):
    argv, _ = CASES[case]

    ran = cli("--dry-run", *argv, transport=Refuse())
    assert ran.status == 0
    call = call_of(argv)
    first = ran.out.splitlines()[0]
    assert first == f"{call.request.method.value} https://api.together.ai/v1{call.request.url}"
    assert "authorization: <redacted>" in ran.out
    as_json = cli("--json", "--dry-run", *argv, env={})  # no key needed for a dry run
    assert as_json.status == 0
    assert json.loads(as_json.out)["headers"]["authorization"] == "<redacted>"


def test_the_model_upload_token_is_scrubbed_from_a_dry_run():
    ran = cli("--dry-run", *UPLOAD, "--hf-token", "hf_private_token_123")
    assert "hf_private_token_123" not in ran.out
    assert ran.status == 0


def test_images_are_saved_atomically_under_prefix_and_directory(tmp_path):
    out_dir = tmp_path / "out" / "nested"
    argv = [*IMAGES, "--output-dir", str(out_dir), "--prefix", "cat-"]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), ANSWERS["images"]))
    ran = cli("--replay", path, *argv)
    assert ran.status == 0
    assert ran.out.splitlines() == [str(out_dir / "cat-0.png"), str(out_dir / "cat-1.bin")]
    assert (out_dir / "cat-0.png").read_bytes() == PNG
    assert (out_dir / "cat-1.bin").read_bytes() == PNG[::-1]
    assert sorted(p.name for p in out_dir.iterdir()) == ["cat-0.png", "cat-1.bin"]


def test_images_that_cannot_be_saved_are_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    argv = [*IMAGES, "--output-dir", str(blocker)]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), ANSWERS["images"]))
    ran = cli("--replay", path, *argv)
    assert ran.status == 1
    assert ran.err.startswith("error: could not save the output")
    assert ran.out == ""


# --- streaming ------------------------------------------------------------------------------


def test_chat_streams_tokens_as_they_arrive(tmp_path):
    path = cassette(tmp_path / "c.yaml", interaction(call_of(CHAT), chunks("Hel", "lo", "!")))

    written: list[str] = []

    class Watching(io.StringIO):
        def write(self, text: str) -> int:
            written.append(text)
            return super().write(text)

    out = Watching()
    status = main(
        CHAT,
        env=ENV,
        stdout=out,
        stderr=io.StringIO(),
        transport=ReplayTransport(path, chunk_size=7),
    )
    assert status == 0
    assert out.getvalue() == "Hello!\n"
    assert written[:3] == ["Hel", "lo", "!"]


def test_completions_stream(tmp_path):
    body = sse(*({"id": "x", "choices": [{"index": 0, "text": t}]} for t in (" a", " time")))
    path = cassette(tmp_path / "c.yaml", interaction(call_of(COMPLETE), body))
    ran = cli("--replay", path, *COMPLETE)
    assert (ran.status, ran.out) == (0, " a time\n")


def test_raw_prints_each_chunk_as_a_json_line(tmp_path):
    path = cassette(tmp_path / "c.yaml", interaction(call_of([*CHAT, "--raw"]), chunks("a", "b")))
    ran = cli("--replay", path, *CHAT, "--raw")
    lines = [json.loads(line) for line in ran.out.splitlines()]
    assert [line["choices"][0]["delta"]["content"] for line in lines] == ["a", "b"]


def test_raw_without_stream_prints_the_response_as_json(tmp_path):
    argv = [*CHAT, "--raw", "--no-stream"]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), CHAT_ANSWER))
    ran = cli("--replay", path, *argv)
    assert json.loads(ran.out)["choices"][0]["message"]["content"] == "Hello!"


def test_an_error_event_mid_stream_ends_the_line_and_exits_1(tmp_path):
    body = chunks("partial")[: -len(b"data: [DONE]\n\n")] + sse({"error": {"message": "boom"}})
    path = cassette(tmp_path / "c.yaml", interaction(call_of(CHAT), body))
    ran = cli("--replay", path, *CHAT)
    assert ran.status == 1
    assert ran.out == "partial\n"
    assert ran.err.count("\n") == 1
    assert "boom" in ran.err


# --- errors ---------------------------------------------------------------------------------

ERROR = {"error": {"message": "model not found", "type": "invalid_request_error"}}


def test_an_api_error_is_one_line_with_status_type_message_and_request_id(tmp_path):
    answer = interaction(call_of(EMBED), ERROR, status=404, headers=(("x-request-id", "rq-7"),))
    path = cassette(tmp_path / "c.yaml", answer)
    ran = cli("--replay", path, *EMBED)
    assert ran.status == 1
    assert ran.out == ""
    assert ran.err.count("\n") == 1
    line = ran.err.strip()
    for part in ("NotFoundError", "404", "invalid_request_error", "model not found", "rq-7"):
        assert part in line
    assert "Traceback" not in ran.err


def test_debug_adds_the_details(tmp_path):
    answer = interaction(call_of(EMBED), ERROR, status=404, headers=(("x-request-id", "rq-7"),))
    path = cassette(tmp_path / "c.yaml", answer)
    ran = cli("--debug", "--replay", path, *EMBED)
    assert ran.status == 1
    assert "NotFoundError(" in ran.err
    assert "body: " in ran.err
    assert "model not found" in ran.err


def test_a_cassette_miss_is_a_clean_error_line(tmp_path):
    path = cassette(tmp_path / "c.yaml", interaction(call_of(MODELS), ANSWERS["models"]))
    ran = cli("--replay", path, *EMBED)
    assert ran.status == 1
    assert ran.err.count("\n") == 1
    assert ran.err.startswith("error: CassetteError: no recorded interaction")
    assert "internal error" not in ran.err


def test_a_cassette_miss_mid_stream_is_a_clean_error_line(tmp_path):
    path = cassette(tmp_path / "c.yaml", interaction(call_of(MODELS), ANSWERS["models"]))
    ran = cli("--replay", path, *CHAT)
    assert ran.status == 1
    assert ran.err.startswith("error: CassetteError: ")


def test_a_missing_cassette_is_a_usage_error(tmp_path):
    ran = cli("--replay", str(tmp_path / "absent.yaml"), *MODELS)
    assert ran.status == 2
    assert "cannot read cassette" in ran.err


def test_no_api_key_is_a_usage_error():
    ran = cli(*MODELS, env={})
    assert ran.status == 2
    assert "no API key" in ran.err
    assert "TOGETHER_API_KEY" in ran.err


def test_a_rejected_value_exits_3_before_sending():
    ran = cli(*CHAT, "--top-p", "2", transport=Refuse())
    assert ran.status == 3
    assert ran.err.startswith("together-fn: invalid value:")
    assert "top_p" in ran.err


def test_an_unexpected_failure_is_one_line_and_a_traceback_with_debug(tmp_path):
    class Broken:
        def send(self, request):
            raise RuntimeError("bug in a transport")

        open = send

        def close(self):
            pass

    ran = cli(*MODELS, transport=Broken())
    assert ran.status == 1
    assert ran.err.startswith("together-fn: internal error: RuntimeError: bug in a transport")
    assert "Traceback" not in ran.err
    debug = cli("--debug", *MODELS, transport=Broken())
    assert "Traceback (most recent call last)" in debug.err


def test_ctrl_c_exits_130(tmp_path):
    class Interrupting:
        def send(self, request):
            raise KeyboardInterrupt

        open = send

        def close(self):
            pass

    ran = cli(*MODELS, transport=Interrupting())
    assert (ran.status, ran.err) == (130, "interrupted\n")


# --- recording ------------------------------------------------------------------------------


def test_record_writes_a_cassette_without_the_key(tmp_path):
    source = cassette(tmp_path / "source.yaml", interaction(call_of(EMBED), ANSWERS["embeddings"]))
    target = tmp_path / "recorded.yaml"
    ran = cli("--record", str(target), *EMBED, transport=ReplayTransport(source))
    assert ran.status == 0
    text = target.read_text()
    assert KEY not in text
    assert "authorization" not in text.lower()
    recorded = load_cassette(target).interactions
    assert [i.request.uri for i in recorded] == ["https://api.together.ai/v1/embeddings"]
    # The recording answers the same command on its own.
    again = cli("--replay", str(target), *EMBED)
    assert again.status == 0
    assert again.out.startswith("2 vector(s) from e5")


def test_a_hand_written_cassette_pins_the_wire_request(tmp_path):
    path = tmp_path / "chat.yaml"
    path.write_text(
        """interactions:
- request:
    method: POST
    uri: https://api.together.ai/v1/chat/completions
    body: '{"model": "m", "messages": [{"role": "user", "content": "hi"}],
      "temperature": 0.5, "top_k": 3, "stop": ["x", "y"]}'
    headers: {}
  response:
    status: {code: 200, message: OK}
    headers:
      content-type: [application/json]
    body:
      string: '{"choices": [{"index": 0, "message": {"role": "assistant", "content": "yo"}}]}'
version: 1
"""
    )
    ran = cli(
        "--replay",
        str(path),
        "chat.completions",
        "--model",
        "m",
        "--message",
        "user",
        "hi",
        "--top-k",
        "3",
        "--temperature",
        "0.5",
        "--stop",
        "x",
        "--stop",
        "y",
        "--no-stream",
    )
    assert (ran.status, ran.out, ran.err) == (0, "yo\n", "")


def test_python_dash_m_runs_the_command_line():
    # In a child process, as users run it (under pytest, the plugin's entry point puts the
    # package behind pytest's assertion-rewriting loader, which runpy cannot use).
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "together_fn", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("together-fn ")


# --- the interactive chat -------------------------------------------------------------------


def _turn(messages: list[dict[str, str]], *pieces: str) -> Interaction:
    args = parse(["chat", "--model", MODEL]).args
    return interaction(chat.turn_call(args, MODEL, messages), chunks(*pieces))


def test_chat_keeps_the_conversation_and_ends_at_exit(tmp_path):
    first = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    second = [*first, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "bye"}]
    path = cassette(tmp_path / "c.yaml", _turn(first, "hel", "lo"), _turn(second, "see", " you"))
    ran = cli(
        "--replay",
        path,
        "chat",
        "--model",
        MODEL,
        "--system",
        "be brief",
        stdin="hi\n\nbye\n/exit\nnever sent\n",
    )
    assert (ran.status, ran.err) == (0, "")
    assert ran.out == "hello\nsee you\n"


def test_chat_ends_at_end_of_input_and_reports_a_failed_turn(tmp_path):
    path = cassette(tmp_path / "c.yaml", _turn([{"role": "user", "content": "hi"}], "hello"))
    ran = cli("--replay", path, "chat", "--model", MODEL, stdin="hi\nunrecorded")
    assert ran.status == 1
    assert ran.out == "hello\n"
    assert ran.err.startswith("error: CassetteError")


def test_chat_prompts_on_stderr_only_when_someone_types(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    ran = cli("--dry-run", "chat", "--model", MODEL, stdin=Terminal("hi\n"))
    assert ran.err == chat.PROMPT * 2
    assert ran.out.startswith("POST https://api.together.ai/v1/chat/completions")
    piped = cli("--dry-run", "chat", "--model", MODEL, stdin="hi\n")
    assert piped.err == ""


def test_chat_ctrl_c_exits_130():
    class Interrupted:
        """stdin where the person presses Ctrl-C."""

        def isatty(self) -> bool:
            return True

        def readline(self) -> str:
            raise KeyboardInterrupt

    ran = cli("chat", "--model", MODEL, stdin=Interrupted(), transport=Refuse())
    assert ran.status == 130


def test_chat_rejects_bad_values_before_reading():
    ran = cli("chat", "--model", MODEL, "--temperature", "-1", stdin="hi\n", transport=Refuse())
    assert ran.status == 3
    assert ran.out == ""


def test_record_a_stream_keeps_every_event(tmp_path):
    source = cassette(tmp_path / "source.yaml", interaction(call_of(CHAT), chunks("a", "b")))
    target = tmp_path / "recorded.yaml"
    ran = cli("--record", str(target), *CHAT, transport=ReplayTransport(source, chunk_size=3))
    assert (ran.status, ran.out) == (0, "ab\n")
    assert KEY not in target.read_text()
    (recorded,) = load_cassette(target).interactions
    assert recorded.response.body == chunks("a", "b")


def test_base_url_and_key_options_shape_the_request():
    ran = cli(
        "--api-key", "tk-option-key-0123456789", "--base-url", "http://127.0.0.1:9/v2",
        "--dry-run", *MODELS, env={},
    )  # fmt: skip
    assert ran.out.splitlines()[0] == "GET http://127.0.0.1:9/v2/models"
    assert "tk-option-key-0123456789" not in ran.out
    assert "authorization: <redacted>" in ran.out


def test_an_invalid_base_url_is_a_usage_error():
    ran = cli("--base-url", "not a url", *MODELS, transport=Refuse())
    assert ran.status == 2
    assert ran.err.startswith("together-fn: error: invalid configuration")
