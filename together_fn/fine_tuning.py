"""Pure fine-tuning rules: a request checked against a model's limits, job states, checkpoint
references and which archive members are safe to unpack.

Nothing here performs I/O: limits come in as a :class:`FineTuneModelLimits` value (fetched by
the caller), problems go out as strings.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

import attrs

from together_fn.errors import TogetherError
from together_fn.models.fine_tunes import (
    DOWNLOAD_CHECKPOINT_TYPES,
    FineTuneModelLimits,
    FinetunePriceEstimate,
    FinetuneResponseTruncated,
    FullTrainingType,
    LoRATrainingType,
    TrainingMethodDPO,
    TrainingMethodSFT,
)
from together_fn.models.fine_tunes_request import FinetuneRequest

#: Statuses after which a job no longer changes (compared case-insensitively).
FINE_TUNE_TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "cancelled", "error"})

#: Checkpoint types the download accepts: ``default`` picks ``merged`` for LoRA jobs and
#: ``model_output_path`` for full ones.
CHECKPOINT_TYPES: tuple[str, ...] = ("default", *DOWNLOAD_CHECKPOINT_TYPES)

_WITH_STEP = re.compile(r"^(?P<id>.+):(?P<step>\d+)$")


def is_fine_tune_done(job: FinetuneResponseTruncated) -> bool:
    """Whether ``job`` reached a terminal status (unknown statuses are not terminal)."""
    return (job.status or "").lower() in FINE_TUNE_TERMINAL_STATUSES


def fine_tune_succeeded(job: FinetuneResponseTruncated) -> bool:
    """Whether ``job`` completed."""
    return (job.status or "").lower() == "completed"


def parse_fine_tune_ref(ref: str, checkpoint_step: int | None = None) -> tuple[str, int | None]:
    """``"ft-id"`` or ``"ft-id:STEP"`` → ``(id, step)``; a step may not be given twice.

    >>> parse_fine_tune_ref("ft-1a2b:40")
    ('ft-1a2b', 40)
    """
    if not isinstance(ref, str) or not ref:
        raise ValueError("a fine-tune id is required")
    match = _WITH_STEP.match(ref)
    if match is None:
        return ref, checkpoint_step
    if checkpoint_step is not None:
        raise ValueError(
            f"{ref!r} names a step after its colon and checkpoint_step={checkpoint_step} was "
            "also given; give the step once"
        )
    return match["id"], int(match["step"])


def resolve_checkpoint_type(checkpoint_type: str | None, training_type: object) -> str | None:
    """The ``checkpoint`` value to send for a requested type and the job's training type.

    ``default`` (or ``None``) becomes ``merged`` for LoRA jobs and ``model_output_path`` for full
    ones, and stays unsent when the training type is unknown. Types that do not fit the job's
    training type raise ``ValueError``.
    """
    wanted = (checkpoint_type or "default").lower()
    if wanted not in CHECKPOINT_TYPES:
        raise ValueError(
            f"invalid checkpoint type {checkpoint_type!r}; "
            f"choose one of {', '.join(CHECKPOINT_TYPES)}"
        )
    if isinstance(training_type, FullTrainingType):
        if wanted not in ("default", "model_output_path"):
            raise ValueError(f"a full fine-tune has no {wanted!r} checkpoint; use 'default'")
        return "model_output_path"
    if isinstance(training_type, LoRATrainingType):
        if wanted == "model_output_path":
            raise ValueError("a LoRA fine-tune offers 'merged' or 'adapter' checkpoints")
        return "merged" if wanted == "default" else wanted
    return None if wanted == "default" else wanted


def limits_model_name(request: FinetuneRequest) -> str:
    """The model whose limits apply: ``model``, else the job named by ``from_checkpoint``."""
    if request.model:
        return request.model
    if request.from_checkpoint:
        return request.from_checkpoint.split(":")[0]
    raise ValueError("a model or from_checkpoint is required")


def validate_against_limits(
    request: FinetuneRequest, limits: FineTuneModelLimits
) -> tuple[str, ...]:
    """Every way ``request`` exceeds ``limits``; empty when it fits.

    A request without ``training_type`` is checked as LoRA, the server's default.
    """
    problems: list[str] = []
    name = limits.model_name
    lora = not isinstance(request.training_type, FullTrainingType)
    dpo = isinstance(request.training_method, TrainingMethodDPO)
    training = limits.lora_training if lora else limits.full_training
    if training is None:
        kind = "LoRA" if lora else "full"
        problems.append(f"{kind} training is not supported for {name}")
    else:
        problems += _batch_problems(request.batch_size, training, dpo=dpo)
    if lora and limits.lora_training is not None:
        problems += _lora_problems(request.training_type, limits)
    problems += _range_problems(request, limits)
    if (
        request.multimodal_params is not None
        and request.multimodal_params.train_vision
        and limits.supports_vision is False
    ):
        problems.append(f"{name} does not support vision, so train_vision cannot be set")
    return tuple(problems)


def _batch_problems(batch_size: int | str | None, training: Any, *, dpo: bool) -> list[str]:
    if not isinstance(batch_size, int):
        return []  # "max" or unset: the server picks a size within the limits
    highest = training.max_batch_size_dpo if dpo else training.max_batch_size
    if highest is None:
        highest = training.max_batch_size
    problems = []
    if batch_size > highest:
        problems.append(f"batch_size {batch_size} is above the maximum of {highest}")
    if batch_size < training.min_batch_size:
        problems.append(
            f"batch_size {batch_size} is below the minimum of {training.min_batch_size}"
        )
    return problems


def _lora_problems(training_type: object, limits: FineTuneModelLimits) -> list[str]:
    lora_limits = limits.lora_training
    if not isinstance(training_type, LoRATrainingType) or lora_limits is None:
        return []
    problems = []
    rank = training_type.lora_r
    if rank is not None and lora_limits.max_rank is not None and rank > lora_limits.max_rank:
        problems.append(f"lora_r {rank} is above the maximum rank of {lora_limits.max_rank}")
    modules = training_type.lora_trainable_modules
    if modules and modules != "all-linear" and lora_limits.target_modules:
        unknown = [
            m.strip()
            for m in modules.split(",")
            if m.strip() and m.strip() not in lora_limits.target_modules
        ]
        if unknown:
            problems.append(
                f"lora_trainable_modules {', '.join(unknown)} not among "
                f"{', '.join(lora_limits.target_modules)}"
            )
    return problems


def _range_problems(request: FinetuneRequest, limits: FineTuneModelLimits) -> list[str]:
    problems = []
    if (
        request.n_epochs is not None
        and limits.max_num_epochs is not None
        and request.n_epochs > limits.max_num_epochs
    ):
        problems.append(
            f"n_epochs {request.n_epochs} is above the maximum of {limits.max_num_epochs}"
        )
    if (
        request.n_evals is not None
        and limits.max_num_evals is not None
        and request.n_evals > limits.max_num_evals
    ):
        problems.append(f"n_evals {request.n_evals} is above the maximum of {limits.max_num_evals}")
    rate = request.learning_rate
    if rate is not None:
        if limits.max_learning_rate is not None and rate > limits.max_learning_rate:
            problems.append(
                f"learning_rate {rate} is above the maximum of {limits.max_learning_rate}"
            )
        if limits.min_learning_rate is not None and rate < limits.min_learning_rate:
            problems.append(
                f"learning_rate {rate} is below the minimum of {limits.min_learning_rate}"
            )
    return problems


def default_lora_rank(limits: FineTuneModelLimits | None) -> int:
    """The rank used when none is given: the model's maximum (as the old SDK did), else 8."""
    if limits is not None and limits.lora_training is not None:
        return limits.lora_training.max_rank or 8
    return 8


