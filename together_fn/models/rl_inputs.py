"""Request bodies of the RL training API (OpenAPI: ``RL.StartTrainingSessionRequest``,
``RL.ForwardBackwardBody``, ``RL.TrainingSample``, ``RL.ModelInput``, ``RL.InputChunk``,
``RL.EncodedText``, ``RL.LossInputs``, ``RL.LossTargetTokens``, ``RL.LossMask``,
``RL.GRPOLossInputs``, ``RL.LossAdvantages``, ``RL.LossLogprobs``, ``RL.LossConfig``,
``RL.CrossEntropyLossParams``, ``RL.GRPOLossParams``, ``RL.OptimStepBody``,
``RL.AdamWOptimizerParams``, ``RL.SampleBody``, ``RL.SamplingParams``; named here without
the ``RL.`` prefix).

Nested inputs may be given as models or as plain dicts; a dict must mean exactly what it says
(an unknown key is an error, not a silently dropped field).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from together_fn.models._coerce import model_of, models_of, strings
from together_fn.models._fields import positive
from together_fn.models.rl import LoraConfig

SESSION_TYPES: tuple[str, ...] = (
    "SESSION_TYPE_UNSPECIFIED",
    "SESSION_TYPE_TRAINER_AND_GENERATOR",
    "SESSION_TYPE_TRAINER_ONLY",
)
LOSS_TYPES: tuple[str, ...] = ("LOSS_TYPE_UNSPECIFIED", "LOSS_TYPE_CROSS_ENTROPY", "LOSS_TYPE_GRPO")
DTYPES: tuple[str, ...] = (
    "D_TYPE_UNSPECIFIED",
    "D_TYPE_INT64",
    "D_TYPE_FLOAT32",
    "D_TYPE_BFLOAT16",
)
GRPO_AGGREGATION_TYPES: tuple[str, ...] = (
    "GRPO_LOSS_AGGREGATION_TYPE_UNSPECIFIED",
    "GRPO_LOSS_AGGREGATION_TYPE_FIXED_HORIZON",
    "GRPO_LOSS_AGGREGATION_TYPE_TOKEN_MEAN",
    "GRPO_LOSS_AGGREGATION_TYPE_SEQUENCE_MEAN",
)
CHECKPOINT_VARIANTS: tuple[str, ...] = (
    "CHECKPOINT_VARIANT_UNSPECIFIED",
    "CHECKPOINT_VARIANT_MERGED",
    "CHECKPOINT_VARIANT_ADAPTER",
)


def one_of(*allowed: str) -> Any:
    """A validator: ``None`` or one of ``allowed``."""

    def check(_: object, attribute: Any, value: Any) -> None:
        if value is not None and value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {allowed}, got {value!r}")

    return check


def _non_empty(_: object, attribute: Any, value: Any) -> None:
    if value is not None and len(value) == 0:
        raise ValueError(f"{attribute.name} must not be empty")


def _token_ids(values: Iterable[int | str]) -> tuple[int | str, ...]:
    if isinstance(values, str | bytes):
        raise TypeError("token ids must be a sequence, not a single string")
    items = tuple(values)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise TypeError(f"token ids must be integers, got {item!r}")
    return items


def _floats(values: Iterable[float]) -> tuple[float, ...]:
    if isinstance(values, str | bytes):
        raise TypeError("expected a sequence of numbers, not a string")
    items = tuple(values)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise TypeError(f"expected numbers, got {item!r}")
    return tuple(float(item) for item in items)


def _lora(value: object) -> LoraConfig | None:
    return None if value is None else model_of(value, LoraConfig, "lora_config")


@attrs.frozen(kw_only=True)
class StartTrainingSessionRequest:
    """Body of ``POST /rl/training-sessions``."""

    base_model: str = attrs.field(validator=_non_empty)
    resume_from_checkpoint_id: str | None = attrs.field(default=None, validator=_non_empty)
    type: str | None = attrs.field(default=None, validator=one_of(*SESSION_TYPES))
    lora_config: LoraConfig | None = attrs.field(default=None, converter=_lora)


@attrs.frozen(kw_only=True)
class EncodedText:
    """Pre-tokenized text: token ids."""

    tokens: tuple[int | str, ...] = attrs.field(converter=_token_ids, validator=_non_empty)


@attrs.frozen(kw_only=True)
class InputChunk:
    """One chunk of a model input (today, always encoded text)."""

    encoded_text: EncodedText | None = None


@attrs.frozen(kw_only=True)
class ModelInput:
    """What the model reads: chunks, in order."""

    chunks: tuple[InputChunk, ...] = attrs.field(validator=_non_empty)


@attrs.frozen(kw_only=True)
class LossTargetTokens:
    """Target token ids (``D_TYPE_INT64``)."""

    data: tuple[int | str, ...] = attrs.field(converter=_token_ids)
    dtype: str | None = attrs.field(default=None, validator=one_of(*DTYPES))


@attrs.frozen(kw_only=True)
class LossMask:
    """Per-token loss mask: 1 computes the loss, 0 ignores the token (``D_TYPE_INT64``)."""

    data: tuple[int | str, ...] = attrs.field(converter=_token_ids)
    dtype: str | None = attrs.field(default=None, validator=one_of(*DTYPES))


@attrs.frozen(kw_only=True)
class LossAdvantages:
    """Per-token advantages (``D_TYPE_FLOAT32`` or ``D_TYPE_BFLOAT16``)."""

    data: tuple[float, ...] = attrs.field(converter=_floats)
    dtype: str | None = attrs.field(default=None, validator=one_of(*DTYPES))


@attrs.frozen(kw_only=True)
class LossLogprobs:
    """Per-token log probabilities (``D_TYPE_FLOAT32`` or ``D_TYPE_BFLOAT16``)."""

    data: tuple[float, ...] = attrs.field(converter=_floats)
    dtype: str | None = attrs.field(default=None, validator=one_of(*DTYPES))


@attrs.frozen(kw_only=True)
class GRPOLossInputs:
    """GRPO inputs: advantages and generator log probabilities (reference log probabilities
    too when the KL penalty ``beta`` is above 0)."""

    advantages: LossAdvantages
    generator_logprobs: LossLogprobs
    reference_logprobs: LossLogprobs | None = None


@attrs.frozen(kw_only=True)
class LossInputs:
    """What the loss needs for one sample."""

    target_tokens: LossTargetTokens
    loss_mask: LossMask | None = None
    grpo_inputs: GRPOLossInputs | None = None


@attrs.frozen(kw_only=True)
class TrainingSample:
    """One training sample: the model input and its loss inputs."""

    model_input: ModelInput
    loss_inputs: LossInputs


@attrs.frozen(kw_only=True)
class CrossEntropyLossParams:
    """Cross-entropy loss parameters (none yet)."""


@attrs.frozen(kw_only=True)
class GRPOLossParams:
    """GRPO parameters (defaults: clip 0.2 / 0.28, ``beta`` 0, fixed-horizon aggregation)."""

    clip_low: float | None = None
    clip_high: float | None = None
    beta: float | None = None
    agg_type: str | None = attrs.field(default=None, validator=one_of(*GRPO_AGGREGATION_TYPES))


@attrs.frozen(kw_only=True)
class LossConfig:
    """Which loss to compute: ``LOSS_TYPE_CROSS_ENTROPY`` or ``LOSS_TYPE_GRPO``."""

    type: str = attrs.field(validator=one_of(*LOSS_TYPES))
    cross_entropy_params: CrossEntropyLossParams | None = None
    grpo_params: GRPOLossParams | None = None


def _samples(values: Iterable[object]) -> tuple[TrainingSample, ...]:
    return models_of(values, TrainingSample, "samples") or ()


def _loss(value: object) -> LossConfig:
    return model_of(value, LossConfig, "loss")  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class ForwardBackwardBody:
    """Body of a forward-backward pass: a batch of samples and the loss to compute."""

    samples: tuple[TrainingSample, ...] = attrs.field(converter=_samples, validator=_non_empty)
    loss: LossConfig = attrs.field(converter=_loss)

    def __attrs_post_init__(self) -> None:
        if self.loss.type == "LOSS_TYPE_GRPO":
            beta = self.loss.grpo_params.beta if self.loss.grpo_params else None
            for index, sample in enumerate(self.samples):
                grpo = sample.loss_inputs.grpo_inputs
                if grpo is None:
                    raise ValueError(f"samples[{index}] needs loss_inputs.grpo_inputs for GRPO")
                if beta and grpo.reference_logprobs is None:
                    raise ValueError(
                        f"samples[{index}] needs grpo_inputs.reference_logprobs when beta > 0"
                    )


@attrs.frozen(kw_only=True)
class AdamWOptimizerParams:
    """AdamW settings (defaults: betas 0.9 / 0.95, eps 1e-8, weight decay 0.1)."""

    beta1: float | None = None
    beta2: float | None = None
    eps: float | None = None
    weight_decay: float | None = None


def _adamw(value: object) -> AdamWOptimizerParams | None:
    if value is None:
        return None
    return model_of(value, AdamWOptimizerParams, "adamw_params")  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class OptimStepBody:
    """Body of an optimizer step (default learning rate 1e-4)."""

    learning_rate: float | None = attrs.field(default=None, validator=positive)
    adamw_params: AdamWOptimizerParams | None = attrs.field(default=None, converter=_adamw)


def _stop(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return strings(values, "stop")


@attrs.frozen(kw_only=True)
class SamplingParams:
    """Sampling settings (defaults: 100 tokens, temperature 1, top-p 1, top-k -1 = off)."""

    max_tokens: int | None = attrs.field(default=None, validator=positive)
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: tuple[str, ...] | None = attrs.field(default=None, converter=_stop)
    seed: int | str | None = None


def _prompts(values: Iterable[object]) -> tuple[ModelInput, ...]:
    return models_of(values, ModelInput, "prompts") or ()


def _sampling(value: object) -> SamplingParams | None:
    if value is None:
        return None
    return model_of(value, SamplingParams, "sampling_params")  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class SampleBody:
    """Body of a sample operation: prompts as token chunks, ``num_samples`` per prompt."""

    prompts: tuple[ModelInput, ...] = attrs.field(converter=_prompts, validator=_non_empty)
    sampling_params: SamplingParams | None = attrs.field(default=None, converter=_sampling)
    num_samples: int | None = attrs.field(default=None, validator=positive)
