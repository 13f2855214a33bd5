"""The fine-tuning example's server side, for ``record_examples.py``: answers written by hand
to the spec's shapes (``FileResponse``, ``FineTuneModelLimits``, the price estimate,
``FinetuneResponse``) and to the fields real jobs carry, with values of our own.

The upload is answered as the API does it: ``POST /files`` redirects to a signed URL on a
reserved domain (:data:`STORAGE`), which the recorder maps to the loopback server as well.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any

from examples import fine_tuning
from tests.executors.loopback import Loopback, json_reply, respond

#: The same fixed time as the other recordings.
CREATED = 1763900000

#: Where signed upload URLs point: a reserved domain, mapped to the loopback server too.
STORAGE = "https://uploads.example.com"
FILE_ID = "file-3f9c2a71-8e4d-4b6a-9d02-71c5e8a4b913"
JOB_ID = "ft-5d1e7a90-2c4b"
OUTPUT_NAME = "example-org/Meta-Llama-3.1-8B-Instruct-Reference-capitals-5d1e7a90"
STORED_AT = f"/together-files/{FILE_ID}/{fine_tuning.DATASET}"


def fine_tune_job(status: str, steps: int, updated: str) -> dict[str, Any]:
    """``GET /fine-tunes/{id}`` (and, trimmed, ``POST /fine-tunes``) at one stage of the job."""
    total = 45
    started = status != "pending"
    return {
        "id": JOB_ID,
        "job_id": JOB_ID,
        "status": status,
        "training_file": FILE_ID,
        "model": fine_tuning.MODEL,
        "model_output_name": OUTPUT_NAME,
        "suffix": "capitals",
        "n_epochs": 3,
        "n_checkpoints": 1,
        "n_evals": 0,
        "batch_size": 8,
        "learning_rate": 1e-05,
        "lr_scheduler": {
            "lr_scheduler_type": "linear",
            "lr_scheduler_args": {"min_lr_ratio": 0.0},
        },
        "warmup_ratio": 0.0,
        "max_grad_norm": 1.0,
        "weight_decay": 0.0,
        "train_on_inputs": "auto",
        "training_type": {
            "type": "Lora",
            "lora_r": 64,
            "lora_alpha": 128,
            "lora_dropout": 0.0,
            "lora_trainable_modules": "all-linear",
        },
        "training_method": {"method": "sft", "train_on_inputs": "auto"},
        "created_at": "2026-11-23T09:00:02.412Z",
        "updated_at": updated,
        "started_at": "2026-11-23T09:01:15.030Z" if started else None,
        "events": [],
        "token_count": 21780 if started else 0,
        "param_count": 8030261248,
        "total_price": 0 if status != "completed" else 1800000000,
        "epochs_completed": steps * 3 // total,
        "steps_completed": steps,
        "total_steps": total if started else 0,
        "queue_depth": 0,
        "wandb_url": "",
    }


def route_fine_tuning(server: Loopback) -> None:
    signature = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=9b1f0c2e7d"
    server.route(
        "/v1/files",
        respond(
            302,
            headers=[
                ("Location", f"{STORAGE}{STORED_AT}?{signature}"),
                ("X-Together-File-Id", FILE_ID),
                *headers("upload-1"),
            ],
        ),
    )
    server.route(STORED_AT, respond(200, headers=[("ETag", '"4f7ac5e1d2b8"')]))
    uploaded = {
        "id": FILE_ID,
        "object": "file",
        "created_at": CREATED,
        "filename": fine_tuning.DATASET,
        "bytes": 0,
        "purpose": "fine-tune",
        "Processed": True,
        "FileType": "jsonl",
    }
    server.route(
        f"/v1/files/{FILE_ID}/preprocess", json_reply(uploaded, headers=headers("upload-2"))
    )
    limits = {
        "model_name": fine_tuning.MODEL,
        "full_training": {"max_batch_size": 96, "max_batch_size_dpo": 48, "min_batch_size": 8},
        "lora_training": {
            "max_batch_size": 128,
            "max_batch_size_dpo": 64,
            "min_batch_size": 8,
            "max_rank": 64,
            "target_modules": [
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ],
        },
        "max_num_epochs": 20,
        "max_num_evals": 100,
        "max_learning_rate": 1.0,
        "min_learning_rate": 1e-08,
        "supports_vision": False,
        "supports_tools": True,
        "supports_reasoning": False,
        "merge_output_lora": True,
    }
    server.route("/v1/fine-tunes/models/limits", json_reply(limits, headers=headers("ft-limits")))
    estimate = {
        "estimated_total_price": 1.8,
        "allowed_to_proceed": True,
        "user_limit": 500.0,
        "estimated_train_token_count": 21780,
        "estimated_eval_token_count": 0,
    }
    server.route("/v1/fine-tunes/estimate-price", json_reply(estimate, headers=headers("ft-price")))
    created = fine_tune_job("pending", 0, "2026-11-23T09:00:02.412Z")
    truncated = {
        k: v
        for k, v in created.items()
        if k
        not in (
            "job_id",
            "param_count",
            "steps_completed",
            "total_steps",
            "epochs_completed",
            "queue_depth",
            "wandb_url",
        )
    }
    server.route("/v1/fine-tunes", json_reply(truncated, headers=headers("ft-create")))
    server.route(
        f"/v1/fine-tunes/{JOB_ID}",
        json_reply(created, headers=headers("ft-poll-1")),
        json_reply(
            fine_tune_job("running", 12, "2026-11-23T09:04:40.118Z"), headers=headers("ft-poll-2")
        ),
        json_reply(
            fine_tune_job("running", 38, "2026-11-23T09:11:05.772Z"), headers=headers("ft-poll-3")
        ),
        json_reply(
            fine_tune_job("completed", 45, "2026-11-23T09:16:51.904Z"), headers=headers("ft-poll-4")
        ),
    )
    archive = adapter_archive()
    name = f"{JOB_ID}-merged.tar.gz"
    server.route(
        "/v1/finetune/download",
        respond(
            200,
            archive,
            content_type="application/octet-stream",
            headers=[
                ("Content-Disposition", f'attachment; filename="{name}"'),
                *headers("ft-download"),
            ],
        ),
    )


def adapter_archive() -> bytes:
    """A small, valid ``.tar.gz`` (fixed times, so that re-recording gives the same bytes)."""
    files = {
        "adapter_config.json": json.dumps(
            {"base_model_name_or_path": fine_tuning.MODEL, "r": 64, "lora_alpha": 128}, indent=2
        ).encode(),
        "README.md": b"LoRA adapter trained on capitals.jsonl (example recording).\n",
    }
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), CREATED, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(packed.getvalue(), mtime=0)


def headers(name: str) -> tuple[tuple[str, str], ...]:
    return (("x-request-id", f"example-{name}"), ("x-ratelimit-remaining", "599"))
