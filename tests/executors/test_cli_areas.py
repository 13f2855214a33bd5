"""The command line end to end for files, fine-tuning, batches, endpoints, evaluation, audio.

Same harness as ``test_cli.py``: cassettes written here, answered by the real executor.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.executors.test_cli import KEY, Refuse, call_of, cassette, cli, interaction
from together_fn import api
from together_fn.cli import files, fine_tunes
from together_fn.cli.main import COMMANDS, parse
from together_fn.config import ClientConfig, prepare
from together_fn.executors.cassette import (
    Interaction,
    RecordedRequest,
    RecordedResponse,
    recorded_request,
)
from together_fn.transfers.upload import preprocess_file

JOB = {
    "id": "ft-1",
    "status": "completed",
    "model": "base/m",
    "model_output_name": "me/m-ft",
    "training_type": {"type": "Lora", "lora_r": 8, "lora_alpha": 16},
    "created_at": "2025-01-02T03:04:05Z",
}
FILE = {"id": "file-1", "filename": "train.jsonl", "purpose": "fine-tune", "bytes": 2048,
        "created_at": 1700000000, "line_count": 120, "Processed": True}  # fmt: skip
BATCH = {"id": "b-1", "status": "IN_PROGRESS", "progress": 42.0, "endpoint": "/v1/chat/completions",
         "created_at": "2025-01-01T00:00:00Z"}  # fmt: skip
ENDPOINT = {"id": "e-1", "name": "me/m-abc", "model": "m", "hardware": "h", "state": "STARTED",
            "autoscaling": {"min_replicas": 1, "max_replicas": 2}, "type": "dedicated"}  # fmt: skip
EVALUATION = {"workflow_id": "w-1", "type": "score", "status": "completed",
              "results": {"aggregated_scores": {"mean_score": 7.5}}}  # fmt: skip
PARAMETERS = json.dumps(
    {
        "judge": {"model": "j", "system_template": "Judge", "model_source": "serverless"},
        "input_data_file_path": "file-1",
        "model_a": "a",
        "model_b": "b",
    }
)

#: For every command: a command line, the server's answer, and a line the output must have.
#: Commands that perform several requests are tested on their own below (answer ``None``).
SAMPLES: dict[str, tuple[list[str], Any, str]] = {
    "chat.completions": (["chat.completions", "--model", "m", "--message", "user", "hi"], None, ""),
    "chat": (["chat", "--model", "m"], None, ""),
    "completions": (["completions", "--model", "m", "--prompt", "p"], None, ""),
    "embeddings": (["embeddings", "--model", "m", "--input", "x"], None, ""),
    "rerank": (["rerank", "--model", "m", "--query", "q", "--document", "d"], None, ""),
    "images generate": (["images", "generate", "--prompt", "p", "--model", "m"], None, ""),
    "models list": (["models", "list"], None, ""),
    "models upload": (["models", "upload", "--model-name", "n", "--model-source", "s"], None, ""),
    "files check": (["files", "check", "data.jsonl"], None, ""),
    "files upload": (["files", "upload", "data.jsonl"], None, ""),
    "bulk run": (["bulk", "run", "data.jsonl", "--out", "out.jsonl"], None, ""),
    "files retrieve-content": (["files", "retrieve-content", "file-1"], None, ""),
    "fine-tuning create": (["fine-tuning", "create", "--training-file", "f", "--model", "m"],
                           None, ""),
    "fine-tuning delete": (["fine-tuning", "delete", "ft-1"], None, ""),
    "fine-tuning download": (["fine-tuning", "download", "ft-1"], None, ""),
    "audio speech": (["audio", "speech", "--model", "m", "--input", "hi", "--voice", "v"],
                     None, ""),
    "files list": (["files", "list"], {"data": [FILE]},
                   "file-1  train.jsonl  fine-tune  2.0 KiB  2023-11-14 22:13:20  120"),
    "files retrieve": (["files", "retrieve", "file-1"], FILE, "processed: True"),
    "files delete": (["files", "delete", "file-1"], {"id": "file-1", "deleted": True},
                     "deleted file-1"),
    "fine-tuning list": (["fine-tuning", "list"], {"data": [JOB]},
                         "ft-1  completed  base/m  me/m-ft       2025-01-02T03:04:05Z"),
    "fine-tuning retrieve": (["fine-tuning", "retrieve", "ft-1"], JOB, "training type: Lora"),
    "fine-tuning cancel": (["fine-tuning", "cancel", "ft-1"], {**JOB, "status": "cancelled"},
                           "status:        cancelled"),
    "fine-tuning list-events": (
        ["fine-tuning", "list-events", "ft-1"],
        {"data": [{"created_at": "t1", "level": "info", "type": "JOB_START", "message": "go"}]},
        "t1       info   JOB_START  go",
    ),
    "fine-tuning list-checkpoints": (
        ["fine-tuning", "list-checkpoints", "ft-1"],
        {"data": [{"step": 10, "checkpoint_type": "Intermediate", "created_at": "t", "path": "p"}]},
        "10    Intermediate  t        p",
    ),
    "fine-tuning estimate-price": (
        ["fine-tuning", "estimate-price", "--training-file", "f", "--model", "m"],
        {"estimated_total_price": 12.5, "allowed_to_proceed": True, "user_limit": 100.0},
        "estimated price:    $12.50",
    ),
    "batches create": (["batches", "create", "file-1", "--endpoint", "/v1/chat/completions"],
                       {"job": BATCH, "warning": "slow"}, "warning: slow"),
    "batches list": (["batches", "list"], [BATCH],
                     "b-1  IN_PROGRESS  42%       /v1/chat/completions  -"),
    "batches retrieve": (["batches", "retrieve", "b-1"], BATCH, "progress: 42%"),
    "batches cancel": (["batches", "cancel", "b-1"], {**BATCH, "status": "CANCELLED"},
                       "status:   CANCELLED"),
    "endpoints create": (["endpoints", "create", "--model", "m", "--hardware", "h",
                          "--min-replicas", "1", "--max-replicas", "2"], ENDPOINT,
                         "replicas: 1-2"),
    "endpoints list": (["endpoints", "list"], {"data": [ENDPOINT]},
                       "e-1  me/m-abc  m      dedicated  STARTED"),
    "endpoints retrieve": (["endpoints", "retrieve", "e-1"], ENDPOINT, "state:    STARTED"),
    "endpoints update": (["endpoints", "update", "e-1", "--display-name", "x"], ENDPOINT,
                         "id:       e-1"),
    "endpoints start": (["endpoints", "start", "e-1"], ENDPOINT, "state:    STARTED"),
    "endpoints stop": (["endpoints", "stop", "e-1"], {**ENDPOINT, "state": "STOPPED"},
                       "state:    STOPPED"),
    "endpoints delete": (["endpoints", "delete", "e-1"], b"", "deleted e-1"),
    "endpoints hardware": (
        ["endpoints", "hardware"],
        {"data": [{"id": "h", "pricing": {"cents_per_minute": 5.0},
                   "specs": {"gpu_type": "h100", "gpu_count": 2, "gpu_memory": 80},
                   "availability": {"status": "available"}}]},
        "h   2x h100  80 GB   $3.00     available",
    ),
    "endpoints availability-zones": (["endpoints", "availability-zones"],
                                     {"avzones": ["us-b", "us-a"]}, "us-a"),
    "evaluation create": (["evaluation", "create", "--type", "compare", "--parameters",
                           PARAMETERS], {"workflow_id": "w-1", "status": "pending"},
                          "id:     w-1"),
    "evaluation list": (["evaluation", "list"], [EVALUATION], "w-1  score  completed  -"),
    "evaluation retrieve": (["evaluation", "retrieve", "w-1"], EVALUATION,
                            "results: aggregated_scores={'mean_score': 7.5}"),
    "evaluation status": (["evaluation", "status", "w-1"],
                          {"status": "completed", "results": EVALUATION["results"]},
                          "status:  completed"),
    "evaluation models": (["evaluation", "models"], {"model_list": ["b", "a"]}, "a"),
    "audio transcribe": (["audio", "transcribe", "https://example.invalid/a.wav"],
                         {"text": "hello there"}, "hello there"),
}  # fmt: skip

ANSWERED = sorted(name for name, (_, answer, _) in SAMPLES.items() if answer is not None)


def test_every_command_has_a_sample():
    assert set(SAMPLES) == set(COMMANDS)


@pytest.mark.parametrize("name", ANSWERED)
def test_command_shows_its_answer(tmp_path, name):
    argv, answer, line = SAMPLES[name]
    status = 204 if answer == b"" else 200
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), answer, status=status))
    ran = cli("--replay", path, *argv)
    assert (ran.status, ran.err) == (0, "")
    assert line in ran.out, ran.out


@pytest.mark.parametrize("name", ANSWERED)
def test_command_prints_json(tmp_path, name):
    argv, answer, _ = SAMPLES[name]
    status = 204 if answer == b"" else 200
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), answer, status=status))
    ran = cli("--json", "--replay", path, *argv)
    assert ran.status == 0
    data = json.loads(ran.out)
    if isinstance(answer, dict):
        # The top-level fields the server sent come out as they were (models add defaults).
        assert set(answer) <= set(data) | {"Processed"}
        scalars = {k: v for k, v in answer.items() if isinstance(v, str | int | float)}
        assert {k: data[k] for k in scalars if k in data} == {
            k: v for k, v in scalars.items() if k in data
        }


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_command_dry_run(tmp_path, name):
    argv, _, _ = SAMPLES[name]
    if name in ("files check", "files upload"):
        (tmp_path / "data.jsonl").write_text(GOOD_LINE * 100)
        argv = [*argv[:2], str(tmp_path / "data.jsonl")]
    if name == "bulk run":
        (tmp_path / "data.jsonl").write_text(BULK_LINES)
        argv = [*argv[:2], str(tmp_path / "data.jsonl"), *argv[3:]]
    ran = cli("--dry-run", *argv, transport=Refuse(), stdin="hello\n")
    assert ran.status == 0, ran.err
    if name != "files check":
        method, url = ran.out.splitlines()[0].split(" ", 1)
        assert method in ("GET", "POST", "PATCH", "DELETE")
        assert url.startswith("https://api.together.ai/v1/")
        assert "authorization: <redacted>" in ran.out


# --- files --------------------------------------------------------------------------------

GOOD_LINE = '{"text": "a sample"}\n'


def test_files_check_passes_a_good_file_and_needs_no_key(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD_LINE * 100)
    ran = cli("files", "check", str(good), env={}, transport=Refuse())
    assert (ran.status, ran.err) == (0, "")
    assert ran.out.startswith("Check passed: jsonl")


def test_files_check_fails_a_bad_file_with_status_3(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n" + GOOD_LINE * 100)
    ran = cli("files", "check", str(bad), transport=Refuse())
    assert ran.status == 3
    assert "line 1: error [invalid_json]" in ran.out
    as_json = cli("--json", "files", "check", str(bad), transport=Refuse())
    report = json.loads(as_json.out)
    assert (as_json.status, report["ok"]) == (3, False)
    assert report["problems"][0]["line"] == 1


def test_files_retrieve_content_saves_the_file(tmp_path):
    argv = ["files", "retrieve-content", "file-1", "--output", str(tmp_path / "out.jsonl")]
    body = GOOD_LINE.encode() * 3
    answer = interaction(call_of(argv), body, headers=(("content-length", str(len(body))),))
    path = cassette(tmp_path / "c.yaml", answer)
    ran = cli("--replay", path, *argv)
    assert (ran.status, ran.err) == (0, "")
    assert ran.out == f"{tmp_path / 'out.jsonl'}\n"
    assert (tmp_path / "out.jsonl").read_bytes() == body
    again = cli("--replay", path, *argv)  # an existing file is kept without --overwrite
    assert again.status == 1
    assert again.err.startswith("error: DownloadError")


SIGNED = "https://storage.example.com/bucket/object?signature=abc"


def _upload_cassette(tmp_path: Path, data: Path) -> str:
    # POST /files is answered with a redirect to signed storage, then the bytes go there.
    request = prepare(files.first_request(str(data), "fine-tune"), ClientConfig(api_key=KEY))
    start = Interaction(
        request=recorded_request(request),
        response=RecordedResponse(
            status=302,
            message="Found",
            headers=(("location", SIGNED), ("x-together-file-id", "file-9")),
        ),
    )
    put = Interaction(
        request=RecordedRequest(method="PUT", uri=SIGNED),
        response=RecordedResponse(status=200, message="OK"),
    )
    done = interaction(preprocess_file("file-9"), {**FILE, "id": "file-9"})
    return cassette(tmp_path / "c.yaml", start, put, done)


def test_files_upload_checks_then_uploads(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text(GOOD_LINE * 100)
    path = _upload_cassette(tmp_path, data)
    ran = cli("--replay", path, "files", "upload", str(data))
    assert (ran.status, ran.err) == (0, "")
    assert "id:        file-9" in ran.out
    as_json = cli("--json", "--replay", path, "files", "upload", str(data))
    assert json.loads(as_json.out)["id"] == "file-9"


def test_files_upload_of_a_bad_file_sends_nothing(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("oops\n")
    ran = cli("files", "upload", str(data), transport=Refuse())
    assert ran.status == 3
    assert ran.out == ""
    assert "invalid_json" in ran.err
    unchecked = cli("--dry-run", "files", "upload", str(data), "--no-check", transport=Refuse())
    assert unchecked.status == 0
    assert unchecked.out.startswith("POST https://api.together.ai/v1/files\n")


def test_files_upload_of_a_missing_file_or_type(tmp_path):
    missing = cli("files", "upload", str(tmp_path / "absent.jsonl"), transport=Refuse())
    assert missing.status == 3
    assert "no such file" in missing.err
    text = tmp_path / "notes.txt"
    text.write_text("x")
    wrong = cli("--dry-run", "files", "upload", str(text), "--no-check", transport=Refuse())
    assert wrong.status == 3
    assert ".jsonl, .csv or .parquet" in wrong.err


# --- fine-tuning --------------------------------------------------------------------------

CREATE = ["fine-tuning", "create", "--training-file", "file-1", "--model", "base/m"]
ESTIMATE = {"estimated_total_price": 3.25, "allowed_to_proceed": True}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _create_cassette(tmp_path: Path, *, created: bool = True) -> str:
    create = fine_tunes.create_call(parse(CREATE).args)
    answers = [interaction(api.fine_tunes.estimate_price_of(create), ESTIMATE)]
    if created:
        answers.append(interaction(create, {**JOB, "status": "pending"}))
    return cassette(tmp_path / "c.yaml", *answers)


def test_fine_tuning_create_shows_the_estimate_and_starts_when_confirmed(tmp_path):
    path = _create_cassette(tmp_path)
    ran = cli("--replay", path, *CREATE, stdin=Terminal("y\n"))
    assert ran.status == 0
    assert "estimated price:    $3.25" in ran.err
    assert "Start this fine-tuning job? [y/N]" in ran.err
    assert "status:        pending" in ran.out
    assert "$3.25" not in ran.out  # stdout holds only the result


def test_fine_tuning_create_declined_starts_nothing(tmp_path):
    path = _create_cassette(tmp_path, created=False)
    ran = cli("--replay", path, *CREATE, stdin=Terminal("n\n"))
    assert (ran.status, ran.out) == (1, "")
    assert ran.err.endswith("not started\n")


@pytest.mark.parametrize("how", ["-y", "piped"])
def test_fine_tuning_create_without_asking(tmp_path, how):
    path = _create_cassette(tmp_path)
    extra, stdin = (["-y"], Terminal("")) if how == "-y" else ([], io.StringIO(""))
    ran = cli("--replay", path, *CREATE, *extra, stdin=stdin)
    assert ran.status == 0
    assert "[y/N]" not in ran.err
    assert "id:            ft-1" in ran.out


def test_fine_tuning_create_goes_on_without_an_estimate(tmp_path):
    create = fine_tunes.create_call(parse(CREATE).args)
    estimate = interaction(
        api.fine_tunes.estimate_price_of(create), {"error": {"message": "nope"}}, status=400
    )
    path = cassette(tmp_path / "c.yaml", estimate, interaction(create, JOB))
    ran = cli("--replay", path, *CREATE, "-y")
    assert ran.status == 0
    assert "warning: no price estimate: 400" in ran.err


def test_fine_tuning_create_dry_run_shows_both_requests():
    ran = cli("--dry-run", *CREATE, transport=Refuse())
    starts = [line for line in ran.out.splitlines() if line.startswith("POST ")]
    assert starts == [
        "POST https://api.together.ai/v1/fine-tunes/estimate-price",
        "POST https://api.together.ai/v1/fine-tunes",
    ]


def test_fine_tuning_create_rejects_bad_values_with_3():
    ran = cli(*CREATE, "--lora", "--full", transport=Refuse())
    assert ran.status == 3
    assert "not both" in ran.err


def test_fine_tuning_create_scrubs_the_wandb_key():
    ran = cli("--dry-run", *CREATE, "--wandb-api-key", "wandb-secret-123", transport=Refuse())
    assert "wandb-secret-123" not in ran.out


def test_fine_tuning_delete_asks_when_someone_types(tmp_path):
    call = api.fine_tunes.delete_fine_tune("ft-1")
    path = cassette(tmp_path / "c.yaml", interaction(call, {"message": "job deleted"}))
    declined = cli("--replay", path, "fine-tuning", "delete", "ft-1", stdin=Terminal("no\n"))
    assert (declined.status, declined.out) == (1, "")
    agreed = cli("--replay", path, "fine-tuning", "delete", "ft-1", stdin=Terminal("yes\n"))
    assert (agreed.status, agreed.out) == (0, "job deleted\n")


def test_fine_tuning_download_reads_the_job_then_saves_the_archive(tmp_path):
    archive = b"\x28\xb5\x2f\xfd" + bytes(64)  # zstd magic, then anything
    # The job is LoRA, so the default checkpoint is the merged model.
    call = api.fine_tunes.download_fine_tune("ft-1", checkpoint_type="merged")
    path = cassette(
        tmp_path / "c.yaml",
        interaction(api.fine_tunes.retrieve_fine_tune("ft-1"), JOB),
        interaction(
            call, archive, headers=(("content-disposition", 'attachment; filename="m.tar.zst"'),)
        ),
    )
    ran = cli("--replay", path, "fine-tuning", "download", "ft-1", "--output", str(tmp_path))
    assert (ran.status, ran.err) == (0, "")
    saved = Path(ran.out.strip())
    assert saved.parent == tmp_path
    assert saved.read_bytes() == archive


def test_fine_tuning_download_of_a_missing_job_is_an_api_error(tmp_path):
    missing = interaction(
        api.fine_tunes.retrieve_fine_tune("ft-9"), {"error": {"message": "no such job"}},
        status=404,
    )  # fmt: skip
    path = cassette(tmp_path / "c.yaml", missing)
    ran = cli("--replay", path, "fine-tuning", "download", "ft-9", "--output", str(tmp_path))
    assert ran.status == 1
    assert ran.err.startswith("error: NotFoundError: 404")


# --- audio --------------------------------------------------------------------------------


def test_audio_speech_writes_the_file(tmp_path):
    target = tmp_path / "voice" / "hi.mp3"
    argv = ["audio", "speech", "--model", "m", "--input", "hi", "--voice", "v",
            "--response-format", "mp3", "--output", str(target)]  # fmt: skip
    audio = b"ID3" + bytes(range(50))
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), audio))
    ran = cli("--replay", path, *argv)
    assert (ran.status, ran.err) == (0, "")
    assert ran.out == f"{target} ({len(audio)} bytes)\n"
    assert target.read_bytes() == audio
    as_json = cli(
        "--json",
        "--replay",
        cassette(tmp_path / "d.yaml", interaction(call_of(argv), audio)),
        *argv,
    )
    assert json.loads(as_json.out) == {"path": str(target), "bytes": len(audio)}


def test_secrets_never_reach_the_output(tmp_path):
    argv = ["files", "list"]
    path = cassette(tmp_path / "c.yaml", interaction(call_of(argv), {"data": [{"id": KEY}]}))
    ran = cli("--replay", path, *argv)  # the helper asserts the key is absent
    assert "<redacted>" in ran.out


# --- bulk ---------------------------------------------------------------------------------

BULK_LINES = "".join(
    json.dumps({"custom_id": f"q-{n}", "body": {"model": "m", "messages": [
        {"role": "user", "content": f"question {n}"}]}}) + "\n"
    for n in range(3)
)  # fmt: skip


def bulk_interactions(failing: int | None = None) -> list[Any]:
    from together_fn.bulk.endpoints import build_call, endpoint_for

    answers = []
    for n, line in enumerate(BULK_LINES.splitlines()):
        call = build_call(endpoint_for("/v1/chat/completions"), json.loads(line)["body"])
        if n == failing:
            answers.append(interaction(call, {"error": {"message": "bad"}}, status=400))
        else:
            answers.append(interaction(call, {"id": f"c-{n}", "choices": [], "answer": n}))
    return answers


def test_bulk_run_writes_every_id_once_and_a_rerun_sends_nothing(tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(BULK_LINES)
    path = cassette(tmp_path / "c.yaml", *bulk_interactions())
    ran = cli("--replay", path, "bulk", "run", str(source), "--out", str(out), "--concurrency", "2")
    assert ran.status == 0, ran.err
    assert "3 written (3 ok, 0 failed)" in ran.out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["custom_id"] for line in lines) == ["q-0", "q-1", "q-2"]
    assert {line["custom_id"]: line["response"]["answer"] for line in lines} == {
        "q-0": 0, "q-1": 1, "q-2": 2,
    }  # fmt: skip
    # Everything is written: the rerun needs no cassette entry at all.
    empty = cassette(tmp_path / "empty.yaml")
    again = cli("--json", "--replay", empty, "bulk", "run", str(source), "--out", str(out))
    assert again.status == 0, again.err
    assert json.loads(again.out)["skipped"] == 3


def test_bulk_run_exits_1_when_a_request_fails_and_3_on_bad_input(tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(BULK_LINES)
    path = cassette(tmp_path / "c.yaml", *bulk_interactions(failing=1))
    ran = cli("--replay", path, "bulk", "run", str(source), "--out", str(out))
    assert ran.status == 1
    assert "1 failed" in ran.out
    duplicated = tmp_path / "dup.jsonl"
    duplicated.write_text(BULK_LINES + BULK_LINES.splitlines(keepends=True)[0])
    bad = cli("--replay", path, "bulk", "run", str(duplicated), "--out", str(tmp_path / "o2"))
    assert bad.status == 3
    assert "q-0" in bad.err
    assert not (tmp_path / "o2").exists()
