"""``together-fn fine-tuning``: start, follow, price, stop, delete and download fine-tunes."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Success

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, flag, optional, positional, required
from together_fn.cli.output import details, shorten, table
from together_fn.models.fine_tunes import (
    FinetuneDeleteResponse,
    FinetuneListCheckpoints,
    FinetuneListEvents,
    FinetunePriceEstimate,
    FinetuneResponseTruncated,
    FinetuneTruncatedList,
)

if TYPE_CHECKING:
    from together_fn.cli.run import Runner

#: Event messages are cut to this many characters in the table.
MESSAGE_WIDTH = 80
#: Exit status when a person declines to go on.
EXIT_DECLINED = 1


@dataclass(frozen=True, kw_only=True)
class JobArgs:
    """Options of the commands about one job."""

    id: str = positional("id", str, "the job's id (ft-...)", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class NoArgs:
    """No options."""


@dataclass(frozen=True, kw_only=True)
class _Priced:
    training_file: str = required(str, "id of the uploaded training file", metavar="FILE_ID")
    model: str | None = optional(str, "the base model", metavar="M")
    validation_file: str | None = optional(str, "id of a validation file", metavar="FILE_ID")
    n_epochs: int | None = optional(int, "passes over the training data", metavar="N")
    n_evals: int | None = optional(int, "evaluations on the validation file", metavar="N")
    training_method: str | None = optional(
        str, "sft (default) or dpo", metavar="METHOD", choices=("sft", "dpo")
    )
    from_checkpoint: str | None = optional(
        str, "continue from a job's checkpoint: ft-ID or ft-ID:STEP", metavar="REF"
    )


@dataclass(frozen=True, kw_only=True)
class EstimateArgs(_Priced):
    """Options of ``fine-tuning estimate-price``."""

    training_type: str | None = optional(
        str, "lora (default) or full", metavar="TYPE", choices=("lora", "full")
    )


@dataclass(frozen=True, kw_only=True)
class CreateArgs(_Priced):
    """Options of ``fine-tuning create``."""

    n_checkpoints: int | None = optional(int, "checkpoints to keep", metavar="N")
    batch_size: str | None = optional(str, "examples per step, or 'max'", metavar="N")
    learning_rate: float | None = optional(float, "peak learning rate", metavar="F")
    lr_scheduler_type: str | None = optional(
        str, "learning rate schedule", metavar="S", choices=("linear", "cosine")
    )
    min_lr_ratio: float | None = optional(float, "final / peak learning rate", metavar="F")
    scheduler_num_cycles: float | None = optional(float, "cosine cycles", metavar="F")
    warmup_ratio: float | None = optional(float, "share of steps warming up", metavar="F")
    max_grad_norm: float | None = optional(float, "gradient clipping (0: off)", metavar="F")
    weight_decay: float | None = optional(float, "weight decay", metavar="F")
    random_seed: int | None = optional(int, "seed for reproducible training", metavar="N")
    max_seq_length: int | None = optional(int, "longest sequence in tokens", metavar="N")
    lora: bool = flag("train a LoRA adapter (the server's default)")
    full: bool = flag("train every weight instead of a LoRA adapter")
    lora_r: int | None = optional(int, "LoRA rank", metavar="N")
    lora_alpha: float | None = optional(float, "LoRA alpha", metavar="F")
    lora_dropout: float | None = optional(float, "LoRA dropout", metavar="F")
    lora_trainable_modules: str | None = optional(str, "e.g. all-linear", metavar="S")
    train_on_inputs: str | None = optional(
        str, "train on the prompts too", metavar="X", choices=("true", "false", "auto")
    )
    dpo_beta: float | None = optional(float, "DPO beta", metavar="F")
    rpo_alpha: float | None = optional(float, "RPO alpha (DPO only)", metavar="F")
    simpo_gamma: float | None = optional(float, "SimPO gamma (DPO only)", metavar="F")
    train_vision: bool = flag("also train the vision encoder (multimodal models)")
    suffix: str | None = optional(str, "added to the fine-tuned model's name", metavar="S")
    wandb_api_key: str | None = optional(str, "Weights & Biases key", metavar="KEY")
    wandb_base_url: str | None = optional(str, "Weights & Biases server", metavar="URL")
    wandb_project_name: str | None = optional(str, "Weights & Biases project", metavar="S")
    wandb_name: str | None = optional(str, "Weights & Biases run name", metavar="S")
    from_hf_model: str | None = optional(str, "start from a Hugging Face repo", metavar="REPO")
    hf_model_revision: str | None = optional(str, "revision of that repo", metavar="REV")
    hf_api_token: str | None = optional(str, "Hugging Face token", metavar="TOKEN")
    hf_output_repo_name: str | None = optional(str, "push the result here", metavar="REPO")
    confirm: bool = flag("start without asking", "-y", "--confirm")


def _batch_size(text: str | None) -> int | str | None:
    if text is None or text == "max":
        return text
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--batch-size must be a whole number or 'max', got {text!r}") from None


def _lora(args: CreateArgs) -> bool | None:
    if args.lora and args.full:
        raise ValueError("choose --lora or --full, not both")
    return True if args.lora else (False if args.full else None)


def create_call(args: CreateArgs) -> Call[FinetuneResponseTruncated]:
    """The job creation call."""
    given = {
        name: getattr(args, name)
        for name in CreateArgs.__dataclass_fields__
        if name not in ("lora", "full", "batch_size", "train_on_inputs", "train_vision", "confirm")
    }
    inputs = {"true": True, "false": False, "auto": "auto", None: None}[args.train_on_inputs]
    return api.fine_tunes.create_fine_tune(
        **{k: v for k, v in given.items() if v is not None},
        batch_size=_batch_size(args.batch_size),
        lora=_lora(args),
        train_on_inputs=inputs,
        train_vision=True if args.train_vision else None,
    )


def estimate_call(args: EstimateArgs) -> Call[FinetunePriceEstimate]:
    """The price estimate call."""
    return api.fine_tunes.estimate_fine_tune_price(
        training_file=args.training_file,
        model=args.model,
        validation_file=args.validation_file,
        n_epochs=args.n_epochs,
        n_evals=args.n_evals,
        training_method=args.training_method,
        training_type=args.training_type,
        from_checkpoint=args.from_checkpoint,
    )


def render_estimate(estimate: FinetunePriceEstimate) -> str:
    """The estimated price and whether the job may start."""
    price = estimate.estimated_total_price
    return details(
        (
            ("estimated price", None if price is None else f"${price:,.2f}"),
            ("training tokens", _count(estimate.estimated_train_token_count)),
            ("evaluation tokens", _count(estimate.estimated_eval_token_count)),
            ("allowed to proceed", estimate.allowed_to_proceed),
            ("limit", None if estimate.user_limit is None else f"${estimate.user_limit:,.2f}"),
        )
    )


def _count(value: float | None) -> str | None:
    return None if value is None else f"{value:,.0f}"


def create(args: CreateArgs, runner: "Runner") -> int:
    """Estimate the price, ask (when someone is typing, unless ``--confirm``), start the job."""
    call = create_call(args)
    estimate = api.fine_tunes.estimate_price_of(call)
    console = runner.console
    if runner.options.dry_run:
        runner.perform(estimate, ESTIMATE_PRICE, args)
        console.write("\n")
        return runner.perform(call, RETRIEVE, args)
    match runner.result(estimate):
        case Success(priced):
            console.note(render_estimate(priced) + "\n")
            if priced.allowed_to_proceed is False:
                console.error("warning: the estimate says this job may not start (see limit)")
        case Failure(error):
            console.error(f"warning: no price estimate: {' '.join(str(error).split())}")
    if not args.confirm and console.interactive():
        console.note("Start this fine-tuning job? [y/N] ")
        answer = console.stdin.readline() if console.stdin is not None else ""
        if answer.strip().lower() not in ("y", "yes"):
            console.error("not started")
            return EXIT_DECLINED
    return runner.perform(call, RETRIEVE, args)


def render_job(job: FinetuneResponseTruncated) -> str:
    """The facts of one job people look for."""
    kind = getattr(job.training_type, "type", None)
    return details(
        (
            ("id", job.id),
            ("status", job.status),
            ("model", job.model),
            ("output model", job.model_output_name),
            ("training type", kind),
            ("training file", job.training_file),
            ("validation file", job.validation_file),
            ("epochs", job.n_epochs),
            ("created", job.created_at),
            ("updated", job.updated_at),
        )
    )


def render_list(jobs: FinetuneTruncatedList) -> str:
    """A table of jobs, newest first."""
    ordered = sorted(jobs.data, key=lambda j: j.created_at or "", reverse=True)
    rows = [(j.id, j.status, j.model, j.model_output_name, j.created_at) for j in ordered]
    headers = ("id", "status", "model", "output model", "created")
    return table(headers, rows) + f"\n{len(rows)} job{'' if len(rows) == 1 else 's'}"


def render_events(events: FinetuneListEvents) -> str:
    """A table of a job's events, oldest first."""
    rows = [
        (e.created_at, e.level, e.type, shorten(e.message or "", MESSAGE_WIDTH) or None)
        for e in events.data
    ]
    return table(("created", "level", "type", "message"), rows)


