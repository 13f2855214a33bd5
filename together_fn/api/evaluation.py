"""Builders for ``/evaluation``: LLM-as-a-judge jobs that classify, score or compare answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.evaluation import (
    EvaluationJob,
    EvaluationJobList,
    EvaluationModelListResponse,
    EvaluationParameters,
    EvaluationResponse,
    EvaluationStatusResponse,
    EvaluationType,
    evaluation_request,
)


@operation("POST", "/evaluation")
def create_evaluation(
    *,
    type: EvaluationType,
    parameters: EvaluationParameters | Mapping[str, Any],
    options: RequestOptions = NO_OPTIONS,
) -> Call[EvaluationResponse]:
    """The Call that starts an evaluation: ``type`` is ``"classify"``, ``"score"`` or
    ``"compare"`` and ``parameters`` that type's parameters, as a model or a dict (checked
    field by field now, not by the server later). Not retried once sent.

    >>> call = create_evaluation(
    ...     type="compare",
    ...     parameters={
    ...         "judge": {"model": "j", "system_template": "Judge", "model_source": "serverless"},
    ...         "input_data_file_path": "file-1",
    ...         "model_a": "answer_a",
    ...         "model_b": "answer_b",
    ...     },
    ... )
    >>> call.request.body.json()["parameters"]["model_a"], call.retryable
    ('answer_a', False)
    """
    body = evaluation_request(type, parameters)
    return json_call("POST /evaluation", EvaluationResponse, body, retryable=False, options=options)


@operation("GET", "/evaluation")
def list_evaluations(
    *,
    status: str | None = None,
    limit: int | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[EvaluationJobList]:
    """The Call that lists evaluation jobs, optionally with one ``status``, at most ``limit``.

    >>> list_evaluations(status="completed", limit=5).request.full_url
    '/evaluation?status=completed&limit=5'
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    return bodiless_call(
        "GET /evaluation",
        EvaluationJobList,
        "/evaluation",
        query={"status": status, "limit": limit},
        options=options,
    )


@operation("GET", "/evaluation/model-list")
def list_evaluation_models(
    *, model_source: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[EvaluationModelListResponse]:
    """The Call that lists the models evaluations can use (``model_source`` filters them).

    >>> list_evaluation_models(model_source="serverless").request.full_url
    '/evaluation/model-list?model_source=serverless'
    """
    return Call(
        operation="GET /evaluation/model-list",
        request=request(
            Method.GET,
            "/evaluation/model-list",
            query={"model_source": model_source},
            options=options,
        ),
        response_type=EvaluationModelListResponse,
    )


@operation("GET", "/evaluation/{id}")
def retrieve_evaluation(
    evaluation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[EvaluationJob]:
    """The Call that reads one evaluation job, with its results once finished.

    >>> retrieve_evaluation("eval-1").request.url
    '/evaluation/eval-1'
    """
    return bodiless_call(
        "GET /evaluation/{id}",
        EvaluationJob,
        f"/evaluation/{path_param(evaluation_id)}",
        options=options,
    )


@operation("GET", "/evaluation/{id}/status")
def retrieve_evaluation_status(
    evaluation_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[EvaluationStatusResponse]:
    """The Call that reads an evaluation's status and results (lighter than the whole job).

    >>> retrieve_evaluation_status("eval-1").request.url
    '/evaluation/eval-1/status'
    """
    return bodiless_call(
        "GET /evaluation/{id}/status",
        EvaluationStatusResponse,
        f"/evaluation/{path_param(evaluation_id)}/status",
        options=options,
    )
