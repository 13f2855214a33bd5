"""Golden tests of the fine-tuning builders: the exact requests, the old SDK's call shapes, the
rules that reject invalid combinations before anything is sent, and decoding of the answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from returns.result import Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.fine_tunes import (
    cancel_fine_tune,
    create_fine_tune,
    delete_fine_tune,
    download_fine_tune,
    estimate_fine_tune_price,
    estimate_price_of,
    list_fine_tune_checkpoints,
    list_fine_tune_events,
    list_fine_tunes,
    list_supported_fine_tune_models,
    retrieve_fine_tune,
    retrieve_fine_tune_metrics,
    retrieve_fine_tune_model_limits,
)
from together_fn.calls import Call
from together_fn.codec import decode_json
from together_fn.fine_tuning import FineTuneLimitError
from together_fn.http import NO_BODY, HttpRequest, JsonBody, Method
from together_fn.models.fine_tunes import (
    CosineLRSchedulerArgs,
    FinetuneDeleteResponse,
    FineTuneEvent,
    FineTuneFullTrainingLimits,
    FinetuneListCheckpoints,
    FinetuneListEvents,
    FineTuneLoraTrainingLimits,
    FinetuneMetrics,
    FineTuneModelLimits,
    FinetunePriceEstimate,
    FinetuneResponse,
    FinetuneResponseTruncated,
    FinetuneSupportedModels,
    FinetuneTruncatedList,
    FullTrainingType,
    LinearLRSchedulerArgs,
    LoRATrainingType,
    LRScheduler,
    TrainingMethodDPO,
    TrainingMethodSFT,
)

FT = "ft-c66a5c18-1d6d-43c9-94bd-32d756425b4b"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"


def body_of(call: Call[Any]) -> dict[str, Any]:
    assert isinstance(call.request.body, JsonBody)
    data = call.request.body.json()
    assert isinstance(data, dict)
    return data


def test_minimal_create_is_the_exact_request_and_never_retried():
    assert create_fine_tune(training_file="file-1", model=MODEL) == Call(
        operation="POST /fine-tunes",
        request=HttpRequest(
            method=Method.POST,
            url="/fine-tunes",
            body=JsonBody(b'{"training_file":"file-1","model":"' + MODEL.encode() + b'"}'),
        ),
        response_type=FinetuneResponseTruncated,
        retryable=False,
    )


def test_the_old_sdk_call_shape_builds_the_nested_objects():
    call = create_fine_tune(
        training_file="file-1",
        model=MODEL,
        n_epochs=3,
        lora=True,
        lora_r=16,
        lora_dropout=0.05,
        lora_trainable_modules="all-linear",
        train_on_inputs="auto",
        lr_scheduler_type="cosine",
        min_lr_ratio=0.1,
        scheduler_num_cycles=2.0,
        batch_size="max",
        learning_rate=1e-5,
        warmup_ratio=0.1,
        suffix="bot",
    )
    assert body_of(call) == {
        "training_file": "file-1",
        "model": MODEL,
        "n_epochs": 3,
        "batch_size": "max",
        "learning_rate": 1e-5,
        "lr_scheduler": {
            "lr_scheduler_type": "cosine",
            "lr_scheduler_args": {"min_lr_ratio": 0.1, "num_cycles": 2.0},
        },
        "warmup_ratio": 0.1,
        "suffix": "bot",
        "training_method": {"method": "sft", "train_on_inputs": "auto"},
        "training_type": {
            "type": "Lora",
            "lora_r": 16,
            "lora_alpha": 32,
            "lora_dropout": 0.05,
            "lora_trainable_modules": "all-linear",
        },
    }


def test_lora_defaults_to_rank_8_without_limits_and_the_maximum_rank_with_them():
    assert body_of(create_fine_tune(training_file="f", model=MODEL, lora=True))[
        "training_type"
    ] == {"type": "Lora", "lora_r": 8, "lora_alpha": 16}
    limits = FineTuneModelLimits(
        model_name=MODEL,
        lora_training=FineTuneLoraTrainingLimits(max_batch_size=8, max_rank=64),
    )
    call = create_fine_tune(training_file="f", model=MODEL, lora=True, model_limits=limits)
    assert body_of(call)["training_type"] == {"type": "Lora", "lora_r": 64, "lora_alpha": 128}


def test_a_float_alpha_of_the_old_sdk_is_sent_as_an_integer():
    call = create_fine_tune(training_file="f", model=MODEL, lora_r=4, lora_alpha=8.0)
    assert body_of(call)["training_type"]["lora_alpha"] == 8


def test_lora_false_is_full_training_and_no_lora_leaves_the_server_default():
    full = create_fine_tune(training_file="f", model=MODEL, lora=False)
    assert body_of(full)["training_type"] == {"type": "Full"}
    assert "training_type" not in body_of(create_fine_tune(training_file="f", model=MODEL))


@pytest.mark.parametrize(
    ("shorthand", "expected"),
    [
        ("full", {"type": "Full"}),
        ("Lora", {"type": "Lora", "lora_r": 8, "lora_alpha": 16}),
        (FullTrainingType(), {"type": "Full"}),
        (LoRATrainingType(lora_r=2, lora_alpha=4), {"type": "Lora", "lora_r": 2, "lora_alpha": 4}),
    ],
)
def test_training_type_takes_models_and_shorthands(shorthand, expected):
    call = create_fine_tune(training_file="f", model=MODEL, training_type=shorthand)
    assert body_of(call)["training_type"] == expected


def test_dpo_with_its_options():
    call = create_fine_tune(
        training_file="f",
        model=MODEL,
        training_method="dpo",
        dpo_beta=0.2,
        rpo_alpha=0.5,
        dpo_normalize_logratios_by_length=True,
    )
    assert body_of(call)["training_method"] == {
        "method": "dpo",
        "dpo_beta": 0.2,
        "rpo_alpha": 0.5,
        "dpo_normalize_logratios_by_length": True,
    }


def test_simpo_is_reference_free_length_normalized_dpo():
    call = create_fine_tune(training_file="f", model=MODEL, training_method="simpo", simpo_gamma=1)
    assert body_of(call)["training_method"] == {
        "method": "dpo",
        "dpo_normalize_logratios_by_length": True,
        "dpo_reference_free": True,
        "simpo_gamma": 1,
    }


def test_rpo_shorthand_is_dpo_with_rpo_alpha():
    call = create_fine_tune(training_file="f", model=MODEL, training_method="rpo", rpo_alpha=1.0)
    assert body_of(call)["training_method"] == {"method": "dpo", "rpo_alpha": 1.0}


def test_every_remaining_field_of_the_spec_is_sent():
    call = create_fine_tune(
        training_file="file-1",
        validation_file="file-2",
        model=MODEL,
        n_checkpoints=2,
        n_evals=4,
        max_grad_norm=0.5,
        weight_decay=0.01,
        random_seed=7,
        packing=False,
        max_seq_length=4096,
        train_vision=True,
        wandb_api_key="wandb-secret",
        wandb_base_url="https://wandb.example.com",
        wandb_project_name="p",
        wandb_name="n",
        wandb_entity="e",
        from_hf_model="me/base",
        hf_model_revision="main",
        hf_api_token="hf-secret",
        hf_output_repo_name="me/out",
        min_lr_ratio=0.2,
    )
    assert body_of(call) == {
        "training_file": "file-1",
        "model": MODEL,
        "validation_file": "file-2",
        "packing": False,
        "max_seq_length": 4096,
        "n_checkpoints": 2,
        "n_evals": 4,
        "lr_scheduler": {"lr_scheduler_type": "linear", "lr_scheduler_args": {"min_lr_ratio": 0.2}},
        "max_grad_norm": 0.5,
        "weight_decay": 0.01,
        "random_seed": 7,
        "wandb_api_key": "wandb-secret",
        "wandb_base_url": "https://wandb.example.com",
        "wandb_project_name": "p",
        "wandb_name": "n",
        "wandb_entity": "e",
        "multimodal_params": {"train_vision": True},
        "from_hf_model": "me/base",
        "hf_model_revision": "main",
        "hf_api_token": "hf-secret",
        "hf_output_repo_name": "me/out",
    }
    assert "wandb-secret" not in repr(call)
    assert "hf-secret" not in repr(call)


def test_from_checkpoint_alone_is_the_old_sdk_shape():
    call = create_fine_tune(training_file="f", from_checkpoint=f"{FT}:10")
    assert body_of(call) == {"training_file": "f", "from_checkpoint": f"{FT}:10"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": None}, "a model .* is required"),
        ({"training_file": ""}, "training_file must not be empty"),
        ({"lora": False, "lora_r": 8}, "lora_r only apply to LoRA"),
        ({"training_type": "full", "lora_r": 8}, "training_type or the lora options"),
        ({"training_type": "qlora"}, "training_type must be 'lora' or 'full'"),
        ({"dpo_beta": 0.1}, "dpo_beta only apply to training_method='dpo'"),
        ({"training_method": "sft", "simpo_gamma": 0.5}, "simpo_gamma only apply to"),
        ({"training_method": "dpo", "train_on_inputs": True}, "train_on_inputs only applies"),
        ({"training_method": "ppo"}, "training_method must be one of"),
        ({"training_method": "rpo"}, "needs a positive rpo_alpha"),
        ({"training_method": "simpo"}, "needs a positive simpo_gamma"),
        (
            {"training_method": "dpo", "simpo_gamma": 1.0, "dpo_reference_free": False},
            "simpo_gamma needs dpo_reference_free=True",
        ),
        (
            {"training_method": TrainingMethodSFT(), "train_on_inputs": False},
            "as a model or its options",
        ),
        ({"lr_scheduler_type": "step"}, "lr_scheduler_type must be"),
        ({"scheduler_num_cycles": 1.0}, "only applies to lr_scheduler_type='cosine'"),
        ({"lr_scheduler_type": "cosine", "scheduler_num_cycles": 0}, "greater than 0"),
        ({"min_lr_ratio": 1.5}, "min_lr_ratio must be between 0.0 and 1.0"),
        ({"warmup_ratio": -0.1}, "warmup_ratio must be between"),
        ({"n_epochs": 0}, "n_epochs must be at least 1"),
        ({"n_evals": -1}, "n_evals must be at least 0"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"batch_size": "min"}, "positive integer or 'max'"),
        ({"learning_rate": 0}, "learning_rate must be a positive number"),
        ({"max_grad_norm": -1}, "max_grad_norm must be at least"),
        ({"weight_decay": -0.5}, "weight_decay must be at least"),
        ({"lora_r": 0}, "lora_r must be between 1"),
        ({"lora_r": 4, "lora_alpha": 2.5}, "lora_alpha must be a whole number"),
        ({"lora_dropout": 1.0}, "lora_dropout must be below 1"),
        ({"training_method": "dpo", "dpo_beta": -1}, "dpo_beta must be between 0.0"),
        ({"train_on_inputs": "yes"}, "train_on_inputs must be True, False or 'auto'"),
        (
            {"from_checkpoint": "ft-1", "from_hf_model": "me/m"},
            "from_checkpoint or from_hf_model, not both",
        ),
        ({"hf_model_revision": "main"}, "hf_model_revision needs from_hf_model"),
        ({"suffix": ""}, "suffix must not be empty"),
        ({"max_seq_length": 1.5}, "max_seq_length must be an integer"),
    ],
)
def test_invalid_requests_fail_before_anything_is_sent(kwargs, message):
    arguments = {"training_file": "file-1", "model": MODEL, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        create_fine_tune(**arguments)


def test_limits_are_checked_at_build_time_when_given():
    limits = FineTuneModelLimits(
        model_name=MODEL,
        full_training=FineTuneFullTrainingLimits(max_batch_size=16, min_batch_size=4),
        max_num_epochs=5,
    )
    with pytest.raises(FineTuneLimitError) as raised:
        create_fine_tune(
            training_file="f",
            model=MODEL,
            lora=False,
            n_epochs=9,
            batch_size=2,
            model_limits=limits,
        )
    assert raised.value.problems == (
        "batch_size 2 is below the minimum of 4",
        "n_epochs 9 is above the maximum of 5",
    )
    assert isinstance(raised.value, ValueError)
    assert MODEL in str(raised.value)


@pytest.mark.parametrize(
    ("call", "method", "url", "response_type"),
    [
        (list_fine_tunes(), Method.GET, "/fine-tunes", FinetuneTruncatedList),
        (retrieve_fine_tune(FT), Method.GET, f"/fine-tunes/{FT}", FinetuneResponse),
        (cancel_fine_tune(FT), Method.POST, f"/fine-tunes/{FT}/cancel", FinetuneResponseTruncated),
        (delete_fine_tune(FT), Method.DELETE, f"/fine-tunes/{FT}", FinetuneDeleteResponse),
        (list_fine_tune_events(FT), Method.GET, f"/fine-tunes/{FT}/events", FinetuneListEvents),
        (
            list_fine_tune_checkpoints(FT),
            Method.GET,
            f"/fine-tunes/{FT}/checkpoints",
            FinetuneListCheckpoints,
        ),
        (retrieve_fine_tune_metrics(FT), Method.GET, f"/fine-tunes/{FT}/metrics", FinetuneMetrics),
        (
            list_supported_fine_tune_models(),
            Method.GET,
            "/fine-tunes/models/supported",
            FinetuneSupportedModels,
        ),
    ],
)
def test_simple_calls_are_the_exact_requests(call, method, url, response_type):
    assert call == Call(
        operation=call.operation,
        request=HttpRequest(method=method, url=url),
        response_type=response_type,
        retryable=True,
    )
    assert call.request.body == NO_BODY


def test_ids_cannot_escape_their_path_segment():
    assert retrieve_fine_tune("../files?x=1").request.url == "/fine-tunes/..%2Ffiles%3Fx%3D1"
    with pytest.raises(ValueError, match="must not be empty"):
        cancel_fine_tune("")


def test_metrics_filters_go_in_a_json_body():
    call = retrieve_fine_tune_metrics(
        FT, global_step_from=10, global_step_to=20, logged_at_from="2024-01-01T00:00:00Z"
    )
    assert body_of(call) == {
        "global_step_from": 10,
        "global_step_to": 20,
        "logged_at_from": "2024-01-01T00:00:00Z",
    }
    with pytest.raises(ValueError, match="is after global_step_to"):
        retrieve_fine_tune_metrics(FT, global_step_from=30, global_step_to=20)


def test_model_limits_is_the_exact_request():
    assert retrieve_fine_tune_model_limits(MODEL) == Call(
        operation="GET /fine-tunes/models/limits",
        request=HttpRequest(
            method=Method.GET, url="/fine-tunes/models/limits", query=(("model_name", MODEL),)
        ),
        response_type=FineTuneModelLimits,
    )
    with pytest.raises(ValueError, match="model_name is required"):
        retrieve_fine_tune_model_limits("")


def test_estimate_price_takes_shorthands():
    call = estimate_fine_tune_price(
        training_file="f",
        model=MODEL,
        n_epochs=2,
        training_method="dpo",
        training_type="full",
        from_checkpoint=FT,
    )
    assert call.operation == "POST /fine-tunes/estimate-price"
    assert call.retryable
    assert call.response_type is FinetunePriceEstimate
    assert body_of(call) == {
        "training_file": "f",
        "model": MODEL,
        "n_epochs": 2,
        "training_method": {"method": "dpo"},
        "training_type": {"type": "Full"},
        "from_checkpoint": FT,
    }


def test_the_estimate_of_a_create_call_prices_the_same_job():
    create = create_fine_tune(
        training_file="f", model=MODEL, lora=True, n_epochs=2, suffix="x", wandb_api_key="k"
    )
    estimate = estimate_price_of(create, options=RequestOptions(extra_headers={"x-t": "1"}))
    assert body_of(estimate) == {
        "training_file": "f",
        "model": MODEL,
        "n_epochs": 2,
        "training_type": {"type": "Lora", "lora_r": 8, "lora_alpha": 16},
    }
    assert estimate.request.header("x-t") == "1"
    with pytest.raises(ValueError, match="takes a Call built by create_fine_tune"):
        estimate_price_of(list_fine_tunes())


@pytest.mark.parametrize(
    ("args", "kwargs", "query"),
    [
        ((FT,), {"training_type": LoRATrainingType()}, [("ft_id", FT), ("checkpoint", "merged")]),
        (
            (FT,),
            {"training_type": FullTrainingType()},
            [("ft_id", FT), ("checkpoint", "model_output_path")],
        ),
        ((FT,), {}, [("ft_id", FT)]),
        ((f"{FT}:40",), {}, [("ft_id", FT), ("checkpoint_step", "40")]),
        (
            (FT,),
            {"checkpoint_step": 0, "checkpoint_type": "ADAPTER"},
            [("ft_id", FT), ("checkpoint_step", "0"), ("checkpoint", "adapter")],
        ),
    ],
)
def test_download_queries(args, kwargs, query):
    call = download_fine_tune(*args, **kwargs)
    assert call.operation == "GET /finetune/download"
    assert call.response_type is bytes
    assert call.request.url == "/finetune/download"
    assert list(call.request.query) == query
    assert call.request.header("accept") == "application/octet-stream"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((f"{FT}:40",), {"checkpoint_step": 40}, "give the step once"),
        ((FT,), {"checkpoint_type": "best"}, "invalid checkpoint type"),
        ((FT,), {"checkpoint_type": "adapter", "training_type": FullTrainingType()}, "full"),
        (
            (FT,),
            {"checkpoint_type": "model_output_path", "training_type": LoRATrainingType()},
            "LoRA",
        ),
        ((FT,), {"checkpoint_step": -1}, "non-negative"),
        (("",), {}, "fine-tune id is required"),
    ],
)
def test_invalid_downloads_fail_at_build_time(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        download_fine_tune(*args, **kwargs)


def test_every_builder_is_registered():
    for key, name in [
        ("POST /fine-tunes", "create_fine_tune"),
        ("GET /fine-tunes", "list_fine_tunes"),
        ("GET /fine-tunes/{id}", "retrieve_fine_tune"),
        ("DELETE /fine-tunes/{id}", "delete_fine_tune"),
        ("POST /fine-tunes/{id}/cancel", "cancel_fine_tune"),
        ("GET /fine-tunes/{id}/events", "list_fine_tune_events"),
        ("GET /fine-tunes/{id}/checkpoints", "list_fine_tune_checkpoints"),
        ("GET /fine-tunes/{id}/metrics", "retrieve_fine_tune_metrics"),
        ("POST /fine-tunes/estimate-price", "estimate_fine_tune_price"),
        ("GET /fine-tunes/models/supported", "list_supported_fine_tune_models"),
        ("GET /fine-tunes/models/limits", "retrieve_fine_tune_model_limits"),
        ("GET /finetune/download", "download_fine_tune"),
    ]:
        assert f"together_fn.api.fine_tunes.{name}" in REGISTRY[key]


def test_unions_decode_by_tag_and_keep_unknown_ones():
    job = {
        "id": "ft-1",
        "status": "some_new_status",
        "training_type": {"type": "Lora", "lora_r": 8, "lora_alpha": 16},
        "training_method": {"method": "grpo", "reward": "x"},
        "lr_scheduler": {"lr_scheduler_type": "linear", "lr_scheduler_args": {"min_lr_ratio": 0}},
        "batch_size": "max",
        "train_on_inputs": True,
    }
    decoded = decode_json(json.dumps(job).encode(), FinetuneResponse)
    assert isinstance(decoded, Success)
    value = decoded.unwrap()
    assert value.status == "some_new_status"
    assert value.training_type == LoRATrainingType(lora_r=8, lora_alpha=16)
    assert value.training_method == {"method": "grpo", "reward": "x"}
    assert value.lr_scheduler == LRScheduler(
        lr_scheduler_type="linear", lr_scheduler_args=LinearLRSchedulerArgs(min_lr_ratio=0.0)
    )
    assert value.batch_size == "max"
    assert value.train_on_inputs is True


def test_cosine_arguments_and_dpo_decode():
    job = {
        "id": "ft-2",
        "status": "running",
        "training_type": {"type": "Full"},
        "training_method": {"method": "dpo", "dpo_beta": 0.1},
        "lr_scheduler": {
            "lr_scheduler_type": "cosine",
            "lr_scheduler_args": {"min_lr_ratio": 0.0, "num_cycles": 0.5},
        },
    }
    value = decode_json(json.dumps(job).encode(), FinetuneResponseTruncated).unwrap()
    assert value.training_type == FullTrainingType()
    assert value.training_method == TrainingMethodDPO(dpo_beta=0.1)
    assert value.lr_scheduler is not None
    assert value.lr_scheduler.lr_scheduler_args == CosineLRSchedulerArgs(
        min_lr_ratio=0.0, num_cycles=0.5
    )


def test_events_checkpoints_metrics_and_limits_decode():
    events = {"data": [{"object": "fine-tune-event", "created_at": "t", "level": None,
                        "message": "started", "type": "job_start", "step": 0}]}  # fmt: skip
    assert decode_json(json.dumps(events).encode(), FinetuneListEvents).unwrap().data == (
        FineTuneEvent(created_at="t", message="started", type="job_start", step=0),
    )
    checkpoints = {"data": [{"step": 40, "path": "s3://x", "created_at": "t",
                             "checkpoint_type": "Intermediate"}]}  # fmt: skip
    decoded = decode_json(json.dumps(checkpoints).encode(), FinetuneListCheckpoints).unwrap()
    assert decoded.data[0].step == 40
    assert decoded.data[0].checkpoint_type == "Intermediate"
    metrics = {"metrics": [{"train/loss": 0.5, "train/global_step": 7}]}
    assert decode_json(json.dumps(metrics).encode(), FinetuneMetrics).unwrap() == FinetuneMetrics(
        metrics=({"train/loss": 0.5, "train/global_step": 7.0},)
    )
    limits = {
        "model_name": MODEL,
        "lora_training": {"max_batch_size": 8, "max_batch_size_dpo": 4, "min_batch_size": 1,
                          "max_rank": 64, "target_modules": ["q_proj"]},
        "max_num_epochs": 20, "max_num_evals": 100, "max_learning_rate": 1,
        "min_learning_rate": 1e-8, "supports_vision": False, "supports_tools": True,
        "supports_reasoning": False, "merge_output_lora": True,
    }  # fmt: skip
    decoded_limits = decode_json(json.dumps(limits).encode(), FineTuneModelLimits).unwrap()
    assert decoded_limits.full_training is None
    assert decoded_limits.lora_training == FineTuneLoraTrainingLimits(
        max_batch_size=8, max_batch_size_dpo=4, min_batch_size=1, max_rank=64,
        target_modules=("q_proj",),
    )  # fmt: skip