def render_checkpoints(checkpoints: FinetuneListCheckpoints) -> str:
    """A table of a job's checkpoints."""
    rows = [(c.step, c.checkpoint_type, c.created_at, c.path) for c in checkpoints.data]
    return table(("step", "type", "created", "path"), rows)


def render_deleted(response: FinetuneDeleteResponse, job_id: str) -> str:
    """What the server said about the deletion."""
    return response.message or f"deleted {job_id}"


@dataclass(frozen=True, kw_only=True)
class DeleteArgs:
    """Options of ``fine-tuning delete``."""

    id: str = positional("id", str, "the job's id (ft-...)", metavar="ID")
    confirm: bool = flag("delete without asking", "-y", "--confirm")


def delete(args: DeleteArgs, runner: "Runner") -> int:
    """Delete the job, asking first when someone is typing (unless ``--confirm``)."""
    console = runner.console
    if not (args.confirm or runner.options.dry_run) and console.interactive():
        console.note(f"Delete fine-tuning job {args.id}? [y/N] ")
        answer = console.stdin.readline() if console.stdin is not None else ""
        if answer.strip().lower() not in ("y", "yes"):
            console.error("not deleted")
            return EXIT_DECLINED
    return runner.perform(api.fine_tunes.delete_fine_tune(args.id), DELETE, args)


