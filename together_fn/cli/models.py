"""``together-fn models list`` and ``together-fn models upload``."""

from dataclasses import dataclass
from typing import cast

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, flag, optional, required
from together_fn.cli.output import table
from together_fn.models.models import (
    ModelInfo,
    ModelInfoList,
    ModelType,
    ModelUploadSuccessResponse,
    Pricing,
)


@dataclass(frozen=True, kw_only=True)
class ListArgs:
    """Options of ``models list``."""

    type: str | None = optional(str, "only models of this type (chat, image, ...)", metavar="T")
    dedicated: bool = flag("only models available for dedicated endpoints")


def list_call(args: ListArgs) -> Call[ModelInfoList]:
    """The catalogue call (the type filter is applied to the answer: the API has none)."""
    return api.models.list_models(dedicated=True if args.dedicated else None)


def select(models: ModelInfoList, kind: str | None) -> ModelInfoList:
    """The models of type ``kind`` (case-insensitive), sorted by id; all of them for ``None``."""
    wanted = kind.lower() if kind is not None else None
    chosen = (m for m in models if wanted is None or (m.type or "").lower() == wanted)
    return tuple(sorted(chosen, key=lambda m: m.id))


def _number(value: float) -> str:
    return f"{value:g}"


def price(pricing: Pricing | None) -> str | None:
    """Prices in USD: per million tokens in/out, else per image or hour; ``None`` if unknown."""
    if pricing is None:
        return None
    parts = []
    if pricing.input is not None or pricing.output is not None:
        parts.append(f"{_number(pricing.input or 0)} in / {_number(pricing.output or 0)} out")
    if pricing.base:
        parts.append(f"{_number(pricing.base)} base")
    if pricing.hourly:
        parts.append(f"{_number(pricing.hourly)}/hour")
    return ", ".join(parts) or None


def _row(model: ModelInfo) -> tuple[object, ...]:
    return (model.id, model.type, model.context_length, price(model.pricing))


def render_list(models: ModelInfoList) -> str:
    """A table: id, type, context length and pricing (USD per million tokens)."""
    count = f"{len(models)} model{'' if len(models) == 1 else 's'}"
    headers = ("id", "type", "context length", "pricing (USD / 1M tokens)")
    return table(headers, (_row(m) for m in models)) + f"\n{count}"


@dataclass(frozen=True, kw_only=True)
class UploadArgs:
    """Options of ``models upload``."""

    model_name: str = required(str, "the name to give the model", metavar="N")
    model_source: str = required(str, "Hugging Face repo or S3 URL to import", metavar="S")
    model_type: str | None = optional(
        str, "what is uploaded (default: model)", metavar="T", choices=("model", "adapter")
    )
    hf_token: str | None = optional(str, "Hugging Face token for a private repo", metavar="TOKEN")
    description: str | None = optional(str, "a description of the model", metavar="S")
    base_model: str | None = optional(str, "the base model of an adapter", metavar="M")
    lora_model: str | None = optional(str, "the LoRA pool model of an adapter", metavar="M")


def upload_call(args: UploadArgs) -> Call[ModelUploadSuccessResponse]:
    """The upload call (it starts a job, so it is never re-sent)."""
    return api.models.upload_model(
        model_name=args.model_name,
        model_source=args.model_source,
        # Checked by the request model (argparse already limits it to the two choices).
        model_type=cast("ModelType | None", args.model_type),
        hf_token=args.hf_token,
        description=args.description,
        base_model=args.base_model,
        lora_model=args.lora_model,
    )


def render_upload(response: ModelUploadSuccessResponse) -> str:
    """The job that was started, and how to follow it."""
    data = response.data
    shown = (
        ("job id", data.job_id),
        ("model", data.model_name),
        ("model id", data.model_id),
        ("source", data.model_source),
    )
    lines = [f"{label}: {value}" for label, value in shown if value]
    if response.message:
        lines.append(response.message)
    return "\n".join(lines)


LIST = Command(
    name="models list",
    summary="list the model catalogue",
    options=ListArgs,
    to_call=list_call,
    render=lambda models, _args: render_list(models),
    select=lambda models, args: select(models, args.type),
)

UPLOAD = Command(
    name="models upload",
    summary="import a model or adapter from Hugging Face or S3",
    options=UploadArgs,
    to_call=upload_call,
    render=lambda response, _args: render_upload(response),
)
