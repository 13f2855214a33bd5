"""Golden tests of the ``/models`` and ``/jobs`` builders and their models."""

from __future__ import annotations

import json

import pytest
from returns.result import Failure, Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.models import list_jobs, list_models, retrieve_job, upload_model
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, encode_json
from together_fn.errors import APIResponseValidationError
from together_fn.http import NO_BODY, HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.models import (
    JobArgs,
    JobInfoSuccessResponse,
    JobsInfoSuccessResponse,
    JobStatusUpdate,
    ModelInfo,
    ModelUploadData,
    ModelUploadRequest,
    ModelUploadSuccessResponse,
    Pricing,
)

JOB_ID = "job-a15dad11-8d8e-4007-97c5-a211304de284"


def test_list_models_is_the_exact_request():
    assert list_models() == Call(
        operation="GET /models",
        request=HttpRequest(method=Method.GET, url="/models"),
        response_type=tuple[ModelInfo, ...],
        retryable=True,
    )


@pytest.mark.parametrize(("dedicated", "query"), [(True, "true"), (False, "false")])
def test_list_models_sends_the_dedicated_filter(dedicated, query):
    request = list_models(dedicated=dedicated).request
    assert request.query == (("dedicated", query),)
    assert request.body == NO_BODY


def test_upload_model_is_the_exact_request_and_never_retried():
    call = upload_model(
        model_name="My-Fine-Tuned-Model",
        model_source="https://ml-models.s3.us-west-2.amazonaws.com/models/m.tar.gz",
    )
    assert call == Call(
        operation="POST /models",
        request=HttpRequest(
            method=Method.POST,
            url="/models",
            body=JsonBody(
                b'{"model_name":"My-Fine-Tuned-Model",'
                b'"model_source":"https://ml-models.s3.us-west-2.amazonaws.com/models/m.tar.gz"}'
            ),
        ),
        response_type=ModelUploadSuccessResponse,
        retryable=False,
    )


def test_upload_adapter_sends_every_field():
    call = upload_model(
        model_name="Qwen2.5-72B-Instruct-lora",
        model_source="unsloth/Qwen2.5-72B-Instruct-lora",
        model_type="adapter",
        hf_token="hf_secret",
        description="Finetuned by Unsloth",
        base_model="Qwen/Qwen2.5-72B-Instruct",
        lora_model="me/Qwen2.5-72B-Instruct-lora",
    )
    assert call.request.body.json() == {  # type: ignore[union-attr]
        "model_name": "Qwen2.5-72B-Instruct-lora",
        "model_source": "unsloth/Qwen2.5-72B-Instruct-lora",
        "model_type": "adapter",
        "hf_token": "hf_secret",
        "description": "Finetuned by Unsloth",
        "base_model": "Qwen/Qwen2.5-72B-Instruct",
        "lora_model": "me/Qwen2.5-72B-Instruct-lora",
    }


def test_the_hugging_face_token_is_not_in_the_request_models_repr():
    request = ModelUploadRequest(model_name="m", model_source="s", hf_token="hf_secret")
    assert "hf_secret" not in repr(request)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model_name": ""}, "model_name must not be empty"),
        ({"model_source": ""}, "model_source must not be empty"),
        ({"model_type": "lora"}, "model_type must be 'model' or 'adapter'"),
        ({"hf_token": ""}, "hf_token must not be empty"),
        ({"base_model": "Qwen/Qwen2.5-72B-Instruct"}, "base_model is only used with"),
        ({"model_type": "model", "lora_model": "x/y"}, "lora_model is only used with"),
    ],
)
def test_invalid_uploads_fail_at_construction(kwargs, message):
    arguments = {"model_name": "m", "model_source": "org/repo", **kwargs}
    with pytest.raises(ValueError, match=message):
        upload_model(**arguments)


def test_upload_request_round_trips():
    request = ModelUploadRequest(
        model_name="m", model_source="s", model_type="adapter", base_model="b", description="d"
    )
    assert decode_json(encode_json(request), ModelUploadRequest) == Success(request)


def test_retrieve_job_is_the_exact_request():
    assert retrieve_job(job_id=JOB_ID) == Call(
        operation="GET /jobs/{jobId}",
        request=HttpRequest(method=Method.GET, url=f"/jobs/{JOB_ID}"),
        response_type=JobInfoSuccessResponse,
    )
    assert retrieve_job(JOB_ID) == retrieve_job(job_id=JOB_ID)


def test_job_ids_cannot_escape_their_path_segment():
    assert retrieve_job(job_id="../models?x=1").request.url == "/jobs/..%2Fmodels%3Fx%3D1"
    with pytest.raises(ValueError, match="must not be empty"):
        retrieve_job(job_id="")


def test_list_jobs_is_the_exact_request():
    call = list_jobs(options=RequestOptions(extra_query={"limit": 5}))
    assert call == Call(
        operation="GET /jobs",
        request=HttpRequest(method=Method.GET, url="/jobs", query=(("limit", "5"),)),
        response_type=JobsInfoSuccessResponse,
    )


def test_every_builder_is_registered():
    assert "together_fn.api.models.list_models" in REGISTRY["GET /models"]
    assert "together_fn.api.models.upload_model" in REGISTRY["POST /models"]
    assert "together_fn.api.models.retrieve_job" in REGISTRY["GET /jobs/{jobId}"]
    assert "together_fn.api.models.list_jobs" in REGISTRY["GET /jobs"]


