"""Golden tests of the ``/endpoints``, ``/hardware`` and availability-zone builders."""

from __future__ import annotations

import pytest
from returns.result import Success

from tests.unit.api.spec_examples import example, response_schema, schema_example
from together_fn.api._build import REGISTRY
from together_fn.api.endpoints import (
    create_endpoint,
    delete_endpoint,
    list_availability_zones,
    list_endpoints,
    retrieve_endpoint,
    start_endpoint,
    stop_endpoint,
    update_endpoint,
)
from together_fn.api.hardware import list_hardware
from together_fn.calls import Call, interpret
from together_fn.codec import decode_value
from together_fn.http import NO_BODY, HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.endpoints import (
    Autoscaling,
    DedicatedEndpoint,
    ListAvailibilityZonesResponse,
    ListEndpoint,
    ListEndpointsResponse,
    endpoint_in_state,
    endpoint_is_settled,
)
from together_fn.models.hardware import (
    EndpointPricing,
    HardwareAvailability,
    HardwareSpec,
    HardwareWithStatus,
    ListHardwareResponse,
)

EID = "endpoint-d23901de-ef8f-44bf-b3e7-de9c1ca8f2d7"


def test_list_endpoints_is_the_exact_request():
    assert list_endpoints() == Call(
        operation="GET /endpoints",
        request=HttpRequest(method=Method.GET, url="/endpoints"),
        response_type=ListEndpointsResponse,
    )
    filtered = list_endpoints(type="dedicated", usage_type="reserved", mine=False).request
    assert filtered.query == (("type", "dedicated"), ("usage_type", "reserved"), ("mine", "false"))


@pytest.mark.parametrize("kwargs", [{"type": "private"}, {"usage_type": "spot"}])
def test_list_endpoints_refuses_unknown_filters(kwargs):
    with pytest.raises(ValueError, match="must be one of"):
        list_endpoints(**kwargs)


def test_create_endpoint_is_the_exact_request_and_never_retried():
    call = create_endpoint(
        model="Qwen/Qwen3.5-9B-FP8",
        hardware="1x_nvidia_a100_80gb_sxm",
        autoscaling={"min_replicas": 2, "max_replicas": 5},
    )
    assert call == Call(
        operation="POST /endpoints",
        request=HttpRequest(
            method=Method.POST,
            url="/endpoints",
            body=JsonBody(
                b'{"model":"Qwen/Qwen3.5-9B-FP8","hardware":"1x_nvidia_a100_80gb_sxm",'
                b'"autoscaling":{"min_replicas":2,"max_replicas":5}}'
            ),
        ),
        response_type=DedicatedEndpoint,
        retryable=False,
    )


def test_the_older_sdks_replica_arguments_build_the_same_body():
    by_dict = create_endpoint(
        model="m", hardware="h", autoscaling=Autoscaling(min_replicas=1, max_replicas=2)
    )
    by_counts = create_endpoint(model="m", hardware="h", min_replicas=1, max_replicas=2)
    assert by_dict == by_counts


