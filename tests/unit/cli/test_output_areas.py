"""Pure views of the files, fine-tuning, batches, endpoints and evaluation answers."""

from __future__ import annotations

import json

from returns.result import Success

from together_fn.cli import batches, chat, endpoints, evaluation, files, fine_tunes
from together_fn.cli.output import details, size, when
from together_fn.codec import decode_json
from together_fn.models.batches import BatchJobList
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.models.evaluation import EvaluationJob
from together_fn.models.files import FileList
from together_fn.models.fine_tunes import FinetunePriceEstimate, FinetuneTruncatedList
from together_fn.models.hardware import ListHardwareResponse


def decoded(payload: object, cls):
    result = decode_json(json.dumps(payload).encode(), cls)
    assert isinstance(result, Success), result
    return result.unwrap()


def test_details_aligns_and_skips_missing_values():
    assert details([("id", "x"), ("gone", None), ("status", "ok")]) == "id:     x\nstatus: ok"
    assert details([]) == ""


def test_sizes_and_times():
    assert [size(n) for n in (None, 0, 1023, 1024, 5 * 1024**2)] == [
        None,
        "0 B",
        "1023 B",
        "1.0 KiB",
        "5.0 MiB",
    ]
    assert size(3 * 1024**4) == "3072.0 GiB"
    assert when(None) is None
    assert when(86400) == "1970-01-02 00:00:00"


def test_files_newest_first():
    listed = decoded(
        {"data": [{"id": "old", "created_at": 1}, {"id": "new", "created_at": 2}, {"id": "x"}]},
        FileList,
    )
    lines = files.render_list(listed).splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["new", "old", "x"]
    assert lines[-1] == "3 files"


def test_fine_tuning_estimate_and_list():
    estimate = FinetunePriceEstimate(
        estimated_total_price=1234.5, allowed_to_proceed=False, estimated_train_token_count=2e6
    )
    assert fine_tunes.render_estimate(estimate).splitlines() == [
        "estimated price:    $1,234.50",
        "training tokens:    2,000,000",
        "allowed to proceed: False",
    ]
    jobs = decoded(
        {"data": [{"id": "a", "created_at": "2024"}, {"id": "b", "created_at": "2025"}]},
        FinetuneTruncatedList,
    )
    lines = fine_tunes.render_list(jobs).splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["b", "a"]
    assert lines[-1] == "2 jobs"


def test_batches_list_counts():
    assert batches.render_list(decoded([{"id": "b"}], BatchJobList)).endswith("\n1 batch")
    assert batches.render_list(()).endswith("\n0 batches")


def test_hardware_price_per_hour_from_cents_per_minute():
    hardware = decoded(
        {"data": [{"id": "h", "pricing": {"cents_per_minute": 10}, "specs": {"gpu_count": 0}}]},
        ListHardwareResponse,
    )
    assert endpoints.render_hardware(hardware).splitlines()[1].split() == [
        "h",
        "-",
        "-",
        "$6.00",
        "-",
    ]


def test_evaluation_results_on_one_line():
    job = decoded(
        {"workflow_id": "w", "results": {"A_wins": 3, "B_wins": 1, "Ties": 0}}, EvaluationJob
    )
    shown = evaluation.render_job(job)
    assert "results: A_wins=3, B_wins=1, Ties=0" in shown.splitlines()


def test_chat_session_steps():
    history = chat.opening(chat.SessionArgs(model="m", system="sys"))
    assert history == ({"role": "system", "content": "sys"},)
    asked = chat.step(history, "hello\r\n")
    assert asked == (*history, {"role": "user", "content": "hello"})
    assert chat.step(history, " /exit \n") is None
    assert chat.step(history, "/quit") is None


def test_chat_reply_from_a_response_or_chunks():
    response = decoded(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]},
        ChatCompletionResponse,
    )
    assert chat.reply(response) == "hi"
    chunks = tuple(
        decoded({"choices": [{"index": 0, "delta": {"content": t}}]}, ChatCompletionChunk)
        for t in ("a", "b")
    )
    assert chat.reply(chunks) == "ab"
    assert chat.reply(None) is None
    assert chat.reply(()) is None
