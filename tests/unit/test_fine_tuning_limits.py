"""The pure fine-tuning rules (limits, job states, checkpoint references, price verdicts, archive
members), the archive extraction built on them, and ``client.fine_tuning`` performing them."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
from pathlib import Path
from typing import Any, Literal

import pytest
from returns.result import Failure, Success

from together_fn import AsyncTogether, Together
from together_fn.executors.archives import extract_archive
from together_fn.fine_tuning import (
    FINE_TUNE_TERMINAL_STATUSES,
    FineTuneLimitError,
    FineTunePriceRejectedError,
    archive_member_problem,
    fine_tune_succeeded,
    is_fine_tune_done,
    limits_model_name,
    parse_fine_tune_ref,
    price_verdict,
    resolve_checkpoint_type,
    validate_against_limits,
)
from together_fn.http import HttpRequest, HttpResponse, HttpResponseHead
from together_fn.models.fine_tunes import (
    FINETUNE_JOB_STATUSES,
    FineTuneFullTrainingLimits,
    FineTuneLoraTrainingLimits,
    FineTuneModelLimits,
    FinetunePriceEstimate,
    FinetuneResponseTruncated,
    FullTrainingType,
    LoRATrainingType,
    MultimodalParams,
    TrainingMethodDPO,
)
from together_fn.models.fine_tunes_request import FinetuneRequest
from together_fn.retry import NO_RETRY
from together_fn.wait import WaitPolicy

MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"

LIMITS = FineTuneModelLimits(
    model_name=MODEL,
    full_training=FineTuneFullTrainingLimits(
        max_batch_size=96, max_batch_size_dpo=48, min_batch_size=8
    ),
    lora_training=FineTuneLoraTrainingLimits(
        max_batch_size=128,
        max_batch_size_dpo=64,
        min_batch_size=8,
        max_rank=64,
        target_modules=("q_proj", "k_proj", "v_proj", "o_proj"),
    ),
    max_num_epochs=20,
    max_num_evals=100,
    max_learning_rate=1e-3,
    min_learning_rate=1e-6,
    supports_vision=False,
)

LORA = LoRATrainingType(lora_r=16, lora_alpha=32)


def request(**kwargs: Any) -> FinetuneRequest:
    return FinetuneRequest(training_file="file-1", model=MODEL, **kwargs)


@pytest.mark.parametrize(
    "valid",
    [
        request(),
        request(training_type=LORA, batch_size=128, n_epochs=20, n_evals=100),
        request(training_type=FullTrainingType(), batch_size=8, learning_rate=1e-3),
        request(training_method=TrainingMethodDPO(), training_type=LORA, batch_size=64),
        request(batch_size="max", learning_rate=1e-6),
        request(
            training_type=LoRATrainingType(
                lora_r=64, lora_alpha=128, lora_trainable_modules="q_proj, v_proj"
            )
        ),
        request(training_type=LoRATrainingType(lora_r=8, lora_trainable_modules="all-linear")),
        request(multimodal_params=MultimodalParams(train_vision=False)),
    ],
)
def test_requests_within_the_limits_have_no_problems(valid):
    assert validate_against_limits(valid, LIMITS) == ()


@pytest.mark.parametrize(
    ("invalid", "problems"),
    [
        (
            request(training_type=LORA, batch_size=129),
            ["batch_size 129 is above the maximum of 128"],
        ),
        (request(batch_size=4), ["batch_size 4 is below the minimum of 8"]),
        (
            request(training_method=TrainingMethodDPO(), batch_size=65),
            ["batch_size 65 is above the maximum of 64"],
        ),
        (
            request(
                training_type=FullTrainingType(),
                training_method=TrainingMethodDPO(),
                batch_size=49,
            ),
            ["batch_size 49 is above the maximum of 48"],
        ),
        (
            request(training_type=LoRATrainingType(lora_r=128, lora_alpha=256)),
            ["lora_r 128 is above the maximum rank of 64"],
        ),
        (
            request(
                training_type=LoRATrainingType(lora_r=8, lora_trainable_modules="q_proj,up_proj")
            ),
            ["lora_trainable_modules up_proj not among q_proj, k_proj, v_proj, o_proj"],
        ),
        (request(n_epochs=21), ["n_epochs 21 is above the maximum of 20"]),
        (request(n_evals=101), ["n_evals 101 is above the maximum of 100"]),
        (request(learning_rate=0.01), ["learning_rate 0.01 is above the maximum of 0.001"]),
        (request(learning_rate=1e-7), ["learning_rate 1e-07 is below the minimum of 1e-06"]),
        (
            request(multimodal_params=MultimodalParams(train_vision=True)),
            [f"{MODEL} does not support vision, so train_vision cannot be set"],
        ),
        (
            request(n_epochs=50, batch_size=1000),
            [
                "batch_size 1000 is above the maximum of 128",
                "n_epochs 50 is above the maximum of 20",
            ],
        ),
    ],
)  # fmt: skip
def test_requests_beyond_the_limits_list_every_problem(invalid, problems):
    assert validate_against_limits(invalid, LIMITS) == tuple(problems)


def test_a_training_type_the_model_does_not_offer_is_a_problem():
    lora_only = FineTuneModelLimits(
        model_name=MODEL, lora_training=FineTuneLoraTrainingLimits(max_batch_size=8)
    )
    full_only = FineTuneModelLimits(
        model_name=MODEL, full_training=FineTuneFullTrainingLimits(max_batch_size=8)
    )
    assert validate_against_limits(request(training_type=FullTrainingType()), lora_only) == (
        f"full training is not supported for {MODEL}",
    )
    # No training type means the server's default, LoRA.
    assert validate_against_limits(request(), full_only) == (
        f"LoRA training is not supported for {MODEL}",
    )
    assert validate_against_limits(request(training_type=FullTrainingType()), full_only) == ()


def test_limits_apply_to_the_model_or_the_checkpoints_job():
    assert limits_model_name(request()) == MODEL
    continued = FinetuneRequest(training_file="f", from_checkpoint="ft-1a2b:40")
    assert limits_model_name(continued) == "ft-1a2b"


def test_the_limit_error_is_a_value_error_listing_the_problems():
    error = FineTuneLimitError(model=MODEL, problems=("a", "b"))
    assert isinstance(error, ValueError)
    assert str(error) == f"the request does not fit the limits of {MODEL}: a; b"


@pytest.mark.parametrize("status", sorted(FINE_TUNE_TERMINAL_STATUSES))
def test_terminal_statuses_are_done(status):
    assert is_fine_tune_done(FinetuneResponseTruncated(id="ft-1", status=status))
    assert is_fine_tune_done(FinetuneResponseTruncated(id="ft-1", status=status.upper()))


@pytest.mark.parametrize("status", ["pending", "queued", "running", "uploading", "new_one", None])
def test_other_statuses_are_not_done(status):
    assert not is_fine_tune_done(FinetuneResponseTruncated(id="ft-1", status=status))


def test_terminal_statuses_are_statuses_the_spec_lists():
    assert set(FINE_TUNE_TERMINAL_STATUSES) < set(FINETUNE_JOB_STATUSES)
    assert fine_tune_succeeded(FinetuneResponseTruncated(id="ft-1", status="completed"))
    assert not fine_tune_succeeded(FinetuneResponseTruncated(id="ft-1", status="error"))


@pytest.mark.parametrize(
    ("ref", "step", "expected"),
    [
        ("ft-1a2b", None, ("ft-1a2b", None)),
        ("ft-1a2b", 7, ("ft-1a2b", 7)),
        ("ft-1a2b:40", None, ("ft-1a2b", 40)),
        ("me/model-name:12", None, ("me/model-name", 12)),
        ("ft-1a2b:latest", None, ("ft-1a2b:latest", None)),
    ],
)
def test_fine_tune_references(ref, step, expected):
    assert parse_fine_tune_ref(ref, step) == expected


def test_a_step_given_twice_is_refused():
    with pytest.raises(ValueError, match="give the step once"):
        parse_fine_tune_ref("ft-1:40", 40)


@pytest.mark.parametrize(
    ("wanted", "training_type", "sent"),
    [
        ("default", LoRATrainingType(), "merged"),
        ("adapter", LoRATrainingType(), "adapter"),
        ("Merged", LoRATrainingType(), "merged"),
        ("default", FullTrainingType(), "model_output_path"),
        (None, FullTrainingType(), "model_output_path"),
        ("default", None, None),
        ("adapter", None, "adapter"),
        ("default", {"type": "Unknown"}, None),
    ],
)
def test_checkpoint_types_resolve_against_the_training_type(wanted, training_type, sent):
    assert resolve_checkpoint_type(wanted, training_type) == sent


def test_price_verdicts():
    fine = FinetunePriceEstimate(estimated_total_price=3.5, allowed_to_proceed=True)
    over = FinetunePriceEstimate(estimated_total_price=900, allowed_to_proceed=False, user_limit=50)
    assert price_verdict(fine) is None
    assert price_verdict(fine, True) is None
    declined = price_verdict(fine, False)
    assert isinstance(declined, FineTunePriceRejectedError)
    assert declined.estimate == fine
    refused = price_verdict(over, True)
    assert isinstance(refused, FineTunePriceRejectedError)
    assert "900" in str(refused)
    assert "50" in str(refused)


# --- archive members and extraction --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "problem"),
    [
        ("../evil", {}, "leaves the destination folder"),
        ("model/../../evil", {}, "leaves the destination folder"),
        ("/etc/passwd", {}, "is an absolute path"),
        ("C:/Windows/x", {}, "is an absolute path"),
        ("..\\evil", {}, "leaves the destination folder"),
        ("link", {"is_symlink": True, "link_target": "/etc"}, "is a symbolic link"),
        ("hard", {"is_hardlink": True, "link_target": "model/a"}, "is a hard link"),
        ("dev", {"is_special": True}, "not a regular file or folder"),
    ],
)
def test_unsafe_members_are_named(name, kwargs, problem):
    found = archive_member_problem(name, **kwargs)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("name", ["model/weights.safetensors", "config.json", "./a/b", "a..b/c"])
def test_plain_members_are_safe(name):
    assert archive_member_problem(name) is None


def make_tar(
    path: Path, members: list[tarfile.TarInfo], mode: Literal["w", "w:gz"] = "w:gz"
) -> Path:
    with tarfile.open(path, mode) as tar:
        for member in members:
            data = b"weights" if member.isfile() else None
            if data is not None:
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_a_clean_archive_is_unpacked(tmp_path):
    archive = make_tar(
        tmp_path / "ckpt.tar.gz",
        [member("model", tarfile.DIRTYPE), member("model/adapter.safetensors")],
    )
    out = tmp_path / "out"
    out.mkdir()
    result = extract_archive(archive, out)
    assert result == Success((str(out / "model"), str(out / "model/adapter.safetensors")))
    assert (out / "model" / "adapter.safetensors").read_bytes() == b"weights"


@pytest.mark.parametrize(
    "bad",
    [
        member("../escaped.txt"),
        member("/absolute.txt"),
        member("model/link", tarfile.SYMTYPE, "/etc/passwd"),
        member("model/hard", tarfile.LNKTYPE, "model/a"),
        member("model/fifo", tarfile.FIFOTYPE),
    ],
    ids=["dotdot", "absolute", "symlink", "hardlink", "fifo"],
)
def test_an_archive_with_an_unsafe_member_unpacks_nothing(tmp_path, bad):
    archive = make_tar(tmp_path / "ckpt.tar", [member("model/a"), bad], mode="w")
    out = tmp_path / "out"
    out.mkdir()
    result = extract_archive(archive, out)
    assert isinstance(result, Failure)
    assert "refusing to unpack" in str(result.failure())
    assert list(out.iterdir()) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_zstandard_and_broken_archives_are_errors(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    zst = tmp_path / "ckpt.tar.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    assert "Zstandard" in str(extract_archive(zst, out).failure())
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not an archive at all")
    assert "could not unpack" in str(extract_archive(junk, out).failure())
    assert "is not a directory" in str(extract_archive(junk, tmp_path / "missing").failure())


# --- client.fine_tuning --------------------------------------------------------------------

KEY = "sk-fine-tuning-test"
LIMITS_BODY = {
    "model_name": MODEL,
    "lora_training": {"max_batch_size": 16, "min_batch_size": 1, "max_rank": 32,
                      "max_batch_size_dpo": 8, "target_modules": []},
    "max_num_epochs": 4, "max_num_evals": 10, "max_learning_rate": 1, "min_learning_rate": 0,
    "supports_vision": False, "supports_tools": False, "supports_reasoning": False,
    "merge_output_lora": True,
}  # fmt: skip
JOB = {"id": "ft-1", "status": "pending", "created_at": "t", "updated_at": "t"}


class Scripted:
    """A transport answering from a script and recording what it was sent."""

    def __init__(self, *answers: HttpResponse) -> None:
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return self.answers.pop(0)

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.send(request)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def ok(payload: object) -> HttpResponse:
    return HttpResponse(status=200, body=json.dumps(payload).encode())


def client(*answers: HttpResponse) -> tuple[Together, Scripted]:
    transport = Scripted(*answers)
    together = Together(api_key=KEY, transport=transport, retry=NO_RETRY)  # type: ignore[arg-type]
    return together, transport


def test_create_checks_limits_then_price_then_creates():
    estimate = {"estimated_total_price": 4.2, "allowed_to_proceed": True, "user_limit": 100}
    together, transport = client(ok(LIMITS_BODY), ok(estimate), ok(JOB))
    seen: list[FinetunePriceEstimate] = []
    job = together.fine_tuning.create(
        training_file="file-1", model=MODEL, n_epochs=2, lora=True, on_estimate=seen.append
    )
    assert job.id == "ft-1"
    assert len(transport.sent) == 3
    assert transport.sent[0].url.endswith("/fine-tunes/models/limits")
    assert ("model_name", MODEL) in transport.sent[0].query
    assert transport.sent[1].url.endswith("/fine-tunes/estimate-price")
    assert transport.sent[2].url.endswith("/fine-tunes")
    # The rank defaults to the model's maximum, as the old SDK did.
    created = json.loads(transport.sent[2].body.data)  # type: ignore[union-attr]
    assert created["training_type"] == {"type": "Lora", "lora_r": 32, "lora_alpha": 64}
    assert seen == [
        FinetunePriceEstimate(estimated_total_price=4.2, allowed_to_proceed=True, user_limit=100)
    ]


def test_create_raises_before_sending_a_job_beyond_the_limits():
    together, transport = client(ok(LIMITS_BODY))
    with pytest.raises(FineTuneLimitError, match="n_epochs 9 is above the maximum of 4"):
        together.fine_tuning.create(training_file="file-1", model=MODEL, n_epochs=9)
    assert len(transport.sent) == 1


def test_create_stops_when_the_estimate_says_no():
    over = {"estimated_total_price": 900, "allowed_to_proceed": False, "user_limit": 50}
    together, transport = client(ok(over))
    with pytest.raises(FineTunePriceRejectedError) as raised:
        together.fine_tuning.create(training_file="file-1", model=MODEL, validate=False)
    assert raised.value.estimate == FinetunePriceEstimate(
        estimated_total_price=900, allowed_to_proceed=False, user_limit=50
    )
    assert len(transport.sent) == 1


def test_create_stops_when_the_caller_declines_the_price():
    fine = {"estimated_total_price": 9, "allowed_to_proceed": True}
    together, transport = client(ok(fine))
    with pytest.raises(FineTunePriceRejectedError, match="declined"):
        together.fine_tuning.create(
            training_file="f", model=MODEL, validate=False, on_estimate=lambda _: False
        )
    assert len(transport.sent) == 1


def test_create_skips_the_price_for_continued_jobs_and_when_asked():
    together, transport = client(ok(JOB), ok(JOB))
    together.fine_tuning.create(
        training_file="f", model=MODEL, from_checkpoint="ft-0", validate=False
    )
    together.fine_tuning.create(training_file="f", model=MODEL, validate=False, check_price=False)
    assert [r.url.rsplit("/", 1)[-1] for r in transport.sent] == ["fine-tunes", "fine-tunes"]


def test_invalid_arguments_fail_before_any_request():
    together, transport = client()
    with pytest.raises(ValueError, match="only apply to LoRA"):
        together.fine_tuning.create(training_file="f", model=MODEL, lora=False, lora_r=8)
    assert transport.sent == []


def test_async_create_awaits_an_async_callback():
    estimate = {"estimated_total_price": 1, "allowed_to_proceed": True}
    transport = Scripted(ok(LIMITS_BODY), ok(estimate), ok(JOB))
    seen: list[Any] = []

    async def approve(value: FinetunePriceEstimate) -> bool:
        seen.append(value)
        return True

    async def main() -> FinetuneResponseTruncated:
        async with AsyncTogether(api_key=KEY, transport=transport, retry=NO_RETRY) as together:  # type: ignore[arg-type]
            return await together.fine_tuning.create(
                training_file="f", model=MODEL, on_estimate=approve
            )

    assert asyncio.run(main()).id == "ft-1"
    assert len(seen) == 1


def test_wait_polls_until_a_terminal_status(monkeypatch):
    together, transport = client(
        ok({**JOB, "status": "queued"}),
        ok({**JOB, "status": "running"}),
        ok({**JOB, "status": "completed"}),
    )
    slept: list[float] = []
    monkeypatch.setattr(together.executor, "_sleep", slept.append)
    polled: list[str | None] = []
    job = together.fine_tuning.wait(
        "ft-1",
        policy=WaitPolicy(initial_interval=1.0, jitter=0.0),
        on_poll=lambda j: polled.append(j.status),
    )
    assert job.status == "completed"
    assert polled == ["queued", "running", "completed"]
    assert len(slept) == 2
    assert all(r.url.endswith("/fine-tunes/ft-1") for r in transport.sent)


def test_create_shows_the_builders_parameters():
    import inspect

    together, _ = client()
    parameters = inspect.signature(together.fine_tuning.create).parameters
    assert {"validate", "check_price", "on_estimate", "training_file", "lora", "dpo_beta"} <= set(
        parameters
    )


@pytest.mark.parametrize(
    "bad",
    [
        member("../escaped.txt"),
        member("model/link", tarfile.SYMTYPE, "/etc/passwd"),
        member("model/up", tarfile.SYMTYPE, "../../escaped.txt"),
    ],
    ids=["dotdot", "absolute-symlink", "escaping-symlink"],
)
def test_the_data_filter_still_refuses_when_the_member_check_is_bypassed(
    tmp_path, monkeypatch, bad
):
    monkeypatch.setattr(
        "together_fn.executors.archives.archive_member_problem", lambda *a, **k: None
    )
    archive = make_tar(tmp_path / "ckpt.tar", [bad], mode="w")
    out = tmp_path / "out"
    out.mkdir()
    result = extract_archive(archive, out)
    assert isinstance(result, Failure)
    assert "could not unpack" in str(result.failure())
    assert not (tmp_path / "escaped.txt").exists()


def test_the_data_filter_keeps_absolute_names_inside_when_the_check_is_bypassed(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(
        "together_fn.executors.archives.archive_member_problem", lambda *a, **k: None
    )
    outside = tmp_path / "outside.txt"
    archive = make_tar(tmp_path / "ckpt.tar", [member(str(outside))], mode="w")
    out = tmp_path / "out"
    out.mkdir()
    extract_archive(archive, out)
    assert not outside.exists()
    assert (out / str(outside).lstrip("/")).read_bytes() == b"weights"


class Streamed:
    """An open response body, read in two chunks."""

    def __init__(self, data: bytes) -> None:
        self.head = HttpResponseHead(
            status=200,
            headers=(
                ("content-type", "application/octet-stream"),
                ("content-length", str(len(data))),
            ),
        )
        self.chunks = [data[:5], data[5:]]

    def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    async def aread(self) -> bytes:
        return self.read()

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class Downloads(Scripted):
    """Answers the job look-up, then streams ``data`` for the download."""

    def __init__(self, job: dict[str, Any], data: bytes) -> None:
        super().__init__(ok(job))
        self.data = data
        self.opened: list[HttpRequest] = []

    def open(self, request: HttpRequest) -> Streamed:
        self.opened.append(request)
        return Streamed(self.data)

    async def aopen(self, request: HttpRequest) -> Streamed:
        return self.open(request)


LORA_JOB = {**JOB, "status": "completed", "model_output_name": "me/Llama-ft-1",
            "training_type": {"type": "Lora"}}  # fmt: skip


def test_download_resolves_the_checkpoint_type_and_saves_the_archive(tmp_path):
    transport = Downloads(LORA_JOB, b"archive-bytes")
    together = Together(api_key=KEY, transport=transport, retry=NO_RETRY)
    saved = together.fine_tuning.download("ft-1:40", output=tmp_path)
    assert transport.sent[0].url.endswith("/fine-tunes/ft-1")
    assert transport.opened[0].url.endswith("/finetune/download")
    assert list(transport.opened[0].query) == [
        ("ft_id", "ft-1"),
        ("checkpoint_step", "40"),
        ("checkpoint", "merged"),
    ]
    assert Path(saved.path).read_bytes() == b"archive-bytes"
    assert Path(saved.path).parent == tmp_path
    assert saved.filename == "me--Llama-ft-1"
    assert saved.size == len(b"archive-bytes")


def test_download_refuses_a_type_the_job_does_not_have_before_downloading(tmp_path):
    transport = Downloads({**LORA_JOB, "training_type": {"type": "Full"}}, b"x")
    together = Together(api_key=KEY, transport=transport, retry=NO_RETRY)
    with pytest.raises(ValueError, match="no 'adapter' checkpoint"):
        together.fine_tuning.download("ft-1", output=tmp_path, checkpoint_type="adapter")
    with pytest.raises(ValueError, match="invalid checkpoint type"):
        together.fine_tuning.download("ft-1", output=tmp_path, checkpoint_type="best")
    assert len(transport.sent) == 1
    assert transport.opened == []


def test_async_download(tmp_path):
    transport = Downloads(LORA_JOB, b"async-archive")

    async def main() -> Any:
        async with AsyncTogether(api_key=KEY, transport=transport, retry=NO_RETRY) as together:
            return await together.fine_tuning.download(
                "ft-1", output=tmp_path / "model.tar.gz", checkpoint_type="adapter"
            )

    saved = asyncio.run(main())
    assert (tmp_path / "model.tar.gz").read_bytes() == b"async-archive"
    assert saved.path == str(tmp_path / "model.tar.gz")
    assert ("checkpoint", "adapter") in transport.opened[0].query


def test_download_takes_the_old_sdks_keyword(tmp_path):
    transport = Downloads(LORA_JOB, b"bytes")
    together = Together(api_key=KEY, transport=transport, retry=NO_RETRY)
    saved = together.fine_tuning.download(fine_tune_id="ft-1", output=tmp_path / "m.tar")
    assert Path(saved.path).read_bytes() == b"bytes"
    with pytest.raises(TypeError, match="give the fine-tune id once"):
        together.fine_tuning.download("ft-1", fine_tune_id="ft-1")
    with pytest.raises(TypeError, match="give the fine-tune id once"):
        together.fine_tuning.download()


def test_the_manuals_call_shapes():
    events = {"data": [{"object": "fine-tune-event", "message": "done", "type": "job_complete"}]}
    checkpoints = {"data": [{"step": 10, "path": "p", "created_at": "t", "checkpoint_type": "x"}]}
    together, transport = client(
        ok({"data": [JOB]}),
        ok(JOB),
        ok(JOB),
        ok({"message": "deleted"}),
        ok(events),
        ok(checkpoints),
        ok(checkpoints),
        ok({"models": [MODEL]}),
        ok(LIMITS_BODY),
        ok({"estimated_total_price": 2.5, "allowed_to_proceed": True}),
        ok({"metrics": [{"train/loss": 0.5}]}),
    )
    fine_tuning = together.fine_tuning
    assert fine_tuning.list().data[0].id == "ft-1"
    assert fine_tuning.retrieve(id="ft-1").status == "pending"
    assert fine_tuning.cancel("ft-1").id == "ft-1"
    assert fine_tuning.delete("ft-1").message == "deleted"
    assert fine_tuning.list_events(id="ft-1").data[0].type == "job_complete"
    assert fine_tuning.list_checkpoints(id="ft-1").data[0].step == 10
    assert fine_tuning.retrieve_checkpoints("ft-1").data[0].path == "p"
    assert fine_tuning.list_supported_models().models == (MODEL,)
    assert fine_tuning.get_model_limits(model=MODEL).max_num_epochs == 4
    estimate = fine_tuning.estimate_price(
        training_file="file-1", model=MODEL, n_epochs=3, training_type="lora"
    )
    assert estimate.allowed_to_proceed is True
    assert fine_tuning.retrieve_metrics("ft-1", global_step_to=5).metrics == ({"train/loss": 0.5},)
    assert [(r.method.value, r.url.split("/v1", 1)[-1]) for r in transport.sent] == [
        ("GET", "/fine-tunes"),
        ("GET", "/fine-tunes/ft-1"),
        ("POST", "/fine-tunes/ft-1/cancel"),
        ("DELETE", "/fine-tunes/ft-1"),
        ("GET", "/fine-tunes/ft-1/events"),
        ("GET", "/fine-tunes/ft-1/checkpoints"),
        ("GET", "/fine-tunes/ft-1/checkpoints"),
        ("GET", "/fine-tunes/models/supported"),
        ("GET", "/fine-tunes/models/limits"),
        ("POST", "/fine-tunes/estimate-price"),
        ("GET", "/fine-tunes/ft-1/metrics"),
    ]
