"""Decode what the real API returned for fine-tuning jobs, and the spec's own example.

The payloads live beside the project in ``../shared/reference/real-responses/fine-tunes/``
(override the folder with ``TOGETHER_REFERENCE_DIR``, the spec with ``TOGETHER_OPENAPI_SPEC``);
they are read from there, never copied in. Every JSON file of the folder is decoded: a job read
back through ``retrieve_fine_tune`` decodes into ``FinetuneResponse``. The recorded job went
through the old SDK's model before it was saved (see the folder's README), so the test checks
what that cannot have changed: ids, status, the training unions, prices, counters, and the
undocumented fields the API adds.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reference import reference_dir, spec_path
from together_fn.api.fine_tunes import retrieve_fine_tune
from together_fn.calls import interpret
from together_fn.codec import decode_value
from together_fn.fine_tuning import is_fine_tune_done
from together_fn.http import HttpResponse
from together_fn.models.fine_tunes import (
    FINETUNE_JOB_STATUSES,
    CosineLRSchedulerArgs,
    FinetuneResponse,
    FinetuneResponseTruncated,
    LoRATrainingType,
    TrainingMethodDPO,
)


def folder() -> Path:
    return reference_dir() / "real-responses" / "fine-tunes"


def payload_files() -> list[Path]:
    if not folder().is_dir():
        return []
    return sorted(folder().glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def require_folder() -> None:
    if not folder().is_dir():
        pytest.skip(f"real fine-tune payloads not found (set TOGETHER_REFERENCE_DIR): {folder()}")


def test_the_folder_holds_payloads():
    require_folder()
    assert payload_files(), f"no payloads in {folder()}"


@pytest.mark.parametrize("path", payload_files(), ids=lambda p: p.name)
def test_every_recorded_job_decodes_through_its_call(path):
    recorded = load(path)
    response = recorded["response"]
    body = response["body"]
    job_id = recorded["request"]["path"].rsplit("/", 1)[-1]
    call = retrieve_fine_tune(job_id)
    assert call.request.url == recorded["request"]["path"].removeprefix("/v1")
    http = HttpResponse(status=response["status"], body=json.dumps(body).encode())
    job = interpret(call, http).unwrap()
    assert isinstance(job, FinetuneResponse)
    assert job.id == body["id"]
    assert job.status == body["status"]
    assert job.model == body.get("model")
    assert job.total_price == body.get("total_price")
    assert job.n_epochs == body.get("n_epochs")


def test_the_dpo_lora_job_keeps_what_the_api_sent():
    require_folder()
    path = folder() / "cookbook-retrieve-dpo-lora-completed-ft-179f58d2-6079-sdk-reserialized.json"
    if not path.exists():
        pytest.skip(f"payload not found: {path}")
    job = decode_value(load(path)["response"]["body"], FinetuneResponse).unwrap()
    # Not a UUID, although the spec says so: ids are opaque strings.
    assert job.id == "ft-179f58d2-6079"
    assert job.status == "completed"
    assert is_fine_tune_done(job)
    # The training type comes back without the rank and alpha the spec requires.
    assert job.training_type == LoRATrainingType()
    assert job.training_method == TrainingMethodDPO(dpo_beta=0.1)
    assert job.lr_scheduler is not None
    assert job.lr_scheduler.lr_scheduler_args == CosineLRSchedulerArgs(
        min_lr_ratio=0.0, num_cycles=0.5
    )
    # Prices are large fixed-point integers; the seed arrived as the string "null".
    assert job.total_price == 21368624400
    assert job.train_price == 13895828400
    assert job.eval_price == 7472796000
    assert job.random_seed == "null"
    assert job.train_on_inputs == "auto"
    # Fields the spec does not list.
    assert job.steps_completed == job.total_steps == 5471
    assert job.evals_completed == 10
    assert job.user_id == "67573d8a7f3f0de92d0489ed"
    assert job.suffix == "talkspace-dpo-8B"
    assert job.adapter_output_path is not None
    assert job.adapter_output_path.startswith("s3://")
    assert job.checkpoints == ()
    assert job.wandb_url == "https://wandb.ai/vprov/talkspace/runs/fqow8e49"


@functools.cache
def spec() -> dict[str, Any]:
    loaded = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_specs_truncated_job_example_decodes():
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    schema = spec()["components"]["schemas"]["FinetuneResponseTruncated"]
    example = schema["example"]
    job = decode_value(example, FinetuneResponseTruncated).unwrap()
    assert job.id == example["id"]
    assert job.status in FINETUNE_JOB_STATUSES
    assert job.model_output_name == example["model_output_name"]
    assert job.output_name == example["model_output_name"]
    assert job.events == ()


def test_every_status_the_spec_lists_is_known():
    if not spec_path().exists():
        pytest.skip(f"Together's OpenAPI spec not found (set TOGETHER_OPENAPI_SPEC): {spec_path()}")
    listed = spec()["components"]["schemas"]["FinetuneJobStatus"]["enum"]
    assert tuple(listed) == FINETUNE_JOB_STATUSES
