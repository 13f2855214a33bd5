"""Contract cases of the fine-tuning operations: every builder, with realistic arguments.

``test_contract`` sends each case through both executors to Prism (static and dynamic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call
from together_fn.models.fine_tunes import (
    FineTuneFullTrainingLimits,
    FineTuneLoraTrainingLimits,
    FineTuneModelLimits,
    FullTrainingType,
    LoRATrainingType,
)

FT_ID = "ft-c66a5c18-1d6d-43c9-94bd-32d756425b4b"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
TRAINING_FILE = "file-04348668-ed71-4526-9e77-4fcc824ab9bd"
VALIDATION_FILE = "file-ef6acfbc-1eaa-42cc-9623-277ff9bd32b0"

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
    max_learning_rate=1.0,
    min_learning_rate=1e-8,
    supports_vision=False,
    supports_tools=True,
    supports_reasoning=False,
    merge_output_lora=True,
)

CASES: dict[str, Callable[[], Call[Any]]] = {
    "fine-tunes: create, minimal": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE, model=MODEL
    ),
    "fine-tunes: create, LoRA SFT with every option": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE,
        validation_file=VALIDATION_FILE,
        model=MODEL,
        n_epochs=3,
        n_checkpoints=2,
        n_evals=5,
        batch_size=16,
        learning_rate=1e-5,
        lr_scheduler_type="cosine",
        min_lr_ratio=0.1,
        scheduler_num_cycles=1.5,
        warmup_ratio=0.05,
        max_grad_norm=1.0,
        weight_decay=0.01,
        random_seed=42,
        packing=True,
        max_seq_length=8192,
        lora=True,
        lora_r=32,
        lora_alpha=64,
        lora_dropout=0.05,
        lora_trainable_modules="q_proj,v_proj",
        train_on_inputs=False,
        suffix="support-bot",
        wandb_api_key="wandb-key-for-tests",
        wandb_base_url="https://wandb.example.com",
        wandb_project_name="support",
        wandb_name="run-1",
        wandb_entity="team",
        hf_output_repo_name="me/support-bot",
        hf_api_token="hf-token-for-tests",
        model_limits=LIMITS,
    ),
    "fine-tunes: create, SFT with train_on_inputs auto": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE, model=MODEL, training_method="sft", n_epochs=1
    ),
    "fine-tunes: create, full DPO": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE,
        model=MODEL,
        lora=False,
        training_method="dpo",
        dpo_beta=0.1,
        rpo_alpha=0.5,
        dpo_normalize_logratios_by_length=False,
        lr_scheduler_type="linear",
        min_lr_ratio=0.0,
    ),
    "fine-tunes: create, SimPO from a checkpoint": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE,
        model=MODEL,
        training_method="simpo",
        simpo_gamma=0.5,
        from_checkpoint=f"{FT_ID}:100",
    ),
    "fine-tunes: create, from a Hugging Face model": lambda: api.fine_tunes.create_fine_tune(
        training_file=TRAINING_FILE,
        model=MODEL,
        from_hf_model="me/llama-3.1-8b-support",
        hf_model_revision="main",
        hf_api_token="hf-token-for-tests",
        train_vision=False,
    ),
    "fine-tunes: list": lambda: api.fine_tunes.list_fine_tunes(),
    "fine-tunes: retrieve": lambda: api.fine_tunes.retrieve_fine_tune(FT_ID),
    "fine-tunes: cancel": lambda: api.fine_tunes.cancel_fine_tune(FT_ID),
    "fine-tunes: delete": lambda: api.fine_tunes.delete_fine_tune(FT_ID),
    "fine-tunes: events": lambda: api.fine_tunes.list_fine_tune_events(FT_ID),
    "fine-tunes: checkpoints": lambda: api.fine_tunes.list_fine_tune_checkpoints(FT_ID),
    "fine-tunes: metrics, all": lambda: api.fine_tunes.retrieve_fine_tune_metrics(FT_ID),
    "fine-tunes: metrics, filtered": lambda: api.fine_tunes.retrieve_fine_tune_metrics(
        FT_ID,
        global_step_from=0,
        global_step_to=500,
        logged_at_from="2024-01-01T00:00:00Z",
        logged_at_to="2024-01-01T12:00:00Z",
    ),
    "fine-tunes: estimate price": lambda: api.fine_tunes.estimate_fine_tune_price(
        training_file=TRAINING_FILE,
        validation_file=VALIDATION_FILE,
        model=MODEL,
        n_epochs=2,
        n_evals=4,
        training_method="dpo",
        training_type="lora",
        from_checkpoint=FT_ID,
    ),
    "fine-tunes: estimate price of a create call": lambda: api.fine_tunes.estimate_price_of(
        api.fine_tunes.create_fine_tune(
            training_file=TRAINING_FILE, model=MODEL, lora=False, n_epochs=2
        )
    ),
    "fine-tunes: supported models": lambda: api.fine_tunes.list_supported_fine_tune_models(),
    "fine-tunes: model limits": lambda: api.fine_tunes.retrieve_fine_tune_model_limits(MODEL),
    "fine-tunes: download, default of a LoRA job": lambda: api.fine_tunes.download_fine_tune(
        FT_ID, training_type=LoRATrainingType()
    ),
    "fine-tunes: download, full job at a step": lambda: api.fine_tunes.download_fine_tune(
        f"{FT_ID}:1000", training_type=FullTrainingType()
    ),
    "fine-tunes: download, adapter": lambda: api.fine_tunes.download_fine_tune(
        FT_ID, checkpoint_type="adapter", checkpoint_step=40
    ),
}
