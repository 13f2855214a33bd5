"""Golden tests of the ``/queue`` builders and their models."""

from __future__ import annotations

import pytest
from returns.result import Failure, Success

from tests.unit.api.spec_examples import schema_example
from together_fn.api.queue import (
    cancel_queue_job,
    retrieve_queue_job,
    retrieve_queue_metrics,
    submit_queue_job,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_value
from together_fn.errors import ConflictError
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.queue import (
    QueueCancelResponse,
    QueueJobResponse,
    QueueJobStatusResponse,
    QueueMetricsResponse,
    queue_job_is_finished,
)

MODEL = "black-forest-labs/FLUX.1-schnell"


def test_submit_is_the_exact_request_and_never_retried():
    assert submit_queue_job(model=MODEL, payload={"prompt": "a cat"}) == Call(
        operation="POST /queue/submit",
        request=HttpRequest(
            method=Method.POST,
            url="/queue/submit",
            body=JsonBody(
                b'{"model":"black-forest-labs/FLUX.1-schnell","payload":{"prompt":"a cat"}}'
            ),
        ),
        response_type=QueueJobResponse,
        retryable=False,
    )


def test_submit_sends_info_and_priority():
    call = submit_queue_job(model=MODEL, payload={"p": 1}, info={"user": "u"}, priority=-1)
    assert call.request.body == JsonBody(
        b'{"model":"black-forest-labs/FLUX.1-schnell","payload":{"p":1},'
        b'"info":{"user":"u"},"priority":-1}'
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": ""}, ValueError, "model must not be empty"),
        ({"payload": "a cat"}, TypeError, "JSON object"),
        ({"payload": None}, TypeError, "payload must be a JSON object"),
        ({"info": ["x"]}, TypeError, "JSON object"),
        ({"priority": 1.5}, TypeError, "priority must be an integer"),
        ({"priority": True}, TypeError, "priority must be an integer"),
    ],
)
def test_invalid_submissions_fail_at_construction(kwargs, error, message):
    arguments = {"model": MODEL, "payload": {"prompt": "x"}, **kwargs}
    with pytest.raises(error, match=message):
        submit_queue_job(**arguments)


def test_status_cancel_and_metrics_are_the_exact_requests():
    assert retrieve_queue_job(request_id="r-1", model=MODEL) == Call(
        operation="GET /queue/status",
        request=HttpRequest(
            method=Method.GET, url="/queue/status", query=(("request_id", "r-1"), ("model", MODEL))
        ),
        response_type=QueueJobStatusResponse,
    )
    assert cancel_queue_job(request_id="r-1", model=MODEL) == Call(
        operation="POST /queue/cancel",
        request=HttpRequest(
            method=Method.POST,
            url="/queue/cancel",
            body=JsonBody(b'{"model":"black-forest-labs/FLUX.1-schnell","request_id":"r-1"}'),
        ),
        response_type=QueueCancelResponse,
        retryable=False,
    )
    assert retrieve_queue_metrics(model=MODEL) == Call(
        operation="GET /queue/metrics",
        request=HttpRequest(method=Method.GET, url="/queue/metrics", query=(("model", MODEL),)),
        response_type=QueueMetricsResponse,
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: retrieve_queue_job(request_id="", model=MODEL),
        lambda: retrieve_queue_job(request_id="r", model=""),
        lambda: cancel_queue_job(request_id="", model=MODEL),
        lambda: retrieve_queue_metrics(model=""),
    ],
)
def test_empty_ids_fail_at_construction(build):
    with pytest.raises(ValueError, match="must not be empty"):
        build()


def test_a_cancel_too_late_is_a_conflict_with_the_status_in_its_body():
    response = HttpResponse(status=409, body=b'{"status":"running"}')
    result = interpret(cancel_queue_job(request_id="r-1", model=MODEL), response)
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), ConflictError)
    assert decode_value({"status": "running"}, QueueCancelResponse) == Success(
        QueueCancelResponse(status="running")
    )


def test_the_spec_examples_decode():
    submitted = decode_value(schema_example("QueueJobResponse"), QueueJobResponse).unwrap()
    assert submitted.request_id == "text"  # read from the wire name requestId
    assert decode_value({"requestId": "req-1"}, QueueJobResponse) == Success(
        QueueJobResponse(request_id="req-1")
    )
    status = decode_value(schema_example("QueueJobStatusResponse"), QueueJobStatusResponse)
    assert status.unwrap().status == "pending"
    assert status.unwrap().warnings == ("text",)
    metrics = decode_value(schema_example("QueueMetricsResponse"), QueueMetricsResponse)
    assert metrics == Success(
        QueueMetricsResponse(messages_running=3, messages_waiting=3, total_jobs=3)
    )
    outputs = {"request_id": "r", "model": MODEL, "status": "done", "outputs": {"url": "u"}}
    assert decode_value(outputs, QueueJobStatusResponse).unwrap().outputs == {"url": "u"}


@pytest.mark.parametrize(
    ("status", "finished"),
    [("pending", False), ("running", False), ("done", True), ("failed", True), ("canceled", True)],
)
def test_queue_job_is_finished(status, finished):
    assert queue_job_is_finished(QueueJobStatusResponse(status=status)) is finished
