"""Contract cases of ``/rl``: training sessions, their operations and checkpoint downloads.

The spec's ``RL.LoraConfig`` gives its defaults as strings (``default: '8'`` on an integer),
and static Prism builds every training session example from them: its own answer then
violates the spec and it replies 500. Cases answered by a training session therefore ask
Prism for a generated answer (``Prefer: dynamic=true``) in both modes; the spec's examples
are decoded in ``tests/unit/api/test_rl.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.api import RequestOptions
from together_fn.calls import Call
from together_fn.models.rl import LoraConfig
from together_fn.models.rl_inputs import (
    EncodedText,
    InputChunk,
    LossConfig,
    LossInputs,
    LossTargetTokens,
    ModelInput,
    TrainingSample,
)

SESSION = "123e4567-e89b-12d3-a456-426614174000"
OPERATION = "550e8400-e29b-41d4-a716-446655440000"

#: See the module docstring: the spec's static training session example is invalid.
GENERATED = RequestOptions(extra_headers={"prefer": "dynamic=true"})

PROMPT = {"chunks": [{"encoded_text": {"tokens": [128000, 9906, 11]}}]}

GRPO_SAMPLE = {
    "model_input": PROMPT,
    "loss_inputs": {
        "target_tokens": {"data": [9906, 11, 1917], "dtype": "D_TYPE_INT64"},
        "loss_mask": {"data": [0, 1, 1], "dtype": "D_TYPE_INT64"},
        "grpo_inputs": {
            "advantages": {"data": [0.5, 0.5, 0.5], "dtype": "D_TYPE_FLOAT32"},
            "generator_logprobs": {"data": [-1.2, -0.8, -0.4], "dtype": "D_TYPE_FLOAT32"},
            "reference_logprobs": {"data": [-1.1, -0.9, -0.5], "dtype": "D_TYPE_FLOAT32"},
        },
    },
}

CROSS_ENTROPY_SAMPLE = TrainingSample(
    model_input=ModelInput(chunks=(InputChunk(encoded_text=EncodedText(tokens=(1, 2, 3))),)),
    loss_inputs=LossInputs(target_tokens=LossTargetTokens(data=(2, 3, 4))),
)

CASES: dict[str, Callable[[], Call[Any]]] = {
    "rl sessions: list": lambda: api.rl.list_training_sessions(options=GENERATED),
    "rl sessions: list a page of running ones": lambda: api.rl.list_training_sessions(
        status="TRAINING_SESSION_STATUS_RUNNING", limit=10, after=SESSION, options=GENERATED
    ),
    "rl sessions: create": lambda: api.rl.create_training_session(
        base_model="meta-llama/Meta-Llama-3-8B-Instruct", options=GENERATED
    ),
    "rl sessions: create with lora, resuming": lambda: api.rl.create_training_session(
        base_model="meta-llama/Meta-Llama-3-8B-Instruct",
        type="SESSION_TYPE_TRAINER_ONLY",
        resume_from_checkpoint_id=SESSION,
        lora_config=LoraConfig(rank=16, alpha=32, dropout=0.05),
        options=GENERATED,
    ),
    "rl sessions: retrieve": lambda: api.rl.retrieve_training_session(SESSION, options=GENERATED),
    "rl sessions: stop": lambda: api.rl.stop_training_session(SESSION, options=GENERATED),
    "rl forward-backward: cross entropy": lambda: api.rl.create_forward_backward(
        SESSION,
        samples=[CROSS_ENTROPY_SAMPLE],
        loss=LossConfig(type="LOSS_TYPE_CROSS_ENTROPY"),
    ),
    "rl forward-backward: grpo": lambda: api.rl.create_forward_backward(
        SESSION,
        samples=[GRPO_SAMPLE],
        loss={
            "type": "LOSS_TYPE_GRPO",
            "grpo_params": {
                "clip_low": 0.2,
                "clip_high": 0.28,
                "beta": 0.1,
                "agg_type": "GRPO_LOSS_AGGREGATION_TYPE_TOKEN_MEAN",
            },
        },
    ),
    "rl forward-backward: retrieve": lambda: api.rl.retrieve_forward_backward(SESSION, OPERATION),
    "rl optim-step": lambda: api.rl.create_optim_step(
        SESSION,
        learning_rate=1e-4,
        adamw_params={"beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.1},
    ),
    "rl optim-step: defaults": lambda: api.rl.create_optim_step(SESSION),
    "rl optim-step: retrieve": lambda: api.rl.retrieve_optim_step(SESSION, OPERATION),
    "rl sample": lambda: api.rl.create_sample(
        SESSION,
        prompts=[PROMPT],
        sampling_params={
            "max_tokens": 64,
            "temperature": 0.7,
            "top_p": 0.9,
            "top_k": 50,
            "stop": ["\n\n", "END"],
            "seed": 42,
        },
        num_samples=4,
    ),
    "rl sample: retrieve": lambda: api.rl.retrieve_sample(SESSION, OPERATION),
    "rl inference checkpoint": lambda: api.rl.create_inference_checkpoint(SESSION),
    "rl inference checkpoint: retrieve": lambda: api.rl.retrieve_inference_checkpoint(
        SESSION, OPERATION
    ),
    "rl training checkpoint": lambda: api.rl.create_training_checkpoint(SESSION),
    "rl training checkpoint: retrieve": lambda: api.rl.retrieve_training_checkpoint(
        SESSION, OPERATION
    ),
    "rl checkpoint download: adapter": lambda: api.rl.download_checkpoint(SESSION),
    "rl checkpoint download: merged": lambda: api.rl.download_checkpoint(
        SESSION, variant="CHECKPOINT_VARIANT_MERGED"
    ),
}
