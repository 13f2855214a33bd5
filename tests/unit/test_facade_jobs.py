"""The facade of batches, endpoints, hardware, evaluation and queue: names users of the
official SDKs guess, performing the builders' calls and returning models."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import pytest

from together_fn import AsyncTogether, Together, api
from together_fn.errors import BadRequestError
from together_fn.http import HttpRequest, HttpResponse
from together_fn.models.batches import BatchJob, BatchJobWithWarning
from together_fn.models.endpoints import DedicatedEndpoint
from together_fn.models.hardware import ListHardwareResponse
from together_fn.retry import NO_RETRY

KEY = "sk-facade-jobs-test"


class Recorder:
    """A transport answering every request with ``answer``, recording what was sent."""

    def __init__(self, answer: HttpResponse) -> None:
        self.answer = answer
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return self.answer

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.send(request)

    def open(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    async def aopen(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def ok(payload: object, status: int = 200) -> HttpResponse:
    return HttpResponse(status=status, body=json.dumps(payload).encode())


def client_for(answer: HttpResponse) -> tuple[Together, Recorder]:
    transport = Recorder(answer)
    return Together(api_key=KEY, transport=transport, retry=NO_RETRY), transport


def test_the_official_sdks_names_are_there():
    client, _ = client_for(ok({}))
    batches = client.batches
    assert batches.create_batch.__doc__ == api.batches.create_batch.__doc__
    assert batches.get_batch.__doc__ == api.batches.retrieve_batch.__doc__
    assert batches.list_batches.__doc__ == api.batches.list_batches.__doc__
    assert batches.cancel_batch.__doc__ == api.batches.cancel_batch.__doc__
    endpoints = client.endpoints
    assert (
        endpoints.get.__doc__
        == endpoints.retrieve.__doc__
        == api.endpoints.retrieve_endpoint.__doc__
    )
    assert endpoints.list_hardware.__doc__ == client.hardware.list.__doc__
    assert endpoints.list_avzones.__doc__ == api.endpoints.list_availability_zones.__doc__
    assert client.evals is client.evaluation
    for name in ("create", "list", "retrieve", "status", "list_models", "wait"):
        assert callable(getattr(client.evaluation, name))
    for name in ("submit", "status", "cancel", "metrics", "wait"):
        assert callable(getattr(client.queue, name))
    assert "input_file_id" in inspect.signature(batches.create).parameters


def test_batches_create_returns_the_job_with_its_warning():
    client, transport = client_for(ok({"job": {"id": "b-1", "status": "VALIDATING"}}, 201))
    created = client.batches.create("file-1", endpoint="/v1/chat/completions")
    assert created == BatchJobWithWarning(job=BatchJob(id="b-1", status="VALIDATING"))
    assert created.id == "b-1"  # what the older SDK's create_batch returned directly
    assert transport.sent[0].method.value == "POST"
    assert transport.sent[0].url.endswith("/batches")


def test_batch_errors_are_raised_as_typed_values():
    client, _ = client_for(ok({"error": "file is not JSONL"}, 400))
    with pytest.raises(BadRequestError, match="file is not JSONL"):
        client.batches.create_batch("file-1", endpoint="/v1/chat/completions")


def test_endpoints_start_and_stop_patch_the_state():
    client, transport = client_for(ok({"id": "e-1", "state": "STOPPING"}))
    assert client.endpoints.stop("e-1") == DedicatedEndpoint(id="e-1", state="STOPPING")
    client.endpoints.start("e-1")
    assert [(r.method.value, r.url.rsplit("/v1", 1)[1], r.body.json()) for r in transport.sent] == [  # type: ignore[union-attr]
        ("PATCH", "/endpoints/e-1", {"state": "STOPPED"}),
        ("PATCH", "/endpoints/e-1", {"state": "STARTED"}),
    ]


def test_endpoints_delete_returns_none_on_204():
    client, transport = client_for(HttpResponse(status=204))
    assert client.endpoints.delete("e-1") is None
    assert transport.sent[0].method.value == "DELETE"


def test_the_async_client_has_the_same_methods_awaited():
    transport = Recorder(ok({"object": "list", "data": [{"id": "1x_h100", "object": "hardware"}]}))

    async def main() -> Any:
        async with AsyncTogether(api_key=KEY, transport=transport) as client:
            return await client.hardware.list(model="m")

    listed = asyncio.run(main())
    assert isinstance(listed, ListHardwareResponse)
    assert listed.data[0].id == "1x_h100"
    assert transport.sent[0].query == (("model", "m"),)
