"""Batch job models (OpenAPI: ``CreateBatchRequest``, ``BatchJob``, ``BatchJobStatus``,
``BatchJobWithWarning``, ``BatchErrorResponse``).

``GET /batches`` answers with a bare JSON array. Statuses are upper case on the wire and kept
as open strings: :data:`BATCH_JOB_STATUSES` lists the ones known so far.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from together_fn.models._fields import non_empty

#: ``BatchJob.status`` values of the spec (the field itself stays an open string).
BatchJobStatus: TypeAlias = Literal[
    "VALIDATING", "IN_PROGRESS", "COMPLETED", "FAILED", "EXPIRED", "CANCELLED"
]
BATCH_JOB_STATUSES: tuple[str, ...] = (
    "VALIDATING",
    "IN_PROGRESS",
    "COMPLETED",
    "FAILED",
    "EXPIRED",
    "CANCELLED",
)

#: Statuses after which a batch job no longer changes.
FINISHED_BATCH_STATUSES: frozenset[str] = frozenset({"COMPLETED", "FAILED", "EXPIRED", "CANCELLED"})


@attrs.frozen(kw_only=True)
class CreateBatchRequest:
    """Body of ``POST /batches``: run every request of an uploaded JSONL file."""

    endpoint: str = attrs.field(validator=non_empty)
    input_file_id: str = attrs.field(validator=non_empty)
    completion_window: str | None = attrs.field(default=None)
    priority: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(int))
    )
    model_id: str | None = None

    @completion_window.validator
    def _window(self, _: object, value: str | None) -> None:
        if value is not None and not value:
            raise ValueError("completion_window must not be empty when given")


@attrs.frozen(kw_only=True)
class BatchJob:
    """A batch job. ``progress`` runs from 0 to 100; timestamps are ISO-8601 strings."""

    id: str
    user_id: str | None = None
    input_file_id: str | None = None
    file_size_bytes: int | None = None
    status: str | None = None
    job_deadline: str | None = None
    created_at: str | None = None
    endpoint: str | None = None
    progress: float | None = None
    model_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    error: str | None = None
    completed_at: str | None = None


@attrs.frozen(kw_only=True)
class BatchJobWithWarning:
    """The answer to ``POST /batches``: the new job, and a warning the server may add."""

    job: BatchJob | None = None
    warning: str | None = None

    @property
    def id(self) -> str | None:
        """The new job's id (the older SDK returned the job itself)."""
        return self.job.id if self.job else None

    @property
    def status(self) -> str | None:
        """The new job's status."""
        return self.job.status if self.job else None


@attrs.frozen(kw_only=True)
class BatchErrorResponse:
    """The error body of the batch endpoints: ``{"error": "text"}``."""

    error: str | None = None


#: The body of ``GET /batches``: a bare array of jobs.
BatchJobList: TypeAlias = tuple[BatchJob, ...]


def batch_is_finished(job: BatchJob) -> bool:
    """Whether ``job`` reached a status after which it no longer changes."""
    return (job.status or "").upper() in FINISHED_BATCH_STATUSES