@dataclass(frozen=True, kw_only=True)
class DownloadArgs:
    """Options of ``fine-tuning download``."""

    id: str = positional("id", str, "the job's id, or ft-ID:STEP", metavar="ID")
    output: str = optional(str, "file or directory to save into", metavar="PATH", default=".")
    checkpoint_step: int | None = optional(int, "a checkpoint's step (default: final)", metavar="N")
    checkpoint_type: str = optional(
        str,
        "what to download",
        metavar="TYPE",
        choices=("default", "merged", "adapter", "model_output_path"),
        default="default",
    )
    overwrite: bool = flag("replace an existing file")


def download_call(args: DownloadArgs, training_type: Any = None) -> Call[bytes]:
    """The download call, for a job of ``training_type`` (``None``: unknown)."""
    return api.fine_tunes.download_fine_tune(
        args.id,
        checkpoint_step=args.checkpoint_step,
        checkpoint_type=args.checkpoint_type,
        training_type=training_type,
    )


def download(args: DownloadArgs, runner: "Runner") -> int:
    """Read the job (to pick the checkpoint type that fits it), then save the archive."""
    if runner.options.dry_run:
        return runner.download(download_call(args), args.output, overwrite=args.overwrite)
    job_id = args.id.split(":", 1)[0]
    match runner.result(api.fine_tunes.retrieve_fine_tune(job_id)):
        case Failure(error):
            return runner.failed(error)
        case Success(job):
            call = download_call(args, job.training_type)
    return runner.download(call, args.output, overwrite=args.overwrite, fallback=job_id)


def _job(name: str, summary: str, build: Any, render: Any) -> Command:
    return Command(
        name=f"fine-tuning {name}",
        summary=summary,
        options=JobArgs,
        to_call=lambda args: build(args.id),
        render=lambda value, _args: render(value),
    )


ESTIMATE_PRICE = Command(
    name="fine-tuning estimate-price",
    summary="estimate what a fine-tuning job would cost",
    options=EstimateArgs,
    to_call=estimate_call,
    render=lambda estimate, _args: render_estimate(estimate),
)
CREATE = Command(
    name="fine-tuning create",
    summary="start a fine-tuning job (shows the price estimate first)",
    options=CreateArgs,
    to_call=create_call,
    action=create,
)
LIST = Command(
    name="fine-tuning list",
    summary="list fine-tuning jobs",
    options=NoArgs,
    to_call=lambda _args: api.fine_tunes.list_fine_tunes(),
    render=lambda jobs, _args: render_list(jobs),
)
RETRIEVE = _job("retrieve", "show one job", api.fine_tunes.retrieve_fine_tune, render_job)
CANCEL = _job("cancel", "cancel a job", api.fine_tunes.cancel_fine_tune, render_job)
DELETE = Command(
    name="fine-tuning delete",
    summary="delete a job",
    options=DeleteArgs,
    to_call=lambda args: api.fine_tunes.delete_fine_tune(args.id),
    render=lambda response, args: render_deleted(response, args.id),
    action=delete,
)
LIST_EVENTS = _job(
    "list-events", "list a job's events", api.fine_tunes.list_fine_tune_events, render_events
)
LIST_CHECKPOINTS = _job(
    "list-checkpoints",
    "list a job's checkpoints",
    api.fine_tunes.list_fine_tune_checkpoints,
    render_checkpoints,
)
DOWNLOAD = Command(
    name="fine-tuning download",
    summary="download a fine-tuned model or checkpoint",
    options=DownloadArgs,
    to_call=download_call,
    action=download,
)
COMMANDS = (
    CREATE,
    LIST,
    RETRIEVE,
    CANCEL,
    DELETE,
    LIST_EVENTS,
    LIST_CHECKPOINTS,
    ESTIMATE_PRICE,
    DOWNLOAD,
)
