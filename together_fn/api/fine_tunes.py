"""Builders for ``/fine-tunes`` and ``/finetune/download``.

:func:`create_fine_tune` keeps the old SDK's call shape (``lora=True``, ``lora_r=...``,
``training_method="dpo"``, ``dpo_beta=...``) and turns it into the spec's nested
``training_type`` / ``training_method`` objects. Options that do not belong together (LoRA
options on a full fine-tune, DPO options on SFT) raise ``ValueError`` before anything is sent.
Given the model's limits (``model_limits=``), the request is also checked against them.
"""

from __future__ import annotations

from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_body,
    json_call,
    operation,
    params,
    path_param,
    request,
)
from together_fn.calls import Call
from together_fn.fine_tuning import (
    FineTuneLimitError,
    default_lora_rank,
    parse_fine_tune_ref,
    resolve_checkpoint_type,
    validate_against_limits,
)
from together_fn.http import NO_BODY, Body, JsonBody, Method
from together_fn.models.fine_tunes import (
    FinetuneDeleteResponse,
    FinetuneListCheckpoints,
    FinetuneListEvents,
    FinetuneMetrics,
    FineTuneModelLimits,
    FinetunePriceEstimate,
    FinetuneResponse,
    FinetuneResponseTruncated,
    FinetuneSupportedModels,
    FinetuneTruncatedList,
    LRScheduler,
    TrainingMethod,
    TrainingType,
)
from together_fn.models.fine_tunes_request import (
    FinetuneMetricsRequest,
    FinetunePriceEstimateRequest,
    shape_fine_tune_request,
    shape_training,
)


