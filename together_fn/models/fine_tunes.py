"""Fine-tuning models (OpenAPI: ``FinetuneResponse``, ``FinetuneResponseTruncated``,
``FineTuneEvent``, ``FineTuneCheckpoint``, ``FineTuneModelLimits``, ``TrainingMethodSFT``,
``TrainingMethodDPO``, ``FullTrainingType``, ``LoRATrainingType``, ``LRScheduler`` and friends).

These models are shared by requests and responses, so they hold no range checks (the
request builders check ranges); decoding accepts whatever the server sends. The training
method and type unions are told apart by their ``method`` / ``type`` tag; an
unknown tag is kept as a plain dict. Statuses, event types and levels are open strings: the
known values are listed in the ``FINETUNE_*`` tuples. Jobs carry many fields the spec does not
list (prices, step counters, W&B names); the ones seen in real payloads are declared here, every
one optional.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.schema import ByKey, Tagged

#: ``FinetuneJobStatus`` values the spec lists; ``status`` fields are open strings.
FINETUNE_JOB_STATUSES: tuple[str, ...] = (
    "pending",
    "queued",
    "running",
    "compressing",
    "uploading",
    "cancel_requested",
    "cancelled",
    "error",
    "completed",
)

#: ``FinetuneEventType`` values the spec lists.
FINETUNE_EVENT_TYPES: tuple[str, ...] = (
    "job_pending",
    "job_start",
    "job_stopped",
    "model_downloading",
    "model_download_complete",
    "training_data_downloading",
    "training_data_download_complete",
    "validation_data_downloading",
    "validation_data_download_complete",
    "wandb_init",
    "training_start",
    "checkpoint_save",
    "billing_limit",
    "epoch_complete",
    "training_complete",
    "model_compressing",
    "model_compression_complete",
    "model_uploading",
    "model_upload_complete",
    "job_complete",
    "job_error",
    "cancel_requested",
    "job_restarted",
    "refund",
    "warning",
)

#: ``FinetuneEventLevels`` values the spec lists (besides null).
FINETUNE_EVENT_LEVELS: tuple[str, ...] = (
    "info",
    "warning",
    "error",
    "legacy_info",
    "legacy_iwarning",
    "legacy_ierror",
)

#: ``checkpoint`` values of ``GET /finetune/download``.
DOWNLOAD_CHECKPOINT_TYPES: tuple[str, ...] = ("merged", "adapter", "model_output_path")


@attrs.frozen(kw_only=True)
class FullTrainingType:
    """Full fine-tuning: every weight is trained."""

    type: Literal["Full"] = "Full"


@attrs.frozen(kw_only=True)
class LoRATrainingType:
    """LoRA fine-tuning. Requests always carry ``lora_r`` and ``lora_alpha``; jobs read back
    from the API may omit them."""

    type: Literal["Lora"] = "Lora"
    lora_r: int | None = None
    lora_alpha: int | None = None
    lora_dropout: float | None = None
    lora_trainable_modules: str | None = None


#: ``training_type``, by ``type``; an unknown type is kept as a dict.
TrainingType: TypeAlias = Annotated[
    FullTrainingType | LoRATrainingType | dict[str, Any],
    Tagged("type", {"Full": FullTrainingType, "Lora": LoRATrainingType}, default=dict),
]


@attrs.frozen(kw_only=True)
class TrainingMethodSFT:
    """Supervised fine-tuning. ``train_on_inputs`` is ``True``, ``False`` or ``"auto"``."""

    method: Literal["sft"] = "sft"
    train_on_inputs: bool | str = "auto"


@attrs.frozen(kw_only=True)
class TrainingMethodDPO:
    """Preference optimization: DPO, and its RPO (``rpo_alpha``) and SimPO (``simpo_gamma``,
    reference-free, length-normalized) variants."""

    method: Literal["dpo"] = "dpo"
    dpo_beta: float | None = None
    rpo_alpha: float | None = None
    dpo_normalize_logratios_by_length: bool | None = None
    dpo_reference_free: bool | None = None
    simpo_gamma: float | None = None


#: ``training_method``, by ``method``; an unknown method is kept as a dict.
TrainingMethod: TypeAlias = Annotated[
    TrainingMethodSFT | TrainingMethodDPO | dict[str, Any],
    Tagged("method", {"sft": TrainingMethodSFT, "dpo": TrainingMethodDPO}, default=dict),
]


@attrs.frozen(kw_only=True)
class LinearLRSchedulerArgs:
    """Arguments of the linear scheduler."""

    min_lr_ratio: float | None = None


@attrs.frozen(kw_only=True)
class CosineLRSchedulerArgs:
    """Arguments of the cosine scheduler."""

    min_lr_ratio: float = 0.0
    num_cycles: float = 0.5


#: Scheduler arguments: cosine ones carry ``num_cycles``.
LRSchedulerArgs: TypeAlias = Annotated[
    LinearLRSchedulerArgs | CosineLRSchedulerArgs,
    ByKey((("num_cycles", CosineLRSchedulerArgs),), default=LinearLRSchedulerArgs),
]


@attrs.frozen(kw_only=True)
class LRScheduler:
    """How the learning rate changes during training (``linear`` or ``cosine``)."""

    lr_scheduler_type: str
    lr_scheduler_args: LRSchedulerArgs | None = None


@attrs.frozen(kw_only=True)
class MultimodalParams:
    """Options of multimodal models."""

    train_vision: bool | None = None


@attrs.frozen(kw_only=True)
class FineTuneProgress:
    """How long the job's current stage is expected to take."""

    estimate_available: bool | None = None
    seconds_remaining: int | None = None