def uses_training_method(request: FinetuneRequest) -> str:
    """``"sft"``, ``"dpo"`` or another method's name (``"sft"`` when unset)."""
    method = request.training_method
    if method is None or isinstance(method, TrainingMethodSFT):
        return "sft"
    if isinstance(method, TrainingMethodDPO):
        return "dpo"
    return str(method.get("method", "unknown"))


@attrs.frozen(auto_exc=False, kw_only=True)
class FineTuneLimitError(ValueError):
    """A fine-tune request that exceeds the model's limits; raised before anything is sent."""

    model: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"the request does not fit the limits of {self.model}: " + "; ".join(self.problems)


@attrs.frozen(auto_exc=False, kw_only=True)
class FineTunePriceRejectedError(TogetherError):
    """The price estimate said no (or the caller did): the job was not created."""

    estimate: FinetunePriceEstimate | None = None


def archive_member_problem(
    name: str,
    *,
    is_symlink: bool = False,
    is_hardlink: bool = False,
    link_target: str = "",
    is_special: bool = False,
) -> str | None:
    """Why an archive member must not be unpacked, or ``None`` when it is safe.

    Absolute paths, ``..`` segments, Windows drive letters, every link and every special file
    (device, pipe) are refused: a checkpoint archive holds plain files and folders only.
    """
    if is_special:
        return f"{name!r} is not a regular file or folder"
    if is_symlink or is_hardlink:
        kind = "symbolic" if is_symlink else "hard"
        return f"{name!r} is a {kind} link (to {link_target!r})"
    normalized = name.replace("\\", "/")
    if not normalized or normalized.startswith("/") or re.match(r"^[A-Za-z]:", normalized):
        return f"{name!r} is an absolute path"
    if ".." in normalized.split("/"):
        return f"{name!r} leaves the destination folder"
    if posixpath.normpath(normalized).startswith(".."):
        return f"{name!r} leaves the destination folder"
    return None


def price_verdict(
    estimate: FinetunePriceEstimate, answer: object = None
) -> FineTunePriceRejectedError | None:
    """The error that stops a job after its price estimate, or ``None`` to go ahead.

    The job stops when the API says it may not proceed, or when the caller's ``answer`` (what
    its ``on_estimate`` callback returned) is ``False``.
    """
    if estimate.allowed_to_proceed is False:
        return FineTunePriceRejectedError(
            message=(
                f"the estimated price ({estimate.estimated_total_price}) is above the credit "
                f"limit ({estimate.user_limit}); the job was not created"
            ),
            estimate=estimate,
        )
    if answer is False:
        return FineTunePriceRejectedError(
            message=f"declined after the price estimate ({estimate.estimated_total_price})",
            estimate=estimate,
        )
    return None


def needs_price_check(params: dict[str, Any]) -> bool:
    """Whether a create request is priced first: not when it continues a job or a Hugging Face
    model (the estimate cannot price those)."""
    return not params.get("from_checkpoint") and not params.get("from_hf_model")