@operation("POST", "/fine-tunes")
def create_fine_tune(
    *,
    training_file: str,
    model: str | None = None,
    validation_file: str | None = None,
    n_epochs: int | None = None,
    n_checkpoints: int | None = None,
    n_evals: int | None = None,
    batch_size: int | str | None = None,
    learning_rate: float | None = None,
    lr_scheduler_type: str | None = None,
    min_lr_ratio: float | None = None,
    scheduler_num_cycles: float | None = None,
    lr_scheduler: LRScheduler | None = None,
    warmup_ratio: float | None = None,
    max_grad_norm: float | None = None,
    weight_decay: float | None = None,
    random_seed: int | None = None,
    packing: bool | None = None,
    max_seq_length: int | None = None,
    lora: bool | None = None,
    lora_r: int | None = None,
    lora_alpha: float | None = None,
    lora_dropout: float | None = None,
    lora_trainable_modules: str | None = None,
    training_type: TrainingType | str | None = None,
    training_method: TrainingMethod | str | None = None,
    train_on_inputs: bool | str | None = None,
    dpo_beta: float | None = None,
    rpo_alpha: float | None = None,
    simpo_gamma: float | None = None,
    dpo_normalize_logratios_by_length: bool | None = None,
    dpo_reference_free: bool | None = None,
    train_vision: bool | None = None,
    suffix: str | None = None,
    wandb_api_key: str | None = None,
    wandb_base_url: str | None = None,
    wandb_project_name: str | None = None,
    wandb_name: str | None = None,
    wandb_entity: str | None = None,
    from_checkpoint: str | None = None,
    from_hf_model: str | None = None,
    hf_model_revision: str | None = None,
    hf_api_token: str | None = None,
    hf_output_repo_name: str | None = None,
    model_limits: FineTuneModelLimits | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[FinetuneResponseTruncated]:
    """The Call that starts a fine-tuning job. Not retried once sent: each request is a job.

    ``lora=True`` (or any ``lora_*`` option) asks for LoRA, ``lora=False`` for full training;
    left out, the server's default (LoRA) applies. ``lora_r`` defaults to the model's maximum
    rank when ``model_limits`` are given (else 8) and ``lora_alpha`` to twice the rank.
    ``training_method`` is ``"sft"`` (with ``train_on_inputs``), ``"dpo"`` (``dpo_beta``,
    ``rpo_alpha``, ``simpo_gamma``, ...), or the shorthands ``"rpo"`` / ``"simpo"``.
    ``from_checkpoint`` is ``"ft-id"`` or ``"ft-id:STEP"``; with it, ``model`` may be left out.

    >>> call = create_fine_tune(training_file="file-1", model="m", lora=True, lora_r=16)
    >>> call.request.body.json()["training_type"], call.retryable
    ({'type': 'Lora', 'lora_r': 16, 'lora_alpha': 32}, False)
    """
    given = params(locals(), "model_limits")
    body = shape_fine_tune_request(given, default_rank=default_lora_rank(model_limits))
    if model_limits is not None:
        problems = validate_against_limits(body, model_limits)
        if problems:
            raise FineTuneLimitError(model=model_limits.model_name, problems=problems)
    return json_call(
        "POST /fine-tunes", FinetuneResponseTruncated, body, retryable=False, options=options
    )


@operation("GET", "/fine-tunes")
def list_fine_tunes(*, options: RequestOptions = NO_OPTIONS) -> Call[FinetuneTruncatedList]:
    """The Call that lists fine-tuning jobs.

    >>> list_fine_tunes().request.url
    '/fine-tunes'
    """
    return bodiless_call("GET /fine-tunes", FinetuneTruncatedList, "/fine-tunes", options=options)


@operation("GET", "/fine-tunes/{id}")
def retrieve_fine_tune(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[FinetuneResponse]:
    """The Call that reads one job, events included.

    >>> retrieve_fine_tune("ft-1a2b").request.url
    '/fine-tunes/ft-1a2b'
    """
    return bodiless_call(
        "GET /fine-tunes/{id}", FinetuneResponse, f"/fine-tunes/{path_param(id)}", options=options
    )


@operation("POST", "/fine-tunes/{id}/cancel")
def cancel_fine_tune(
    id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetuneResponseTruncated]:
    """The Call that cancels a running or queued job (cancelling twice is harmless, so it is
    retried like a read).

    >>> cancel_fine_tune("ft-1a2b").request.url
    '/fine-tunes/ft-1a2b/cancel'
    """
    return bodiless_call(
        "POST /fine-tunes/{id}/cancel",
        FinetuneResponseTruncated,
        f"/fine-tunes/{path_param(id)}/cancel",
        options=options,
    )


@operation("DELETE", "/fine-tunes/{id}")
def delete_fine_tune(
    id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetuneDeleteResponse]:
    """The Call that deletes a job.

    >>> delete_fine_tune("ft-1a2b").request.method.value
    'DELETE'
    """
    return bodiless_call(
        "DELETE /fine-tunes/{id}",
        FinetuneDeleteResponse,
        f"/fine-tunes/{path_param(id)}",
        options=options,
    )


@operation("GET", "/fine-tunes/{id}/events")
def list_fine_tune_events(
    id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetuneListEvents]:
    """The Call that lists a job's events.

    >>> list_fine_tune_events("ft-1a2b").request.url
    '/fine-tunes/ft-1a2b/events'
    """
    return bodiless_call(
        "GET /fine-tunes/{id}/events",
        FinetuneListEvents,
        f"/fine-tunes/{path_param(id)}/events",
        options=options,
    )


@operation("GET", "/fine-tunes/{id}/checkpoints")
def list_fine_tune_checkpoints(
    id: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetuneListCheckpoints]:
    """The Call that lists a job's saved checkpoints.

    >>> list_fine_tune_checkpoints("ft-1a2b").request.url
    '/fine-tunes/ft-1a2b/checkpoints'
    """
    return bodiless_call(
        "GET /fine-tunes/{id}/checkpoints",
        FinetuneListCheckpoints,
        f"/fine-tunes/{path_param(id)}/checkpoints",
        options=options,
    )


@operation("GET", "/fine-tunes/{id}/metrics")
def retrieve_fine_tune_metrics(
    id: str,
    *,
    global_step_from: int | None = None,
    global_step_to: int | None = None,
    logged_at_from: str | None = None,
    logged_at_to: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[FinetuneMetrics]:
    """The Call that reads a job's training metrics, oldest first.

    The spec takes the filters as a JSON body on this ``GET``; without filters no body is sent.

    >>> retrieve_fine_tune_metrics("ft-1a2b", global_step_to=500).request.body.json()
    {'global_step_to': 500}
    """
    filters = FinetuneMetricsRequest(
        global_step_from=global_step_from,
        global_step_to=global_step_to,
        logged_at_from=logged_at_from,
        logged_at_to=logged_at_to,
    )
    wanted = filters != FinetuneMetricsRequest() or bool(options.extra_body)
    body: Body = json_body(filters, options) if wanted else NO_BODY
    return Call(
        operation="GET /fine-tunes/{id}/metrics",
        request=request(
            Method.GET, f"/fine-tunes/{path_param(id)}/metrics", body=body, options=options
        ),
        response_type=FinetuneMetrics,
    )


@operation("POST", "/fine-tunes/estimate-price")
def estimate_fine_tune_price(
    *,
    training_file: str,
    model: str | None = None,
    validation_file: str | None = None,
    n_epochs: int | None = None,
    n_evals: int | None = None,
    training_method: TrainingMethod | str | None = None,
    training_type: TrainingType | str | None = None,
    from_checkpoint: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[FinetunePriceEstimate]:
    """The Call that estimates what a job would cost and whether it may start.

    ``training_method`` / ``training_type`` take the models or the shorthands ``"sft"``,
    ``"dpo"``, ``"lora"``, ``"full"``.

    >>> estimate_fine_tune_price(training_file="file-1", model="m").request.body.json()
    {'training_file': 'file-1', 'model': 'm'}
    """
    method, kind = shape_training(training_method, training_type)
    body = FinetunePriceEstimateRequest(
        training_file=training_file,
        validation_file=validation_file,
        model=model,
        n_epochs=n_epochs,
        n_evals=n_evals,
        training_method=method,
        training_type=kind,
        from_checkpoint=from_checkpoint,
    )
    return json_call(
        "POST /fine-tunes/estimate-price", FinetunePriceEstimate, body, options=options
    )


#: The fields of a create request that ``POST /fine-tunes/estimate-price`` takes.
_PRICED = (
    "training_file",
    "validation_file",
    "model",
    "n_epochs",
    "n_evals",
    "training_method",
    "training_type",
    "from_checkpoint",
)


def estimate_price_of(
    create: Call[Any], *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetunePriceEstimate]:
    """The price estimate of the job a :func:`create_fine_tune` Call would start."""
    body = create.request.body
    if create.operation != "POST /fine-tunes" or not isinstance(body, JsonBody):
        raise ValueError("estimate_price_of takes a Call built by create_fine_tune")
    data = body.json()
    assert isinstance(data, dict)
    picked = {key: data[key] for key in _PRICED if key in data}
    return json_call(
        "POST /fine-tunes/estimate-price", FinetunePriceEstimate, picked, options=options
    )


@operation("GET", "/fine-tunes/models/supported")
def list_supported_fine_tune_models(
    *, options: RequestOptions = NO_OPTIONS
) -> Call[FinetuneSupportedModels]:
    """The Call that lists the models that can be fine-tuned.

    >>> list_supported_fine_tune_models().request.url
    '/fine-tunes/models/supported'
    """
    return bodiless_call(
        "GET /fine-tunes/models/supported",
        FinetuneSupportedModels,
        "/fine-tunes/models/supported",
        options=options,
    )


@operation("GET", "/fine-tunes/models/limits")
def retrieve_fine_tune_model_limits(
    model_name: str, *, options: RequestOptions = NO_OPTIONS
) -> Call[FineTuneModelLimits]:
    """The Call that reads a model's fine-tuning limits (batch sizes, rank, epochs, rates).

    >>> retrieve_fine_tune_model_limits("org/model").request.full_url
    '/fine-tunes/models/limits?model_name=org%2Fmodel'
    """
    if not isinstance(model_name, str) or not model_name:
        raise ValueError("model_name is required")
    return Call(
        operation="GET /fine-tunes/models/limits",
        request=request(
            Method.GET,
            "/fine-tunes/models/limits",
            query={"model_name": model_name},
            options=options,
        ),
        response_type=FineTuneModelLimits,
    )


@operation("GET", "/finetune/download")
def download_fine_tune(
    ft_id: str,
    *,
    checkpoint_step: int | None = None,
    checkpoint_type: str | None = "default",
    training_type: object = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[bytes]:
    """The Call that downloads a fine-tuned model or checkpoint (a compressed archive).

    ``ft_id`` may name a step as ``"ft-id:STEP"``. ``checkpoint_type`` is ``default``,
    ``merged``, ``adapter`` or ``model_output_path``; given the job's ``training_type``,
    ``default`` becomes ``merged`` (LoRA) or ``model_output_path`` (full), and types that do not
    fit the job raise ``ValueError``.

    >>> download_fine_tune("ft-1a2b:40", checkpoint_type="adapter").request.full_url
    '/finetune/download?ft_id=ft-1a2b&checkpoint_step=40&checkpoint=adapter'
    """
    job_id, step = parse_fine_tune_ref(ft_id, checkpoint_step)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"checkpoint_step must be a non-negative integer, got {step!r}")
    checkpoint = resolve_checkpoint_type(checkpoint_type, training_type)
    query = {"ft_id": job_id, "checkpoint_step": step, "checkpoint": checkpoint}
    return Call(
        operation="GET /finetune/download",
        request=request(
            Method.GET,
            "/finetune/download",
            query=query,
            headers={"accept": "application/octet-stream"},
            options=options,
        ),
        response_type=bytes,
    )