def test_create_endpoint_sends_every_field():
    call = create_endpoint(
        model="m",
        hardware="h",
        min_replicas=0,
        max_replicas=1,
        display_name="My endpoint",
        disable_speculative_decoding=True,
        state="STOPPED",
        inactive_timeout=0,
        availability_zone="us-central-4b",
    )
    assert call.request.body.json() == {  # type: ignore[union-attr]
        "model": "m",
        "hardware": "h",
        "autoscaling": {"min_replicas": 0, "max_replicas": 1},
        "display_name": "My endpoint",
        "disable_speculative_decoding": True,
        "state": "STOPPED",
        "inactive_timeout": 0,
        "availability_zone": "us-central-4b",
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "needs autoscaling"),
        ({"min_replicas": 1}, ValueError, "go together"),
        (
            {"autoscaling": {"min_replicas": 1, "max_replicas": 1}, "max_replicas": 2},
            ValueError,
            "not both",
        ),
        ({"min_replicas": 3, "max_replicas": 2}, ValueError, "exceeds max_replicas"),
        ({"min_replicas": -1, "max_replicas": 2}, ValueError, "must not be negative"),
        ({"min_replicas": 0, "max_replicas": 0}, ValueError, "at least 1"),
        ({"min_replicas": 1.5, "max_replicas": 2}, TypeError, "integers"),
        ({"autoscaling": {"min": 1, "max_replicas": 2}}, ValueError, "no field"),
        ({"autoscaling": [1, 2]}, TypeError, "dict or Autoscaling"),
        ({"min_replicas": 1, "max_replicas": 1, "state": "PAUSED"}, ValueError, "STARTED"),
        ({"min_replicas": 1, "max_replicas": 1, "inactive_timeout": -5}, ValueError, "least 0"),
        ({"min_replicas": 1, "max_replicas": 1, "inactive_timeout": "1h"}, TypeError, "integer"),
        ({"min_replicas": 1, "max_replicas": 1, "model": ""}, ValueError, "model must not"),
        ({"min_replicas": 1, "max_replicas": 1, "display_name": ""}, ValueError, "display_name"),
    ],
)
def test_invalid_endpoints_fail_at_construction(kwargs, error, message):
    arguments = {"model": "m", "hardware": "h", **kwargs}
    with pytest.raises(error, match=message):
        create_endpoint(**arguments)


def test_retrieve_update_and_delete_are_the_exact_requests():
    assert retrieve_endpoint(EID) == Call(
        operation="GET /endpoints/{endpointId}",
        request=HttpRequest(method=Method.GET, url=f"/endpoints/{EID}"),
        response_type=DedicatedEndpoint,
    )
    assert update_endpoint(EID, display_name="n", min_replicas=1, max_replicas=3) == Call(
        operation="PATCH /endpoints/{endpointId}",
        request=HttpRequest(
            method=Method.PATCH,
            url=f"/endpoints/{EID}",
            body=JsonBody(
                b'{"display_name":"n","autoscaling":{"min_replicas":1,"max_replicas":3}}'
            ),
        ),
        response_type=DedicatedEndpoint,
    )
    assert delete_endpoint(EID) == Call(
        operation="DELETE /endpoints/{endpointId}",
        request=HttpRequest(method=Method.DELETE, url=f"/endpoints/{EID}", body=NO_BODY),
        response_type=type(None),
    )


def test_start_and_stop_are_updates_of_the_state():
    assert start_endpoint(EID) == update_endpoint(EID, state="STARTED")
    assert stop_endpoint(EID) == update_endpoint(EID, state="STOPPED")
    assert stop_endpoint(EID).request.body == JsonBody(b'{"state":"STOPPED"}')
    for name in ("update_endpoint", "start_endpoint", "stop_endpoint"):
        assert f"together_fn.api.endpoints.{name}" in REGISTRY["PATCH /endpoints/{endpointId}"]


def test_an_update_needs_something_to_change():
    with pytest.raises(ValueError, match="at least one field"):
        update_endpoint(EID)
    with pytest.raises(ValueError, match="STARTED"):
        update_endpoint(EID, state="RUNNING")  # type: ignore[arg-type]


def test_delete_accepts_the_204_answer():
    assert interpret(delete_endpoint(EID), HttpResponse(status=204)) == Success(None)


def test_hardware_and_zones_are_the_exact_requests():
    assert list_hardware() == Call(
        operation="GET /hardware",
        request=HttpRequest(method=Method.GET, url="/hardware"),
        response_type=ListHardwareResponse,
    )
    assert list_hardware(model="deepseek-ai/DeepSeek-R1").request.query == (
        ("model", "deepseek-ai/DeepSeek-R1"),
    )
    with pytest.raises(ValueError, match="model must not be empty"):
        list_hardware(model="")
    assert list_availability_zones() == Call(
        operation="GET /clusters/availability-zones",
        request=HttpRequest(method=Method.GET, url="/clusters/availability-zones"),
        response_type=ListAvailibilityZonesResponse,
    )


