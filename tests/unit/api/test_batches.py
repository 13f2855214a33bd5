"""Golden tests of the ``/batches`` builders, their models and the batch error body."""

from __future__ import annotations

import pytest
from returns.result import Failure, Success

from tests.unit.api.spec_examples import example, response_schema, schema_example
from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.batches import cancel_batch, create_batch, list_batches, retrieve_batch
from together_fn.calls import Call, interpret
from together_fn.codec import decode_value
from together_fn.errors import BadRequestError, NotFoundError
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method, Timeout
from together_fn.models.batches import (
    BatchJob,
    BatchJobList,
    BatchJobWithWarning,
    batch_is_finished,
)

BATCH_ID = "01234567-8901-2345-6789-012345678901"


def test_create_batch_is_the_exact_request_and_never_retried():
    assert create_batch("file-abc", endpoint="/v1/chat/completions") == Call(
        operation="POST /batches",
        request=HttpRequest(
            method=Method.POST,
            url="/batches",
            body=JsonBody(b'{"endpoint":"/v1/chat/completions","input_file_id":"file-abc"}'),
        ),
        response_type=BatchJobWithWarning,
        retryable=False,
    )


def test_create_batch_sends_every_field():
    call = create_batch(
        "file-abc",
        endpoint="/v1/completions",
        completion_window="24h",
        priority=2,
        model_id="Qwen/Qwen3.5-9B",
    )
    assert call.request.body.json() == {  # type: ignore[union-attr]
        "endpoint": "/v1/completions",
        "input_file_id": "file-abc",
        "completion_window": "24h",
        "priority": 2,
        "model_id": "Qwen/Qwen3.5-9B",
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_file_id": ""}, ValueError, "input_file_id must not be empty"),
        ({"endpoint": ""}, ValueError, "endpoint must not be empty"),
        ({"completion_window": ""}, ValueError, "completion_window must not be empty"),
        ({"priority": "high"}, TypeError, "priority"),
    ],
)
def test_invalid_batches_fail_at_construction(kwargs, error, message):
    arguments = {"input_file_id": "file-abc", "endpoint": "/v1/chat/completions", **kwargs}
    with pytest.raises(error, match=message):
        create_batch(**arguments)


def test_list_retrieve_and_cancel_are_the_exact_requests():
    assert list_batches() == Call(
        operation="GET /batches",
        request=HttpRequest(method=Method.GET, url="/batches"),
        response_type=BatchJobList,
    )
    assert retrieve_batch(BATCH_ID) == Call(
        operation="GET /batches/{id}",
        request=HttpRequest(method=Method.GET, url=f"/batches/{BATCH_ID}"),
        response_type=BatchJob,
    )
    assert cancel_batch(BATCH_ID) == Call(
        operation="POST /batches/{id}/cancel",
        request=HttpRequest(method=Method.POST, url=f"/batches/{BATCH_ID}/cancel"),
        response_type=BatchJob,
    )


def test_ids_cannot_escape_their_path_segment():
    assert retrieve_batch("../files/x").request.url == "/batches/..%2Ffiles%2Fx"
    with pytest.raises(ValueError, match="must not be empty"):
        cancel_batch("")


def test_options_apply_to_every_builder():
    options = RequestOptions(extra_headers={"x-trace": "t"}, timeout=30.0)
    request = retrieve_batch(BATCH_ID, options=options).request
    assert request.header("x-trace") == "t"
    assert request.timeout == Timeout(connect=5.0, read=30.0)


def test_builders_are_registered():
    for key, name in [
        ("POST /batches", "create_batch"),
        ("GET /batches", "list_batches"),
        ("GET /batches/{id}", "retrieve_batch"),
        ("POST /batches/{id}/cancel", "cancel_batch"),
    ]:
        assert f"together_fn.api.batches.{name}" in REGISTRY[key]


def test_the_spec_example_job_decodes():
    payload = schema_example("BatchJob")
    job = decode_value(payload, BatchJob)
    assert job == Success(
        BatchJob(
            id="01234567-8901-2345-6789-012345678901",
            user_id="user_789xyz012",
            input_file_id="file-input123abc456def",
            file_size_bytes=1048576,
            status="IN_PROGRESS",
            job_deadline="2024-01-15T15:30:00Z",
            created_at="2024-01-15T14:30:00Z",
            endpoint="/v1/chat/completions",
            progress=75.0,
            model_id="Qwen/Qwen3.5-9B",
            output_file_id="file-output789xyz012ghi",
            error_file_id="file-errors456def789jkl",
            error="text",
            completed_at="2024-01-15T15:45:30Z",
        )
    )


def test_the_spec_examples_of_every_batch_answer_decode():
    created = decode_value(example(response_schema("POST", "/batches", "201")), BatchJobWithWarning)
    assert isinstance(created, Success)
    assert created.unwrap().id == BATCH_ID
    assert created.unwrap().status == "IN_PROGRESS"
    listed = decode_value(example(response_schema("GET", "/batches")), BatchJobList)
    assert [job.id for job in listed.unwrap()] == [BATCH_ID]


def test_a_job_with_only_an_id_decodes_and_unknown_fields_are_ignored():
    assert decode_value({"id": "b-1", "brand_new": 1}, BatchJob) == Success(BatchJob(id="b-1"))


def test_the_batch_error_body_becomes_a_typed_error_through_the_builder():
    call = create_batch("file-abc", endpoint="/v1/chat/completions")
    response = HttpResponse(
        status=400,
        headers=(("x-request-id", "req-9"),),
        body=b'{"error": "input file has 0 valid requests"}',
    )
    result = interpret(call, response)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, BadRequestError)
    assert error.message == "input file has 0 valid requests"
    assert error.request_id == "req-9"
    missing = interpret(retrieve_batch("nope"), HttpResponse(status=404, body=b'{"error":"gone"}'))
    assert isinstance(missing.failure(), NotFoundError)
    assert str(missing.failure()) == "404: gone"


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        ("VALIDATING", False),
        ("IN_PROGRESS", False),
        ("COMPLETED", True),
        ("FAILED", True),
        ("EXPIRED", True),
        ("CANCELLED", True),
        ("completed", True),
        (None, False),
    ],
)
def test_batch_is_finished(status, finished):
    assert batch_is_finished(BatchJob(id="b", status=status)) is finished
