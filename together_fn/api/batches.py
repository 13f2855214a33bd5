"""Builders for ``/batches``: create, list, retrieve and cancel batch jobs."""

from __future__ import annotations

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    path_param,
)
from together_fn.calls import Call
from together_fn.models.batches import (
    BatchJob,
    BatchJobList,
    BatchJobWithWarning,
    CreateBatchRequest,
)


@operation("POST", "/batches")
def create_batch(
    input_file_id: str,
    *,
    endpoint: str,
    completion_window: str | None = None,
    priority: int | None = None,
    model_id: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[BatchJobWithWarning]:
    """The Call that starts a batch job over an uploaded JSONL file (``purpose="batch-api"``).

    Not retried once sent: each request starts a new job.

    >>> call = create_batch("file-abc", endpoint="/v1/chat/completions")
    >>> call.request.body.json(), call.retryable
    ({'endpoint': '/v1/chat/completions', 'input_file_id': 'file-abc'}, False)
    """
    body = CreateBatchRequest(
        endpoint=endpoint,
        input_file_id=input_file_id,
        completion_window=completion_window,
        priority=priority,
        model_id=model_id,
    )
    return json_call("POST /batches", BatchJobWithWarning, body, retryable=False, options=options)


@operation("GET", "/batches")
def list_batches(*, options: RequestOptions = NO_OPTIONS) -> Call[BatchJobList]:
    """The Call that lists the account's batch jobs.

    >>> list_batches().request.url
    '/batches'
    """
    return bodiless_call("GET /batches", BatchJobList, "/batches", options=options)


@operation("GET", "/batches/{id}")
def retrieve_batch(batch_id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[BatchJob]:
    """The Call that reads one batch job (its status, progress and output file).

    >>> retrieve_batch("batch-1").request.url
    '/batches/batch-1'
    """
    return bodiless_call(
        "GET /batches/{id}", BatchJob, f"/batches/{path_param(batch_id)}", options=options
    )


@operation("POST", "/batches/{id}/cancel")
def cancel_batch(batch_id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[BatchJob]:
    """The Call that cancels a batch job (cancelling twice is harmless, so it is retried).

    >>> cancel_batch("batch-1").request.url
    '/batches/batch-1/cancel'
    """
    return bodiless_call(
        "POST /batches/{id}/cancel",
        BatchJob,
        f"/batches/{path_param(batch_id)}/cancel",
        options=options,
    )
