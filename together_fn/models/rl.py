"""Reinforcement-learning training sessions and their operations (OpenAPI: the ``RL.*``
schemas, named here without the ``RL.`` prefix: ``TrainingSession``,
``TrainingSessionsListResponse``, ``ListMeta``, ``InferenceCheckpoint``,
``InferenceCheckpointRegistration``, ``TrainingCheckpoint``, ``TrainingOperationError``, the
five ``*Operation`` schemas and their ``*Result``, ``SampleRollout``, ``SampleSequence``,
``CheckpointFile``, ``CheckpointDownloadResponse``). Request bodies are in ``rl_inputs``.

The API encodes 64-bit integers (steps, sizes, token ids) either as JSON numbers or as
strings; such fields are ``int | str`` and kept as sent (see :func:`as_int`).
Enumerations are open strings: the ``*_STATUSES`` constants list the known values.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

#: ``RL.TrainingSessionStatus`` values the spec lists.
TRAINING_SESSION_STATUSES: tuple[str, ...] = (
    "TRAINING_SESSION_STATUS_UNSPECIFIED",
    "TRAINING_SESSION_STATUS_CREATING",
    "TRAINING_SESSION_STATUS_RUNNING",
    "TRAINING_SESSION_STATUS_STOPPED",
    "TRAINING_SESSION_STATUS_STOPPING",
    "TRAINING_SESSION_STATUS_ERROR",
    "TRAINING_SESSION_STATUS_EXPIRED",
)

#: Session statuses after which a session no longer changes.
FINISHED_SESSION_STATUSES: frozenset[str] = frozenset(
    {
        "TRAINING_SESSION_STATUS_STOPPED",
        "TRAINING_SESSION_STATUS_ERROR",
        "TRAINING_SESSION_STATUS_EXPIRED",
    }
)

#: ``RL.TrainingOperationStatus`` values the spec lists.
TRAINING_OPERATION_STATUSES: tuple[str, ...] = (
    "TRAINING_OPERATION_STATUS_UNSPECIFIED",
    "TRAINING_OPERATION_STATUS_PENDING",
    "TRAINING_OPERATION_STATUS_RUNNING",
    "TRAINING_OPERATION_STATUS_COMPLETED",
    "TRAINING_OPERATION_STATUS_FAILED",
)

#: Operation statuses after which an operation no longer changes.
FINISHED_OPERATION_STATUSES: frozenset[str] = frozenset(
    {"TRAINING_OPERATION_STATUS_COMPLETED", "TRAINING_OPERATION_STATUS_FAILED"}
)


def as_int(value: int | str | None) -> int | None:
    """A 64-bit integer the API may send as a string, as an ``int`` (``None`` if absent)."""
    return None if value is None else int(value)


@attrs.frozen(kw_only=True)
class LoraConfig:
    """LoRA adapter settings (defaults: rank 8, alpha 16, dropout 0.05).

    Answers may carry these as strings: ``rank`` and ``alpha`` are 64-bit integers, and the
    spec's defaults (which mock servers serve) are strings for all three.
    """

    rank: int | str | None = None
    alpha: int | str | None = None
    dropout: float | str | None = None


@attrs.frozen(kw_only=True)
class InferenceCheckpointRegistration:
    """The model a checkpoint was registered as, for inference and download."""

    model_name: str
    registered_at: str | None = None


@attrs.frozen(kw_only=True)
class InferenceCheckpoint:
    """A saved LoRA adapter, usable for inference."""

    id: str
    step: int | str | None = None
    created_at: str | None = None
    registration: InferenceCheckpointRegistration | None = None


@attrs.frozen(kw_only=True)
class TrainingCheckpoint:
    """A saved full training state (adapter, optimizer, step), to resume from."""

    id: str
    step: int | str | None = None
    created_at: str | None = None


@attrs.frozen(kw_only=True)
class TrainingSession:
    """A training session. ``status`` is an open string (see
    :data:`TRAINING_SESSION_STATUSES`); ``type`` is ``SESSION_TYPE_TRAINER_AND_GENERATOR``
    or ``SESSION_TYPE_TRAINER_ONLY``."""

    id: str
    status: str
    base_model: str | None = None
    type: str | None = None
    step: int | str | None = None
    lora_config: LoraConfig | None = None
    inference_checkpoints: tuple[InferenceCheckpoint, ...] | None = None
    training_checkpoints: tuple[TrainingCheckpoint, ...] | None = None
    resume_from_checkpoint_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the session has stopped changing (stopped, failed or expired)."""
        return is_training_session_done(self)