@attrs.frozen(kw_only=True)
class FineTuneEvent:
    """One event of a job. ``type`` and ``level`` are open strings (see the
    ``FINETUNE_EVENT_*`` tuples)."""

    object: str = "fine-tune-event"
    created_at: str | None = None
    level: str | None = None
    message: str | None = None
    type: str | None = None
    param_count: int | None = None
    token_count: int | None = None
    total_steps: int | None = None
    wandb_url: str | None = None
    step: int | None = None
    checkpoint_path: str | None = None
    model_path: str | None = None
    training_offset: int | None = None
    hash: str | None = None


@attrs.frozen(kw_only=True)
class FinetuneResponseTruncated:
    """A job as ``POST /fine-tunes``, ``GET /fine-tunes`` and cancel return it.

    ``status`` is an open string (see :data:`FINETUNE_JOB_STATUSES`). Prices are integers in
    the API's fixed-point units.
    """

    id: str
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    started_at: str | None = None
    user_id: str | None = None
    owner_address: str | None = None
    total_price: int | None = None
    token_count: int | None = None
    events: tuple[FineTuneEvent, ...] | None = None
    training_file: str | None = None
    validation_file: str | None = None
    packing: bool | None = None
    max_seq_length: int | None = None
    model: str | None = None
    model_output_name: str | None = None
    suffix: str | None = None
    n_epochs: int | None = None
    n_evals: int | None = None
    n_checkpoints: int | None = None
    batch_size: int | str | None = None
    training_type: TrainingType | None = None
    training_method: TrainingMethod | None = None
    learning_rate: float | None = None
    lr_scheduler: LRScheduler | None = None
    warmup_ratio: float | None = None
    max_grad_norm: float | None = None
    weight_decay: float | None = None
    # The API has been seen sending the string "null" here.
    random_seed: int | str | None = None
    wandb_project_name: str | None = None
    wandb_name: str | None = None
    from_checkpoint: str | None = None
    from_hf_model: str | None = None
    hf_model_revision: str | None = None
    progress: FineTuneProgress | None = None

    @property
    def output_name(self) -> str | None:
        """The fine-tuned model's name (the old SDK's name for ``model_output_name``)."""
        return self.model_output_name


