"""Builders for ``/rl``: training sessions and the operations they run (forward-backward,
optimizer step, sample, inference and training checkpoints), and checkpoint downloads.

Every operation is asynchronous on the server: starting one answers with its id and status,
and the matching ``retrieve_*`` builder reads it until
:func:`~together_fn.models.rl.is_rl_operation_done`.
Starting an operation is never retried (a second optimizer step would change the model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    params,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.rl import (
    TRAINING_SESSION_STATUSES,
    CheckpointDownloadResponse,
    ForwardBackwardOperation,
    InferenceCheckpointOperation,
    LoraConfig,
    OptimStepOperation,
    RLOperation,
    SampleOperation,
    TrainingCheckpointOperation,
    TrainingSession,
    TrainingSessionsListResponse,
)
from together_fn.models.rl_inputs import (
    CHECKPOINT_VARIANTS,
    AdamWOptimizerParams,
    ForwardBackwardBody,
    LossConfig,
    ModelInput,
    OptimStepBody,
    SampleBody,
    SamplingParams,
    StartTrainingSessionRequest,
    TrainingSample,
)

_SESSIONS = "/rl/training-sessions"


def _session(session_id: str) -> str:
    return f"{_SESSIONS}/{path_param(session_id)}"


@operation("GET", "/rl/training-sessions")
def list_training_sessions(
    *,
    status: str | None = None,
    limit: int | None = None,
    after: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[TrainingSessionsListResponse]:
    """The Call that lists training sessions, a page at a time (``limit`` 1-100; ``after`` is
    the previous page's ``meta.next_cursor``), optionally of one ``status`` only.

    >>> list_training_sessions(status="TRAINING_SESSION_STATUS_RUNNING", limit=5).request.query
    (('status', 'TRAINING_SESSION_STATUS_RUNNING'), ('limit', '5'))
    """
    if status is not None and status not in TRAINING_SESSION_STATUSES:
        raise ValueError(f"status must be one of {TRAINING_SESSION_STATUSES}, got {status!r}")
    if limit is not None and not 1 <= limit <= 100:
        raise ValueError(f"limit must be between 1 and 100, got {limit}")
    return Call(
        operation="GET /rl/training-sessions",
        request=request(
            Method.GET,
            _SESSIONS,
            query={"status": status, "limit": limit, "after": after or None},
            options=options,
        ),
        response_type=TrainingSessionsListResponse,
    )


@operation("POST", "/rl/training-sessions")
def create_training_session(
    *,
    base_model: str,
    resume_from_checkpoint_id: str | None = None,
    type: str | None = None,
    lora_config: LoraConfig | Mapping[str, Any] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[TrainingSession]:
    """The Call that starts a training session on ``base_model`` (``type`` is
    ``SESSION_TYPE_TRAINER_AND_GENERATOR``, the default, or ``SESSION_TYPE_TRAINER_ONLY``).

    >>> create_training_session(base_model="meta-llama/Meta-Llama-3-8B-Instruct").retryable
    False
    """
    body = StartTrainingSessionRequest(**params(locals()))
    return json_call(
        "POST /rl/training-sessions",
        TrainingSession,
        body,
        path=_SESSIONS,
        retryable=False,
        options=options,
    )


@operation("GET", "/rl/training-sessions/{session_id}")
def retrieve_training_session(
    session_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[TrainingSession]:
    """The Call that reads a training session.

    >>> retrieve_training_session("s-1").request.url
    '/rl/training-sessions/s-1'
    """
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}",
        TrainingSession,
        _session(session_id),
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/stop")
def stop_training_session(
    session_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[TrainingSession]:
    """The Call that stops a training session (stopping twice is harmless, so it is retried).

    >>> stop_training_session("s-1").request.url
    '/rl/training-sessions/s-1/stop'
    """
    return bodiless_call(
        "POST /rl/training-sessions/{session_id}/stop",
        TrainingSession,
        f"{_session(session_id)}/stop",
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/operations/forward-backward")
def create_forward_backward(
    session_id: str,
    *,
    samples: Sequence[TrainingSample | Mapping[str, Any]],
    loss: LossConfig | Mapping[str, Any],
    options: RequestOptions = NO_OPTIONS,
) -> Call[ForwardBackwardOperation]:
    """The Call that starts a forward-backward pass over ``samples``, accumulating gradients.

    >>> sample = {
    ...     "model_input": {"chunks": [{"encoded_text": {"tokens": [1, 2, 3]}}]},
    ...     "loss_inputs": {"target_tokens": {"data": [2, 3, 4]}},
    ... }
    >>> loss = {"type": "LOSS_TYPE_CROSS_ENTROPY"}
    >>> call = create_forward_backward("s-1", samples=[sample], loss=loss)
    >>> call.request.url
    '/rl/training-sessions/s-1/operations/forward-backward'
    """
    body = ForwardBackwardBody(samples=samples, loss=loss)
    return json_call(
        "POST /rl/training-sessions/{session_id}/operations/forward-backward",
        ForwardBackwardOperation,
        body,
        path=f"{_session(session_id)}/operations/forward-backward",
        retryable=False,
        options=options,
    )


@operation("GET", "/rl/training-sessions/{session_id}/operations/forward-backward/{operation_id}")
def retrieve_forward_backward(
    session_id: str, operation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[ForwardBackwardOperation]:
    """The Call that reads a forward-backward pass (its loss once completed)."""
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}/operations/forward-backward/{operation_id}",
        ForwardBackwardOperation,
        f"{_session(session_id)}/operations/forward-backward/{path_param(operation_id)}",
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/operations/optim-step")
def create_optim_step(
    session_id: str,
    *,
    learning_rate: float | None = None,
    adamw_params: AdamWOptimizerParams | Mapping[str, Any] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[OptimStepOperation]:
    """The Call that applies the accumulated gradients (an AdamW step).

    >>> create_optim_step("s-1", learning_rate=1e-5).request.body.json()
    {'learning_rate': 1e-05}
    """
    body = OptimStepBody(**params(locals(), "session_id"))
    return json_call(
        "POST /rl/training-sessions/{session_id}/operations/optim-step",
        OptimStepOperation,
        body,
        path=f"{_session(session_id)}/operations/optim-step",
        retryable=False,
        options=options,
    )


@operation("GET", "/rl/training-sessions/{session_id}/operations/optim-step/{operation_id}")
def retrieve_optim_step(
    session_id: str, operation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[OptimStepOperation]:
    """The Call that reads an optimizer step (the step reached once completed)."""
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}/operations/optim-step/{operation_id}",
        OptimStepOperation,
        f"{_session(session_id)}/operations/optim-step/{path_param(operation_id)}",
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/operations/sample")
def create_sample(
    session_id: str,
    *,
    prompts: Sequence[ModelInput | Mapping[str, Any]],
    sampling_params: SamplingParams | Mapping[str, Any] | None = None,
    num_samples: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[SampleOperation]:
    """The Call that samples ``num_samples`` completions (with log probabilities) per prompt.

    >>> call = create_sample("s-1", prompts=[{"chunks": [{"encoded_text": {"tokens": [1]}}]}])
    >>> call.request.body.json()
    {'prompts': [{'chunks': [{'encoded_text': {'tokens': [1]}}]}]}
    """
    body = SampleBody(**params(locals(), "session_id"))
    return json_call(
        "POST /rl/training-sessions/{session_id}/operations/sample",
        SampleOperation,
        body,
        path=f"{_session(session_id)}/operations/sample",
        retryable=False,
        options=options,
    )


@operation("GET", "/rl/training-sessions/{session_id}/operations/sample/{operation_id}")
def retrieve_sample(
    session_id: str, operation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[SampleOperation]:
    """The Call that reads a sample operation (the rollouts once completed)."""
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}/operations/sample/{operation_id}",
        SampleOperation,
        f"{_session(session_id)}/operations/sample/{path_param(operation_id)}",
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/operations/inference-checkpoint")
def create_inference_checkpoint(
    session_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[InferenceCheckpointOperation]:
    """The Call that saves the current LoRA adapter as an inference checkpoint.

    >>> create_inference_checkpoint("s-1").request.body
    NoBody()
    """
    return bodiless_call(
        "POST /rl/training-sessions/{session_id}/operations/inference-checkpoint",
        InferenceCheckpointOperation,
        f"{_session(session_id)}/operations/inference-checkpoint",
        retryable=False,
        options=options,
    )


@operation(
    "GET", "/rl/training-sessions/{session_id}/operations/inference-checkpoint/{operation_id}"
)
def retrieve_inference_checkpoint(
    session_id: str, operation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[InferenceCheckpointOperation]:
    """The Call that reads an inference checkpoint operation (the model name once saved)."""
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}/operations/inference-checkpoint/{operation_id}",
        InferenceCheckpointOperation,
        f"{_session(session_id)}/operations/inference-checkpoint/{path_param(operation_id)}",
        options=options,
    )


@operation("POST", "/rl/training-sessions/{session_id}/operations/training-checkpoint")
def create_training_checkpoint(
    session_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[TrainingCheckpointOperation]:
    """The Call that saves the full training state (adapter, optimizer, step).

    >>> create_training_checkpoint("s-1").retryable
    False
    """
    return bodiless_call(
        "POST /rl/training-sessions/{session_id}/operations/training-checkpoint",
        TrainingCheckpointOperation,
        f"{_session(session_id)}/operations/training-checkpoint",
        retryable=False,
        options=options,
    )


@operation(
    "GET", "/rl/training-sessions/{session_id}/operations/training-checkpoint/{operation_id}"
)
def retrieve_training_checkpoint(
    session_id: str, operation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[TrainingCheckpointOperation]:
    """The Call that reads a training checkpoint operation (the checkpoint id once saved)."""
    return bodiless_call(
        "GET /rl/training-sessions/{session_id}/operations/training-checkpoint/{operation_id}",
        TrainingCheckpointOperation,
        f"{_session(session_id)}/operations/training-checkpoint/{path_param(operation_id)}",
        options=options,
    )


@operation("GET", "/rl/checkpoints/{id}/download")
def download_checkpoint(
    id: str, *, variant: str = "CHECKPOINT_VARIANT_ADAPTER", options: RequestOptions = NO_OPTIONS
) -> Call[CheckpointDownloadResponse]:
    """The Call that asks for presigned URLs of an inference checkpoint's files: the LoRA
    weights (``CHECKPOINT_VARIANT_ADAPTER``) or the merged model
    (``CHECKPOINT_VARIANT_MERGED``). The URLs need no API key.

    >>> download_checkpoint("ck-1", variant="CHECKPOINT_VARIANT_MERGED").request.full_url
    '/rl/checkpoints/ck-1/download?variant=CHECKPOINT_VARIANT_MERGED'
    """
    if variant not in CHECKPOINT_VARIANTS:
        raise ValueError(f"variant must be one of {CHECKPOINT_VARIANTS}, got {variant!r}")
    return Call(
        operation="GET /rl/checkpoints/{id}/download",
        request=request(
            Method.GET,
            f"/rl/checkpoints/{path_param(id)}/download",
            query={"variant": variant},
            options=options,
        ),
        response_type=CheckpointDownloadResponse,
    )


_RETRIEVERS: dict[type, Callable[..., Call[Any]]] = {
    ForwardBackwardOperation: retrieve_forward_backward,
    OptimStepOperation: retrieve_optim_step,
    SampleOperation: retrieve_sample,
    InferenceCheckpointOperation: retrieve_inference_checkpoint,
    TrainingCheckpointOperation: retrieve_training_checkpoint,
}


def retrieve_rl_operation(
    session_id: str, operation: RLOperation, *, options: RequestOptions = NO_OPTIONS
) -> Call[RLOperation]:
    """The Call that reads ``operation`` again, whichever of the five kinds it is: what a wait
    loop polls with.

    >>> op = OptimStepOperation(id="op-1", status="TRAINING_OPERATION_STATUS_PENDING")
    >>> retrieve_rl_operation("s-1", op).request.url
    '/rl/training-sessions/s-1/operations/optim-step/op-1'
    """
    retriever = _RETRIEVERS.get(type(operation))
    if retriever is None:
        raise TypeError(f"not an RL operation: {type(operation).__name__}")
    return retriever(session_id, operation.id, options=options)
