"""Builders for ``/models`` (the catalogue and model uploads) and ``/jobs`` (upload jobs)."""

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
from together_fn.models.models import (
    JobInfoSuccessResponse,
    JobsInfoSuccessResponse,
    ModelInfoList,
    ModelType,
    ModelUploadRequest,
    ModelUploadSuccessResponse,
)


@operation("GET", "/models")
def list_models(
    *, dedicated: bool | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[ModelInfoList]:
    """The Call that lists the model catalogue; ``dedicated=True`` keeps dedicated models only.

    >>> list_models(dedicated=True).request.full_url
    '/models?dedicated=true'
    """
    return bodiless_call(
        "GET /models", ModelInfoList, "/models", query={"dedicated": dedicated}, options=options
    )


@operation("POST", "/models")
def upload_model(
    *,
    model_name: str,
    model_source: str,
    model_type: ModelType | None = None,
    hf_token: str | None = None,
    description: str | None = None,
    base_model: str | None = None,
    lora_model: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[ModelUploadSuccessResponse]:
    """The Call that imports a model or adapter from Hugging Face or S3.

    Not retried once sent: each request starts a new upload job.

    >>> call = upload_model(model_name="my-model", model_source="org/repo")
    >>> call.request.body.json(), call.retryable
    ({'model_name': 'my-model', 'model_source': 'org/repo'}, False)
    """
    body = ModelUploadRequest(
        model_name=model_name,
        model_source=model_source,
        model_type=model_type,
        hf_token=hf_token,
        description=description,
        base_model=base_model,
        lora_model=lora_model,
    )
    return json_call(
        "POST /models", ModelUploadSuccessResponse, body, retryable=False, options=options
    )


@operation("GET", "/jobs/{jobId}")
def retrieve_job(
    job_id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[JobInfoSuccessResponse]:
    """The Call that reads the status of an upload job (``job_id`` may also be passed first,
    as with the official SDK's ``jobs.retrieve(job_id)``).

    >>> retrieve_job(job_id="job-a15dad11").request.url
    '/jobs/job-a15dad11'
    """
    return bodiless_call(
        "GET /jobs/{jobId}", JobInfoSuccessResponse, f"/jobs/{path_param(job_id)}", options=options
    )


@operation("GET", "/jobs")
def list_jobs(*, options: RequestOptions = NO_OPTIONS) -> Call[JobsInfoSuccessResponse]:
    """The Call that lists upload jobs and their statuses.

    >>> list_jobs().request.url
    '/jobs'
    """
    return bodiless_call("GET /jobs", JobsInfoSuccessResponse, "/jobs", options=options)
