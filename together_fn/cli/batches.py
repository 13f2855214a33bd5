"""``together-fn batches``: start, list, follow and cancel batch jobs."""

from dataclasses import dataclass

from together_fn import api
from together_fn.cli.common import Command, optional, positional, required
from together_fn.cli.output import details, table
from together_fn.models.batches import BatchJob, BatchJobList, BatchJobWithWarning


@dataclass(frozen=True, kw_only=True)
class CreateArgs:
    """Options of ``batches create``."""

    input_file_id: str = positional(
        "input_file_id", str, "id of an uploaded JSONL file (purpose batch-api)", metavar="FILE_ID"
    )
    endpoint: str = required(
        str, "the API path each line calls, e.g. /v1/chat/completions", metavar="PATH"
    )
    completion_window: str | None = optional(
        str, "how long the job may take, e.g. 24h", metavar="W"
    )
    priority: int | None = optional(int, "the job's priority", metavar="N")
    model_id: str | None = optional(str, "the model the lines use", metavar="M")


@dataclass(frozen=True, kw_only=True)
class BatchArgs:
    """Options of the commands about one batch."""

    id: str = positional("id", str, "the batch's id", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class NoArgs:
    """No options."""


def _percent(progress: float | None) -> str | None:
    return None if progress is None else f"{progress:.0f}%"


def render_batch(batch: BatchJob) -> str:
    """One batch job's facts."""
    return details(
        (
            ("id", batch.id),
            ("status", batch.status),
            ("progress", _percent(batch.progress)),
            ("endpoint", batch.endpoint),
            ("model", batch.model_id),
            ("input file", batch.input_file_id),
            ("output file", batch.output_file_id),
            ("error file", batch.error_file_id),
            ("error", batch.error),
            ("created", batch.created_at),
            ("completed", batch.completed_at),
            ("deadline", batch.job_deadline),
        )
    )


def render_created(created: BatchJobWithWarning) -> str:
    """The new job, and the server's warning if it gave one."""
    shown = render_batch(created.job) if created.job is not None else "(no job in the answer)"
    return shown + (f"\nwarning: {created.warning}" if created.warning else "")


def render_list(batches: BatchJobList) -> str:
    """A table of batch jobs, newest first."""
    ordered = sorted(batches, key=lambda b: b.created_at or "", reverse=True)
    rows = [
        (b.id, b.status, _percent(b.progress), b.endpoint, b.output_file_id, b.created_at)
        for b in ordered
    ]
    headers = ("id", "status", "progress", "endpoint", "output file", "created")
    return table(headers, rows) + f"\n{len(rows)} batch{'' if len(rows) == 1 else 'es'}"


CREATE = Command(
    name="batches create",
    summary="start a batch job over an uploaded file",
    options=CreateArgs,
    to_call=lambda args: api.batches.create_batch(
        args.input_file_id,
        endpoint=args.endpoint,
        completion_window=args.completion_window,
        priority=args.priority,
        model_id=args.model_id,
    ),
    render=lambda created, _args: render_created(created),
)
LIST = Command(
    name="batches list",
    summary="list batch jobs",
    options=NoArgs,
    to_call=lambda _args: api.batches.list_batches(),
    render=lambda batches, _args: render_list(batches),
)
RETRIEVE = Command(
    name="batches retrieve",
    summary="show one batch job",
    options=BatchArgs,
    to_call=lambda args: api.batches.retrieve_batch(args.id),
    render=lambda batch, _args: render_batch(batch),
)
CANCEL = Command(
    name="batches cancel",
    summary="cancel a batch job",
    options=BatchArgs,
    to_call=lambda args: api.batches.cancel_batch(args.id),
    render=lambda batch, _args: render_batch(batch),
)
COMMANDS = (CREATE, LIST, RETRIEVE, CANCEL)