def test_the_spec_example_of_the_endpoint_list_decodes():
    listed = decode_value(response_schema("GET", "/endpoints")["example"], ListEndpointsResponse)
    assert listed == Success(
        ListEndpointsResponse(
            object="list",
            data=(
                ListEndpoint(
                    object="endpoint",
                    id="endpoint-5c0c20db-62fe-4f41-8ffc-d9e4ea1a264e",
                    name="allenai/OLMo-7B",
                    model="allenai/OLMo-7B",
                    type="serverless",
                    owner="together",
                    state="STARTED",
                    created_at="2024-02-28T21:34:35.444Z",
                ),
            ),
        )
    )


def test_the_spec_example_of_a_dedicated_endpoint_decodes():
    endpoint = decode_value(schema_example("DedicatedEndpoint"), DedicatedEndpoint).unwrap()
    assert endpoint.id == EID
    assert endpoint.state == "STARTED"
    assert endpoint.autoscaling == Autoscaling(min_replicas=2, max_replicas=5)
    assert endpoint.hardware == "8x_nvidia_h200_140gb_sxm"


def test_answers_are_read_as_sent_even_where_requests_would_be_refused():
    # The server's numbers are reported, not judged: only requests are checked.
    odd = {"id": "e", "autoscaling": {"min_replicas": 5, "max_replicas": 1}}
    endpoint = decode_value(odd, DedicatedEndpoint).unwrap()
    assert endpoint.autoscaling == Autoscaling(min_replicas=5, max_replicas=1)


def test_the_spec_examples_of_hardware_and_zones_decode():
    hardware = decode_value(example(response_schema("GET", "/hardware")), ListHardwareResponse)
    assert hardware == Success(
        ListHardwareResponse(
            object="list",
            data=(
                HardwareWithStatus(
                    object="hardware",
                    id="2x_nvidia_a100_80gb_sxm",
                    pricing=EndpointPricing(cents_per_minute=5.42),
                    specs=HardwareSpec(
                        gpu_type="a100-80gb", gpu_link="sxm", gpu_memory=80.0, gpu_count=2
                    ),
                    availability=HardwareAvailability(status="available"),
                    updated_at="text",
                ),
            ),
        )
    )
    zones = decode_value(
        schema_example("ListAvailibilityZonesResponse"), ListAvailibilityZonesResponse
    )
    assert zones == Success(ListAvailibilityZonesResponse(avzones=("text",)))


@pytest.mark.parametrize(
    ("state", "settled", "started"),
    [
        ("PENDING", False, False),
        ("STARTING", False, False),
        ("STARTED", True, True),
        ("STOPPING", False, False),
        ("STOPPED", True, False),
        ("ERROR", True, True),
        (None, False, False),
    ],
)
def test_endpoint_predicates(state, settled, started):
    endpoint = DedicatedEndpoint(id="e", state=state)
    assert endpoint_is_settled(endpoint) is settled
    assert endpoint_in_state()(endpoint) is settled
    assert endpoint_in_state("STARTED")(endpoint) is started


def test_endpoint_in_state_refuses_unknown_states():
    with pytest.raises(ValueError, match="unknown endpoint state"):
        endpoint_in_state("RUNNING")


def test_lists_iterate_their_data_as_the_older_sdk_did():
    listed = ListEndpointsResponse(data=(ListEndpoint(id="a"), ListEndpoint(id="b")))
    assert [endpoint.id for endpoint in listed] == ["a", "b"]
    assert len(listed) == 2
    hardware = ListHardwareResponse(data=(HardwareWithStatus(id="1x_h100"),))
    assert [item.id for item in hardware] == ["1x_h100"]
    assert len(ListHardwareResponse()) == 0
