"""Request bodies of the fine-tuning operations (inline schemas in the spec).

``FinetuneRequest`` is the body of ``POST /fine-tunes``, ``FinetunePriceEstimateRequest`` of
``POST /fine-tunes/estimate-price`` and ``FinetuneMetricsRequest`` the optional filter of
``GET /fine-tunes/{id}/metrics``. Each field checks its own range; rules that involve several
fields (LoRA options only with LoRA, say) live in the builders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from together_fn.models._fields import at_least, in_range, non_empty
from together_fn.models.fine_tunes import (
    CosineLRSchedulerArgs,
    FullTrainingType,
    LinearLRSchedulerArgs,
    LoRATrainingType,
    LRScheduler,
    MultimodalParams,
    TrainingMethod,
    TrainingMethodDPO,
    TrainingMethodSFT,
    TrainingType,
)


def _optional_text(_: object, attribute: Any, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{attribute.name} must not be empty when given")


def _count(low: int) -> Any:
    def check(_: object, attribute: Any, value: int | None) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be an integer, got {value!r}")
        if value < low:
            raise ValueError(f"{attribute.name} must be at least {low}, got {value}")

    return check


def _batch_size(_: object, attribute: Any, value: int | str | None) -> None:
    if value is None or value == "max":
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{attribute.name} must be a positive integer or 'max', got {value!r}")
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


def _positive(_: object, attribute: Any, value: float | None) -> None:
    if value is not None and not (0 < value < math.inf):
        raise ValueError(f"{attribute.name} must be a positive number, got {value}")


def _train_on_inputs(_: object, attribute: Any, value: bool | str | None) -> None:
    if value is not None and not isinstance(value, bool) and value != "auto":
        raise ValueError(f"{attribute.name} must be True, False or 'auto', got {value!r}")


@attrs.frozen(kw_only=True)
class _Named:
    """Stands in for an attrs attribute when a field validator checks a plain argument."""

    name: str


@attrs.frozen(kw_only=True)
class FinetuneRequest:
    """Body of ``POST /fine-tunes``. Fields left at ``None`` are not sent (the server's
    defaults apply: one epoch, one checkpoint, batch size ``"max"``, LoRA)."""

    training_file: str = attrs.field(validator=non_empty)
    model: str | None = attrs.field(default=None, validator=_optional_text)
    validation_file: str | None = attrs.field(default=None, validator=_optional_text)
    packing: bool | None = None
    max_seq_length: int | None = attrs.field(default=None, validator=_count(1))
    n_epochs: int | None = attrs.field(default=None, validator=_count(1))
    n_checkpoints: int | None = attrs.field(default=None, validator=_count(1))
    n_evals: int | None = attrs.field(default=None, validator=_count(0))
    batch_size: int | str | None = attrs.field(default=None, validator=_batch_size)
    learning_rate: float | None = attrs.field(default=None, validator=_positive)
    lr_scheduler: LRScheduler | None = None
    warmup_ratio: float | None = attrs.field(default=None, validator=in_range(0.0, 1.0))
    max_grad_norm: float | None = attrs.field(default=None, validator=at_least(0.0))
    weight_decay: float | None = attrs.field(default=None, validator=at_least(0.0))
    random_seed: int | None = attrs.field(default=None, validator=_count(0))
    suffix: str | None = attrs.field(default=None, validator=_optional_text)
    wandb_api_key: str | None = attrs.field(default=None, validator=_optional_text)
    wandb_base_url: str | None = attrs.field(default=None, validator=_optional_text)
    wandb_project_name: str | None = attrs.field(default=None, validator=_optional_text)
    wandb_name: str | None = attrs.field(default=None, validator=_optional_text)
    wandb_entity: str | None = attrs.field(default=None, validator=_optional_text)
    train_on_inputs: bool | str | None = attrs.field(default=None, validator=_train_on_inputs)
    training_method: TrainingMethod | None = None
    training_type: TrainingType | None = None
    multimodal_params: MultimodalParams | None = None
    from_checkpoint: str | None = attrs.field(default=None, validator=_optional_text)
    from_hf_model: str | None = attrs.field(default=None, validator=_optional_text)
    hf_model_revision: str | None = attrs.field(default=None, validator=_optional_text)
    hf_api_token: str | None = attrs.field(default=None, validator=_optional_text)
    hf_output_repo_name: str | None = attrs.field(default=None, validator=_optional_text)

    def __repr__(self) -> str:
        # Credentials never show in a repr or a log line.
        hidden = {"wandb_api_key", "hf_api_token"}
        shown = ", ".join(
            f"{a.name}={'<redacted>' if a.name in hidden else repr(getattr(self, a.name))}"
            for a in attrs.fields(type(self))
            if getattr(self, a.name) is not None
        )
        return f"FinetuneRequest({shown})"


@attrs.frozen(kw_only=True)
class FinetunePriceEstimateRequest:
    """Body of ``POST /fine-tunes/estimate-price``: the fields of a job that set its price."""

    training_file: str = attrs.field(validator=non_empty)
    validation_file: str | None = attrs.field(default=None, validator=_optional_text)
    model: str | None = attrs.field(default=None, validator=_optional_text)
    n_epochs: int | None = attrs.field(default=None, validator=_count(1))
    n_evals: int | None = attrs.field(default=None, validator=_count(0))
    training_method: TrainingMethod | None = None
    training_type: TrainingType | None = None
    from_checkpoint: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen(kw_only=True)
class FinetuneMetricsRequest:
    """Filters of ``GET /fine-tunes/{id}/metrics`` (steps inclusive, ISO-8601 times)."""

    global_step_from: int | None = attrs.field(default=None, validator=_count(0))
    global_step_to: int | None = attrs.field(default=None, validator=_count(0))
    logged_at_from: str | None = attrs.field(default=None, validator=_optional_text)
    logged_at_to: str | None = attrs.field(default=None, validator=_optional_text)

    def __attrs_post_init__(self) -> None:
        low, high = self.global_step_from, self.global_step_to
        if low is not None and high is not None and low > high:
            raise ValueError(f"global_step_from ({low}) is after global_step_to ({high})")


_LORA_OPTIONS = ("lora_r", "lora_alpha", "lora_dropout", "lora_trainable_modules")
_DPO_OPTIONS = (
    "dpo_beta",
    "rpo_alpha",
    "simpo_gamma",
    "dpo_normalize_logratios_by_length",
    "dpo_reference_free",
)
_SCHEDULER_OPTIONS = ("lr_scheduler_type", "min_lr_ratio", "scheduler_num_cycles")
_METHODS = ("sft", "dpo", "rpo", "simpo")


def shape_fine_tune_request(given: Mapping[str, Any], *, default_rank: int = 8) -> FinetuneRequest:
    """A :class:`FinetuneRequest` from the old SDK's flat keyword arguments (``None`` = unset).

    ``lora``/``lora_*`` become ``training_type``; ``training_method`` with ``train_on_inputs``
    and the DPO options become ``training_method``; the scheduler options become
    ``lr_scheduler``; ``train_vision`` becomes ``multimodal_params``. Options that do not belong
    together raise ``ValueError``.
    """
    values = {k: v for k, v in given.items() if v is not None}
    _check_sources(values)
    training_type = _training_type(values, default_rank)
    training_method = _training_method(values)
    scheduler = _scheduler(values)
    _check_ranges(training_type, training_method, scheduler)
    train_vision = values.pop("train_vision", None)
    return FinetuneRequest(
        **values,
        training_type=training_type,
        training_method=training_method,
        lr_scheduler=scheduler,
        multimodal_params=None
        if train_vision is None
        else MultimodalParams(train_vision=train_vision),
    )


def _within(name: str, value: float | None, low: float, high: float = math.inf) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def _check_ranges(training_type: object, method: object, scheduler: LRScheduler | None) -> None:
    if isinstance(training_type, LoRATrainingType):
        _within("lora_r", training_type.lora_r, 1)
        _within("lora_alpha", training_type.lora_alpha, 1)
        _within("lora_dropout", training_type.lora_dropout, 0.0, 1.0)
        if training_type.lora_dropout == 1.0:
            raise ValueError("lora_dropout must be below 1")
    if isinstance(method, TrainingMethodDPO):
        for name in ("dpo_beta", "rpo_alpha", "simpo_gamma"):
            _within(name, getattr(method, name), 0.0)
    if scheduler is not None:
        args = scheduler.lr_scheduler_args
        if args is not None:
            _within("min_lr_ratio", args.min_lr_ratio, 0.0, 1.0)
        if isinstance(args, CosineLRSchedulerArgs) and not args.num_cycles > 0:
            raise ValueError(f"scheduler_num_cycles must be greater than 0, got {args.num_cycles}")


def shape_training(
    training_method: object = None, training_type: object = None
) -> tuple[TrainingMethod | None, TrainingType | None]:
    """The ``training_method`` and ``training_type`` objects for models or the shorthands
    ``"sft"``/``"dpo"``/``"rpo"``/``"simpo"`` and ``"lora"``/``"full"``."""
    values = {"training_method": training_method, "training_type": training_type}
    shaped = (_training_method(values), _training_type(values, 8))
    _check_ranges(shaped[1], shaped[0], None)
    return shaped


def _check_sources(values: dict[str, Any]) -> None:
    if "model" not in values and "from_checkpoint" not in values:
        raise ValueError("a model (or a from_checkpoint to continue from) is required")
    if "from_checkpoint" in values and "from_hf_model" in values:
        raise ValueError("give from_checkpoint or from_hf_model, not both")
    if "hf_model_revision" in values and "from_hf_model" not in values:
        raise ValueError("hf_model_revision needs from_hf_model")


def _training_type(values: dict[str, Any], default_rank: int) -> TrainingType | None:
    lora = values.pop("lora", None)
    chosen = values.pop("training_type", None)
    options = {k: values.pop(k) for k in _LORA_OPTIONS if k in values}
    if chosen is not None:
        if lora is not None or options:
            raise ValueError("give training_type or the lora options, not both")
        return _named_training_type(chosen, default_rank)
    if lora is False:
        if options:
            raise ValueError(f"{', '.join(options)} only apply to LoRA training (lora=True)")
        return FullTrainingType()
    if lora is None and not options:
        return None  # the server's default: LoRA with its own rank
    rank = options.get("lora_r", default_rank)
    alpha = options.get("lora_alpha", rank * 2 if isinstance(rank, int) else None)
    return LoRATrainingType(
        lora_r=rank,
        lora_alpha=_whole(alpha, "lora_alpha"),
        lora_dropout=options.get("lora_dropout"),
        lora_trainable_modules=options.get("lora_trainable_modules"),
    )


def _named_training_type(chosen: object, default_rank: int) -> TrainingType:
    if isinstance(chosen, FullTrainingType | LoRATrainingType | dict):
        return chosen
    name = str(chosen).lower()
    if name == "full":
        return FullTrainingType()
    if name == "lora":
        return LoRATrainingType(lora_r=default_rank, lora_alpha=default_rank * 2)
    raise ValueError(f"training_type must be 'lora' or 'full', got {chosen!r}")


def _whole(value: object, name: str) -> int | None:
    # The old SDK took a float alpha; the spec wants an integer.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{name} must be a whole number, got {value!r}")


def _training_method(values: dict[str, Any]) -> TrainingMethod | None:
    chosen = values.pop("training_method", None)
    train_on_inputs = values.pop("train_on_inputs", None)
    options = {k: values.pop(k) for k in _DPO_OPTIONS if k in values}
    if isinstance(chosen, TrainingMethodSFT | TrainingMethodDPO | dict):
        if train_on_inputs is not None or options:
            raise ValueError("give training_method as a model or its options, not both")
        return chosen
    if chosen is None:
        if options:
            raise ValueError(f"{', '.join(options)} only apply to training_method='dpo'")
        if train_on_inputs is None:
            return None
        chosen = "sft"
    name = str(chosen).lower()
    if name not in _METHODS:
        raise ValueError(f"training_method must be one of {', '.join(_METHODS)}; got {chosen!r}")
    if name == "sft":
        if options:
            raise ValueError(f"{', '.join(options)} only apply to training_method='dpo'")
        _train_on_inputs(None, _Named(name="train_on_inputs"), train_on_inputs)
        return TrainingMethodSFT(
            train_on_inputs="auto" if train_on_inputs is None else train_on_inputs
        )
    if train_on_inputs is not None:
        raise ValueError("train_on_inputs only applies to SFT training")
    return _dpo(name, options)


def _dpo(name: str, options: dict[str, Any]) -> TrainingMethodDPO:
    if name == "rpo" and not options.get("rpo_alpha"):
        raise ValueError("training_method='rpo' needs a positive rpo_alpha")
    if name == "simpo" and not options.get("simpo_gamma"):
        raise ValueError("training_method='simpo' needs a positive simpo_gamma")
    if options.get("simpo_gamma"):
        # SimPO is DPO without a reference model, on length-normalized log-ratios.
        for flag in ("dpo_reference_free", "dpo_normalize_logratios_by_length"):
            if options.get(flag) is False:
                raise ValueError(f"simpo_gamma needs {flag}=True")
            options[flag] = True
    return TrainingMethodDPO(**options)


def _scheduler(values: dict[str, Any]) -> LRScheduler | None:
    given = values.pop("lr_scheduler", None)
    options = {k: values.pop(k) for k in _SCHEDULER_OPTIONS if k in values}
    if given is not None:
        if options:
            raise ValueError("give lr_scheduler or the scheduler options, not both")
        return given  # type: ignore[no-any-return]
    if not options:
        return None
    kind = str(options.get("lr_scheduler_type", "linear")).lower()
    if kind == "cosine":
        return LRScheduler(
            lr_scheduler_type="cosine",
            lr_scheduler_args=CosineLRSchedulerArgs(
                min_lr_ratio=options.get("min_lr_ratio", 0.0),
                num_cycles=options.get("scheduler_num_cycles", 0.5),
            ),
        )
    if kind != "linear":
        raise ValueError(f"lr_scheduler_type must be 'linear' or 'cosine', got {kind!r}")
    if "scheduler_num_cycles" in options:
        raise ValueError("scheduler_num_cycles only applies to lr_scheduler_type='cosine'")
    ratio = options.get("min_lr_ratio")
    return LRScheduler(
        lr_scheduler_type="linear",
        lr_scheduler_args=None if ratio is None else LinearLRSchedulerArgs(min_lr_ratio=ratio),
    )