@attrs.frozen(kw_only=True)
class ListMeta:
    """Pagination of a list: pass ``next_cursor`` as ``after`` for the next page."""

    limit: int | None = None
    has_more: bool | None = None
    next_cursor: str | None = None


@attrs.frozen(kw_only=True)
class TrainingSessionsListResponse:
    """Answer to ``GET /rl/training-sessions``: one page of sessions."""

    data: tuple[TrainingSession, ...] | None = None
    meta: ListMeta | None = None


@attrs.frozen(kw_only=True)
class TrainingOperationError:
    """Why an operation failed; ``code`` is a ``TRAINING_OPERATION_ERROR_CODE_*`` string."""

    code: str | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class ForwardBackwardResult:
    """The loss of a forward-backward pass, and loss-specific metrics."""

    loss: float
    metrics: dict[str, float] | None = None


@attrs.frozen(kw_only=True)
class ForwardBackwardOperation:
    """A forward-backward pass: ``output`` once completed, ``error`` once failed."""

    id: str
    status: str
    output: ForwardBackwardResult | None = None
    error: TrainingOperationError | None = None


@attrs.frozen(kw_only=True)
class OptimStepResult:
    """The step an optimizer step reached."""

    step: int | str


@attrs.frozen(kw_only=True)
class OptimStepOperation:
    """An optimizer step: ``output`` once completed, ``error`` once failed."""

    id: str
    status: str
    output: OptimStepResult | None = None
    error: TrainingOperationError | None = None


@attrs.frozen(kw_only=True)
class SampleSequence:
    """One completion: its token ids, their log probabilities, why it stopped."""

    tokens: tuple[int | str, ...] = ()
    logprobs: tuple[float, ...] | None = None
    stop_reason: str | None = None


@attrs.frozen(kw_only=True)
class SampleRollout:
    """The completions of one prompt."""

    sequences: tuple[SampleSequence, ...] = ()


@attrs.frozen(kw_only=True)
class SampleResult:
    """Completions grouped by prompt, in the order of the prompts."""

    rollouts: tuple[SampleRollout, ...] = ()


@attrs.frozen(kw_only=True)
class SampleOperation:
    """A sample operation: ``output`` once completed, ``error`` once failed."""

    id: str
    status: str
    output: SampleResult | None = None
    error: TrainingOperationError | None = None


@attrs.frozen(kw_only=True)
class InferenceCheckpointResult:
    """The model name an inference checkpoint was registered as."""

    model_name: str


@attrs.frozen(kw_only=True)
class InferenceCheckpointOperation:
    """Saving an inference checkpoint: ``output`` once completed, ``error`` once failed."""

    id: str
    status: str
    output: InferenceCheckpointResult | None = None
    error: TrainingOperationError | None = None


@attrs.frozen(kw_only=True)
class TrainingCheckpointResult:
    """The id of a saved training checkpoint (resume from it with a new session)."""

    checkpoint_id: str


@attrs.frozen(kw_only=True)
class TrainingCheckpointOperation:
    """Saving a training checkpoint: ``output`` once completed, ``error`` once failed."""

    id: str
    status: str
    output: TrainingCheckpointResult | None = None
    error: TrainingOperationError | None = None


#: Any of the five operations a training session runs.
RLOperation: TypeAlias = (
    ForwardBackwardOperation
    | OptimStepOperation
    | SampleOperation
    | InferenceCheckpointOperation
    | TrainingCheckpointOperation
)


@attrs.frozen(kw_only=True)
class CheckpointFile:
    """A file of a checkpoint and its presigned download URL (no API key needed)."""

    filename: str
    url: str = attrs.field(repr=False)
    size: int | str | None = None


@attrs.frozen(kw_only=True)
class CheckpointDownloadResponse:
    """Answer to ``GET /rl/checkpoints/{id}/download``: the checkpoint's files."""

    data: tuple[CheckpointFile, ...] = ()


def is_rl_operation_done(operation: RLOperation) -> bool:
    """Whether an RL operation has finished (completed or failed): what a wait loop polls for.

    >>> is_rl_operation_done(OptimStepOperation(id="op", status="TRAINING_OPERATION_STATUS_FAILED"))
    True
    """
    return operation.status in FINISHED_OPERATION_STATUSES


def is_training_session_done(session: TrainingSession) -> bool:
    """Whether a training session has stopped changing (stopped, failed or expired).

    ``STOPPING`` is not done yet: it becomes ``STOPPED``.
    """
    return session.status in FINISHED_SESSION_STATUSES