def test_model_list_is_a_bare_array_with_open_types_and_optional_fields():
    body = [
        {
            "id": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "object": "model",
            "created": 1733443200,
            "type": "chat",
            "display_name": "Llama 3.3 70B",
            "organization": "Meta",
            "link": "https://huggingface.co/meta-llama",
            "license": "llama3.3",
            "context_length": 131072,
            "pricing": {"hourly": 0, "input": 0.88, "output": 0.88, "base": 0, "finetune": 0},
            "config": {"chat_template": "..."},
        },
        {"id": "openai/whisper-large-v3", "object": "model", "created": 0, "type": "transcribe"},
        {"id": "new/kind", "type": "hologram", "pricing": {"input": 1}},
        {"id": "sparse"},
    ]
    result = interpret(list_models(), HttpResponse(status=200, body=json.dumps(body).encode()))
    assert result == Success(
        (
            ModelInfo(
                id="meta-llama/Llama-3.3-70B-Instruct-Turbo",
                created=1733443200,
                type="chat",
                display_name="Llama 3.3 70B",
                organization="Meta",
                link="https://huggingface.co/meta-llama",
                license="llama3.3",
                context_length=131072,
                pricing=Pricing(hourly=0, input=0.88, output=0.88, base=0, finetune=0),
            ),
            ModelInfo(id="openai/whisper-large-v3", created=0, type="transcribe"),
            ModelInfo(id="new/kind", type="hologram", pricing=Pricing(input=1.0)),
            ModelInfo(id="sparse"),
        )
    )


def test_a_model_list_wrapped_in_an_object_is_a_validation_error():
    result = interpret(list_models(), HttpResponse(status=200, body=b'{"object":"list","data":[]}'))
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), APIResponseValidationError)


def test_upload_response_decodes_and_exposes_the_job_id():
    body = {
        "data": {
            "job_id": JOB_ID,
            "model_name": "necolinehubner/Qwen2.5-72B-Instruct",
            "model_id": "model-c0e32dfc-637e-47b2-bf4e-e9b2e58c9da7",
            "model_source": "huggingface",
        },
        "message": "Processing model weights. Job created.",
    }
    call = upload_model(model_name="m", model_source="s")
    response = interpret(call, HttpResponse(status=200, body=json.dumps(body).encode())).unwrap()
    assert response == ModelUploadSuccessResponse(
        data=ModelUploadData(
            job_id=JOB_ID,
            model_name="necolinehubner/Qwen2.5-72B-Instruct",
            model_id="model-c0e32dfc-637e-47b2-bf4e-e9b2e58c9da7",
            model_source="huggingface",
        ),
        message="Processing model weights. Job created.",
    )
    assert response.job_id == JOB_ID


JOB = {
    "type": "model_upload",
    "job_id": JOB_ID,
    "status": "Running",
    "status_updates": [
        {"status": "Queued", "message": "Job is Queued", "timestamp": "2025-03-11T22:05:43Z"},
        {"status": "Running", "message": "Job is Running", "timestamp": "2025-03-11T22:06:00Z"},
    ],
    "args": {
        "description": "Finetuned Qwen2.5-72B-Instruct by Unsloth",
        "modelName": "necolinehubner/Qwen2.5-72B-Instruct",
        "modelSource": "unsloth/Qwen2.5-72B-Instruct",
    },
    "created_at": "2025-03-11T22:05:43Z",
    "updated_at": "2025-03-11T22:06:00Z",
}


def test_job_decodes_with_camel_case_args():
    job = interpret(
        retrieve_job(job_id=JOB_ID), HttpResponse(status=200, body=json.dumps(JOB).encode())
    ).unwrap()
    assert job == JobInfoSuccessResponse(
        type="model_upload",
        job_id=JOB_ID,
        status="Running",
        status_updates=(
            JobStatusUpdate(
                status="Queued", message="Job is Queued", timestamp="2025-03-11T22:05:43Z"
            ),
            JobStatusUpdate(
                status="Running", message="Job is Running", timestamp="2025-03-11T22:06:00Z"
            ),
        ),
        args=JobArgs(
            description="Finetuned Qwen2.5-72B-Instruct by Unsloth",
            model_name="necolinehubner/Qwen2.5-72B-Instruct",
            model_source="unsloth/Qwen2.5-72B-Instruct",
        ),
        created_at="2025-03-11T22:05:43Z",
        updated_at="2025-03-11T22:06:00Z",
    )
    assert not job.is_finished
    assert json.loads(encode_json(job)) == JOB


@pytest.mark.parametrize(
    ("status", "finished"),
    [("Queued", False), ("Running", False), ("Complete", True), ("Failed", True), ("failed", True)],
)
def test_is_finished(status, finished):
    assert JobInfoSuccessResponse(job_id="j", status=status).is_finished is finished


def test_job_list_decodes():
    body = json.dumps({"data": [JOB, {"job_id": "job-2", "status": "Complete"}]}).encode()
    jobs = interpret(list_jobs(), HttpResponse(status=200, body=body)).unwrap()
    assert [job.job_id for job in jobs.data] == [JOB_ID, "job-2"]
    assert jobs.data[1] == JobInfoSuccessResponse(job_id="job-2", status="Complete")