@attrs.frozen(kw_only=True)
class FinetuneResponse(FinetuneResponseTruncated):
    """A job as ``GET /fine-tunes/{id}`` returns it: everything the truncated form has, and
    more (counters and prices the spec does not list are kept when sent)."""

    model_output_path: str | None = None
    adapter_output_name: str | None = None
    adapter_output_path: str | None = None
    trainingfile_numlines: int | None = None
    trainingfile_size: int | None = None
    eval_steps: int | None = None
    train_on_inputs: bool | str | None = None
    multimodal_params: MultimodalParams | None = None
    job_id: str | None = None
    param_count: int | None = None
    epochs_completed: int | None = None
    steps_completed: int | None = None
    total_steps: int | None = None
    evals_completed: int | None = None
    queue_depth: int | None = None
    wandb_base_url: str | None = None
    wandb_url: str | None = None
    train_price: int | None = None
    eval_price: int | None = None
    refund_amount: int | None = None
    warmup_steps: int | None = None
    validation_split_ratio: float | None = None
    parent_ft_id: str | None = None
    checkpoints: tuple[Any, ...] | None = None


@attrs.frozen(kw_only=True)
class FinetuneTruncatedList:
    """Body of ``GET /fine-tunes``."""

    data: tuple[FinetuneResponseTruncated, ...] = ()


@attrs.frozen(kw_only=True)
class FinetuneListEvents:
    """Body of ``GET /fine-tunes/{id}/events``."""

    data: tuple[FineTuneEvent, ...] = ()


@attrs.frozen(kw_only=True)
class FineTuneCheckpoint:
    """One saved checkpoint. ``checkpoint_type`` is an open string."""

    step: int | None = None
    created_at: str | None = None
    path: str | None = None
    checkpoint_type: str | None = None


@attrs.frozen(kw_only=True)
class FinetuneListCheckpoints:
    """Body of ``GET /fine-tunes/{id}/checkpoints``."""

    data: tuple[FineTuneCheckpoint, ...] = ()


@attrs.frozen(kw_only=True)
class FinetuneDeleteResponse:
    """Body of ``DELETE /fine-tunes/{id}``."""

    message: str | None = None


@attrs.frozen(kw_only=True)
class FineTuneFullTrainingLimits:
    """``FineTuneModelLimits.full_training``: batch sizes for full training."""

    max_batch_size: int
    max_batch_size_dpo: int | None = None
    min_batch_size: int = 1


@attrs.frozen(kw_only=True)
class FineTuneLoraTrainingLimits:
    """``FineTuneModelLimits.lora_training``: batch sizes, rank and modules for LoRA."""

    max_batch_size: int
    max_batch_size_dpo: int | None = None
    min_batch_size: int = 1
    max_rank: int | None = None
    target_modules: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class FineTuneModelLimits:
    """Body of ``GET /fine-tunes/models/limits``. A missing ``full_training`` or
    ``lora_training`` means that kind of training is not offered for the model."""

    model_name: str
    full_training: FineTuneFullTrainingLimits | None = None
    lora_training: FineTuneLoraTrainingLimits | None = None
    max_num_epochs: int | None = None
    max_num_evals: int | None = None
    max_learning_rate: float | None = None
    min_learning_rate: float | None = None
    supports_vision: bool | None = None
    supports_tools: bool | None = None
    supports_reasoning: bool | None = None
    merge_output_lora: bool | None = None


@attrs.frozen(kw_only=True)
class FinetuneSupportedModels:
    """Body of ``GET /fine-tunes/models/supported``."""

    models: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class FinetuneMetrics:
    """Body of ``GET /fine-tunes/{id}/metrics``: flat snapshots, oldest first."""

    metrics: tuple[dict[str, float], ...] = ()


@attrs.frozen(kw_only=True)
class FinetunePriceEstimate:
    """Body of ``POST /fine-tunes/estimate-price``."""

    estimated_total_price: float | None = None
    allowed_to_proceed: bool | None = None
    user_limit: float | None = None
    estimated_train_token_count: float | None = None
    estimated_eval_token_count: float | None = None
