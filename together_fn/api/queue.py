"""Builders for ``/queue``: submit jobs to a model's queue, poll, cancel, and read its load."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.queue import (
    QueueCancelRequest,
    QueueCancelResponse,
    QueueJobRequest,
    QueueJobResponse,
    QueueJobStatusResponse,
    QueueMetricsResponse,
)


def _required(name: str, value: str) -> str:
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


@operation("POST", "/queue/submit")
def submit_queue_job(
    *,
    model: str,
    payload: Mapping[str, Any],
    info: Mapping[str, Any] | None = None,
    priority: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[QueueJobResponse]:
    """The Call that queues ``payload`` for ``model`` (higher ``priority`` runs first).
    Not retried once sent: each request queues a new job.

    >>> call = submit_queue_job(model="m", payload={"prompt": "a cat"})
    >>> call.request.body.json(), call.retryable
    ({'model': 'm', 'payload': {'prompt': 'a cat'}}, False)
    """
    body = QueueJobRequest(model=model, payload=payload, info=info, priority=priority)
    return json_call("POST /queue/submit", QueueJobResponse, body, retryable=False, options=options)


@operation("GET", "/queue/status")
def retrieve_queue_job(
    *, request_id: str, model: str, options: RequestOptions = NO_OPTIONS
) -> Call[QueueJobStatusResponse]:
    """The Call that polls a queued job's status (and its outputs once ``done``).

    >>> retrieve_queue_job(request_id="r-1", model="m").request.full_url
    '/queue/status?request_id=r-1&model=m'
    """
    query = {"request_id": _required("request_id", request_id), "model": _required("model", model)}
    return bodiless_call(
        "GET /queue/status", QueueJobStatusResponse, "/queue/status", query=query, options=options
    )


@operation("POST", "/queue/cancel")
def cancel_queue_job(
    *, request_id: str, model: str, options: RequestOptions = NO_OPTIONS
) -> Call[QueueCancelResponse]:
    """The Call that cancels a pending job. A job that already started answers ``409`` with
    its unchanged status (a :class:`~together_fn.errors.ConflictError`).

    >>> cancel_queue_job(request_id="r-1", model="m").request.body.json()
    {'model': 'm', 'request_id': 'r-1'}
    """
    body = QueueCancelRequest(model=model, request_id=request_id)
    # A 409 here means "already running": retrying (as 409s usually are) cannot help.
    return json_call(
        "POST /queue/cancel", QueueCancelResponse, body, retryable=False, options=options
    )


@operation("GET", "/queue/metrics")
def retrieve_queue_metrics(
    *, model: str, options: RequestOptions = NO_OPTIONS
) -> Call[QueueMetricsResponse]:
    """The Call that reads how many of ``model``'s jobs are waiting and running.

    >>> retrieve_queue_metrics(model="m").request.full_url
    '/queue/metrics?model=m'
    """
    return Call(
        operation="GET /queue/metrics",
        request=request(
            Method.GET,
            "/queue/metrics",
            query={"model": _required("model", model)},
            options=options,
        ),
        response_type=QueueMetricsResponse,
    )
