"""Golden tests of the ``/deployments`` builders (deployments, secrets, storage, volumes)
and decoding of the spec's answers."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from returns.result import Success

from tests.contract import cases_deployments
from tests.unit.api.spec_answers import answer, documented_answer
from together_fn import api
from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.deployments import (
    create_deployment,
    delete_deployment,
    list_deployments,
    retrieve_deployment,
    retrieve_deployment_logs,
    update_deployment,
)
from together_fn.api.deployments_secrets import (
    create_secret,
    delete_secret,
    list_secrets,
    retrieve_secret,
    update_secret,
)
from together_fn.api.deployments_storage import (
    create_volume,
    delete_volume,
    download_storage_file,
    list_volumes,
    retrieve_volume,
    update_volume,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, encode_json
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.deployments import (
    CreateDeploymentRequest,
    CreateSecretRequest,
    CustomMetricAutoscalingConfig,
    DeploymentListResponse,
    DeploymentLogs,
    DeploymentResponseItem,
    EnvironmentVariable,
    HTTPAutoscalingConfig,
    ListSecretsResponse,
    QueueAutoscalingConfig,
    ReplicaEvent,
    SecretResponseItem,
    UpdateSecretRequest,
    VolumeMount,
)
from together_fn.models.deployments_storage import (
    FileInfo,
    ListVolumesResponse,
    VolumeContent,
    VolumeContentRequest,
    VolumeResponseItem,
)

IMAGE = "registry.together.xyz/proj_abc/my-image:latest"


def body(call: Call[Any]) -> Any:
    assert isinstance(call.request.body, JsonBody)
    return call.request.body.json()


# --- deployments -----------------------------------------------------------------------------


def test_list_deployments_is_the_exact_request():
    assert list_deployments() == Call(
        operation="GET /deployments",
        request=HttpRequest(method=Method.GET, url="/deployments"),
        response_type=DeploymentListResponse,
    )


def test_create_deployment_is_the_exact_request_and_never_retried():
    call = create_deployment(name="my-deployment", gpu_type="h100-80gb", image=IMAGE)
    assert call == Call(
        operation="POST /deployments",
        request=HttpRequest(
            method=Method.POST,
            url="/deployments",
            body=JsonBody(
                b'{"name":"my-deployment","gpu_type":"h100-80gb",'
                b'"image":"registry.together.xyz/proj_abc/my-image:latest"}'
            ),
        ),
        response_type=DeploymentResponseItem,
        retryable=False,
    )


def test_create_deployment_sends_every_field_and_dicts_equal_models():
    from_dicts = create_deployment(
        name="web",
        gpu_type="b200-192gb",
        image=IMAGE,
        args=["python", "app.py"],
        command=("/bin/sh", "-c"),
        cpu=0.5,
        memory=2,
        storage=10,
        gpu_count=1,
        port=8080,
        health_check_path="/health",
        min_replicas=1,
        max_replicas=3,
        termination_grace_period_seconds=30,
        description="d",
        autoscaling={"metric": "QueueBacklogPerWorker", "target": 1.01, "model": "m"},
        environment_variables=[
            {"name": "A", "value": "1"},
            {"name": "TOKEN", "value_from_secret": "hf-token"},
        ],
        volumes=[{"mount_path": "/data", "name": "weights", "version": 2}],
    )
    from_models = create_deployment(
        name="web",
        gpu_type="b200-192gb",
        image=IMAGE,
        args=["python", "app.py"],
        command=["/bin/sh", "-c"],
        cpu=0.5,
        memory=2,
        storage=10,
        gpu_count=1,
        port=8080,
        health_check_path="/health",
        min_replicas=1,
        max_replicas=3,
        termination_grace_period_seconds=30,
        description="d",
        autoscaling=QueueAutoscalingConfig(target=1.01, model="m"),
        environment_variables=[
            EnvironmentVariable(name="A", value="1"),
            EnvironmentVariable(name="TOKEN", value_from_secret="hf-token"),
        ],
        volumes=[VolumeMount(mount_path="/data", name="weights", version=2)],
    )
    assert from_dicts == from_models
    assert body(from_dicts) == {
        "name": "web",
        "gpu_type": "b200-192gb",
        "image": IMAGE,
        "args": ["python", "app.py"],
        "autoscaling": {"metric": "QueueBacklogPerWorker", "model": "m", "target": 1.01},
        "command": ["/bin/sh", "-c"],
        "cpu": 0.5,
        "description": "d",
        "environment_variables": [
            {"name": "A", "value": "1"},
            {"name": "TOKEN", "value_from_secret": "hf-token"},
        ],
        "gpu_count": 1,
        "health_check_path": "/health",
        "max_replicas": 3,
        "memory": 2,
        "min_replicas": 1,
        "port": 8080,
        "storage": 10,
        "termination_grace_period_seconds": 30,
        "volumes": [{"mount_path": "/data", "name": "weights", "version": 2}],
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": ""}, ValueError, "name must be 1 to 100"),
        ({"name": "x" * 101}, ValueError, "name must be 1 to 100"),
        ({"gpu_type": "a100-80gb"}, ValueError, "gpu_type must be one of"),
        ({"image": ""}, ValueError, "image must not be empty"),
        ({"cpu": 0.05}, ValueError, "cpu must be at least 0.1"),
        ({"memory": 1001}, ValueError, "memory must be"),
        ({"storage": 401}, ValueError, "storage must be"),
        ({"port": 0}, ValueError, "port must be between 1 and 65535"),
        ({"port": 70000}, ValueError, "port must be between 1 and 65535"),
        ({"min_replicas": 3, "max_replicas": 2}, ValueError, "max_replicas"),
        ({"gpu_count": -1}, ValueError, "gpu_count must not be negative"),
        ({"args": "python app.py"}, TypeError, "not a single string"),
        ({"command": [1]}, TypeError, "must hold strings"),
        ({"environment_variables": [{"name": "A"}]}, ValueError, "exactly one of value"),
        (
            {"environment_variables": [{"name": "A", "value": "1", "value_from_secret": "s"}]},
            ValueError,
            "exactly one of value",
        ),
        ({"environment_variables": [{"name": "A", "valeu": "1"}]}, ValueError, "unknown keys"),
        ({"environment_variables": {"name": "A"}}, TypeError, "must be a sequence"),
        ({"volumes": [{"name": "v"}]}, ValueError, "volumes\\[0\\] is not valid"),
        ({"volumes": ["v"]}, TypeError, "mapping or a model"),
        ({"autoscaling": {"target": 5}}, ValueError, "autoscaling metric must be one of"),
        ({"autoscaling": {"metric": "CPU", "target": 5}}, ValueError, "metric must be one of"),
        ({"autoscaling": {"metric": "CustomMetric", "trget": 5}}, ValueError, "unknown keys"),
        ({"autoscaling": {"metric": "CustomMetric", "target": "x"}}, ValueError, "not valid"),
    ],
)
def test_invalid_deployments_fail_at_construction(kwargs, error, message):
    arguments = {"name": "web", "gpu_type": "h100-80gb", "image": IMAGE, **kwargs}
    with pytest.raises(error, match=message):
        create_deployment(**arguments)


def test_retrieve_and_delete_deployment_by_name_or_id():
    assert retrieve_deployment("my-deployment") == Call(
        operation="GET /deployments/{id}",
        request=HttpRequest(method=Method.GET, url="/deployments/my-deployment"),
        response_type=DeploymentResponseItem,
    )
    deleted = delete_deployment("dep_123")
    assert deleted.request == HttpRequest(method=Method.DELETE, url="/deployments/dep_123")
    assert deleted.operation == "DELETE /deployments/{id}"
    assert deleted.retryable


def test_ids_cannot_escape_their_path_segment():
    assert retrieve_deployment("../secrets").request.url == "/deployments/..%2Fsecrets"
    assert retrieve_secret("a/b?c").request.url == "/deployments/secrets/a%2Fb%3Fc"
    with pytest.raises(ValueError, match="must not be empty"):
        delete_volume("")


def test_update_deployment_sends_only_what_changes():
    call = update_deployment("my-deployment", gpu_count=2, health_check_path="")
    assert call == Call(
        operation="PATCH /deployments/{id}",
        request=HttpRequest(
            method=Method.PATCH,
            url="/deployments/my-deployment",
            body=JsonBody(b'{"gpu_count":2,"health_check_path":""}'),
        ),
        response_type=DeploymentResponseItem,
    )


def test_update_deployment_turns_autoscaling_off_with_an_empty_object():
    assert body(update_deployment("web", autoscaling={})) == {"autoscaling": {}}
    custom = update_deployment(
        "web", autoscaling=CustomMetricAutoscalingConfig(custom_metric_name="depth", target=5)
    )
    assert body(custom) == {
        "autoscaling": {"metric": "CustomMetric", "custom_metric_name": "depth", "target": 5.0}
    }


def test_an_update_without_changes_is_refused_unless_extra_body_says_what():
    with pytest.raises(ValueError, match="at least one field"):
        update_deployment("web")
    call = update_deployment("web", options=RequestOptions(extra_body={"new_field": 1}))
    assert body(call) == {"new_field": 1}


def test_logs_of_a_replica():
    call = retrieve_deployment_logs("web", replica_id="web-abc")
    assert call == Call(
        operation="GET /deployments/{id}/logs",
        request=HttpRequest(
            method=Method.GET, url="/deployments/web/logs", query=(("replica_id", "web-abc"),)
        ),
        response_type=DeploymentLogs,
    )
    assert retrieve_deployment_logs("web").request.query == ()
    with pytest.raises(ValueError, match="replica_id must not be empty"):
        retrieve_deployment_logs("web", replica_id="")


def test_a_deployment_decodes_with_its_autoscaling_variant_and_replica_events():
    payload = {
        "id": "dep_1",
        "object": "deployment",
        "name": "web",
        "status": "Ready",
        "autoscaling": {"metric": "HTTPAvgRequestDuration", "target": 500},
        "replica_events": {"web-1": {"replica_status": "Running", "unknown": 1}},
        "environment_variables": None,
        "volumes": None,
        "ready_replicas": 1,
        "new_field": {"anything": True},
    }
    call = retrieve_deployment("web")
    decoded = interpret(call, HttpResponse(status=200, body=json.dumps(payload).encode()))
    assert decoded == Success(
        DeploymentResponseItem(
            id="dep_1",
            object="deployment",
            name="web",
            status="Ready",
            autoscaling=HTTPAutoscalingConfig(metric="HTTPAvgRequestDuration", target=500),
            replica_events={"web-1": ReplicaEvent(replica_status="Running")},
            ready_replicas=1,
        )
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"metric": "QueueBacklogPerWorker"}, QueueAutoscalingConfig()),
        ({"metric": "CustomMetric", "target": 1}, CustomMetricAutoscalingConfig(target=1)),
        ({"target": 3}, HTTPAutoscalingConfig(target=3)),
        (
            {"metric": "GPUUtilization", "target": 3},
            HTTPAutoscalingConfig(metric="GPUUtilization", target=3),
        ),
    ],
)
def test_autoscaling_variants_decode_by_metric(payload, expected):
    decoded = decode_json(json.dumps({"autoscaling": payload}).encode(), DeploymentResponseItem)
    assert decoded == Success(DeploymentResponseItem(autoscaling=expected))


def test_a_deployment_list_and_logs_decode_nulls_as_absent():
    listed = decode_json(b'{"object":"list","data":null}', DeploymentListResponse)
    assert listed == Success(DeploymentListResponse(object="list"))
    logs = decode_json(b'{"lines":["a","b"]}', DeploymentLogs)
    assert logs == Success(DeploymentLogs(lines=("a", "b")))


# --- secrets ---------------------------------------------------------------------------------


def test_create_secret_is_the_exact_request_and_never_retried():
    call = create_secret(name="hf-token", value="hf_secret_value", description="read")
    assert call == Call(
        operation="POST /deployments/secrets",
        request=HttpRequest(
            method=Method.POST,
            url="/deployments/secrets",
            body=JsonBody(b'{"name":"hf-token","value":"hf_secret_value","description":"read"}'),
        ),
        response_type=SecretResponseItem,
        retryable=False,
    )


def test_secret_values_never_show_in_a_repr():
    created = create_secret(name="hf-token", value="hf_secret_value")
    updated = update_secret("hf-token", value="hf_rotated_value")
    for call in (created, updated):
        assert "hf_secret_value" not in repr(call)
        assert "hf_rotated_value" not in repr(call)
        assert "<redacted>" in repr(call.request.body)
    assert "hf_secret_value" not in repr(CreateSecretRequest(name="n", value="hf_secret_value"))
    assert "hf_rotated_value" not in repr(UpdateSecretRequest(value="hf_rotated_value"))
    # Redaction is for display only: the body still carries the value.
    assert body(created) == {"name": "hf-token", "value": "hf_secret_value"}


def test_an_environment_variables_plain_value_is_hidden_too():
    call = create_deployment(
        name="web",
        gpu_type="h100-80gb",
        image=IMAGE,
        environment_variables=[{"name": "DATABASE_URL", "value": "postgres://u:pw@db/x"}],
    )
    assert "pw@db" not in repr(call)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "name must be 1 to 100"),
        ({"value": ""}, "value must not be empty"),
        ({"description": "x" * 501}, "description must be at most 500"),
    ],
)
def test_invalid_secrets_fail_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        create_secret(**{"name": "n", "value": "v", **kwargs})


def test_secret_reads_updates_and_deletes():
    assert list_secrets().request == HttpRequest(method=Method.GET, url="/deployments/secrets")
    assert list_secrets().response_type is ListSecretsResponse
    assert retrieve_secret("hf-token").request.url == "/deployments/secrets/hf-token"
    update = update_secret("hf-token", name="hf-read", description="renamed")
    assert update.request.method is Method.PATCH
    assert body(update) == {"name": "hf-read", "description": "renamed"}
    assert update.retryable
    with pytest.raises(ValueError, match="at least one field"):
        update_secret("hf-token")
    assert delete_secret("hf-token").request == HttpRequest(
        method=Method.DELETE, url="/deployments/secrets/hf-token"
    )


# --- storage and volumes ---------------------------------------------------------------------


def test_download_storage_file_asks_for_the_bytes():
    call = download_storage_file("model weights.bin")
    assert call == Call(
        operation="GET /deployments/storage/{filename}",
        request=HttpRequest(
            method=Method.GET,
            url="/deployments/storage/model%20weights.bin",
            headers=(("accept", "*/*"),),
        ),
        response_type=bytes,
    )
    body_bytes = b"\x00\x01 not json"
    assert interpret(call, HttpResponse(status=200, body=body_bytes)) == Success(body_bytes)


def test_a_file_named_volumes_would_read_the_volume_list_and_is_refused():
    with pytest.raises(ValueError, match="'volumes' cannot be addressed"):
        download_storage_file("volumes")
    assert download_storage_file("volumes.tar").request.url == "/deployments/storage/volumes.tar"


def test_create_volume_is_the_exact_request_and_never_retried():
    call = create_volume(name="weights", content=VolumeContentRequest(source_prefix="models/"))
    assert call == Call(
        operation="POST /deployments/storage/volumes",
        request=HttpRequest(
            method=Method.POST,
            url="/deployments/storage/volumes",
            body=JsonBody(
                b'{"name":"weights","content":{"type":"files","source_prefix":"models/"},'
                b'"type":"readOnly"}'
            ),
        ),
        response_type=VolumeResponseItem,
        retryable=False,
    )
    assert create_volume(name="weights", content={"source_prefix": "models/"}) == call


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": ""}, ValueError, "name must not be empty"),
        ({"type": "readWrite"}, ValueError, "type must be one of"),
        ({"content": {"type": "s3"}}, ValueError, "content is not valid"),
        ({"content": {"prefix": "models/"}}, ValueError, "unknown keys"),
        ({"content": "models/"}, TypeError, "mapping or a model"),
    ],
)
def test_invalid_volumes_fail_at_construction(kwargs, error, message):
    with pytest.raises(error, match=message):
        create_volume(**{"name": "weights", "content": {"source_prefix": "m/"}, **kwargs})


def test_volume_reads_updates_and_deletes():
    assert list_volumes().request.url == "/deployments/storage/volumes"
    assert list_volumes().response_type is ListVolumesResponse
    assert retrieve_volume("weights").request.url == "/deployments/storage/volumes/weights"
    update = update_volume("weights", content={"source_prefix": "v2/"})
    assert update.operation == "PATCH /deployments/storage/volumes/{id}"
    assert body(update) == {"content": {"type": "files", "source_prefix": "v2/"}}
    with pytest.raises(ValueError, match="at least one field"):
        update_volume("weights")
    assert delete_volume("weights").request.method is Method.DELETE


def test_a_volume_decodes_with_its_version_history():
    payload = {
        "id": "vol_1",
        "name": "weights",
        "type": "readOnly",
        "content": {
            "type": "files",
            "source_prefix": "models/",
            "files": [{"name": "a", "size": 3}],
        },
        "current_version": 2,
        "mounted_by": None,
        "version_history": {"1": {"version": 1, "content": {"type": "files"}, "mounted_by": ["d"]}},
    }
    decoded = decode_json(json.dumps(payload).encode(), VolumeResponseItem).unwrap()
    assert decoded.content == VolumeContent(
        type="files", source_prefix="models/", files=(FileInfo(name="a", size=3),)
    )
    assert decoded.version_history is not None
    assert decoded.version_history["1"].mounted_by == ("d",)
    assert decoded.mounted_by is None


# --- the spec: every answer it documents decodes, every builder is registered -----------------


@pytest.mark.parametrize("prefer", ["example", "default"])
@pytest.mark.parametrize("case", sorted(cases_deployments.CASES))
def test_the_specs_answer_decodes(case, prefer):
    call = cases_deployments.CASES[case]()
    status, schema = documented_answer(call.operation)
    payload = json.dumps(answer(schema, prefer)).encode()
    if status >= 300:
        # The storage download answers with a redirect; only the followed answer is decoded.
        assert call.response_type is bytes
        return
    result = interpret(call, HttpResponse(status=status, body=payload))
    assert isinstance(result, Success), result


def test_every_builder_is_registered_under_its_operation():
    modules = (api.deployments, api.deployments_secrets, api.deployments_storage)
    registered = {
        name
        for key, names in REGISTRY.items()
        for name in names
        if key.split(" ")[1].startswith("/deployments")
    }
    expected = {
        f"{module.__name__}.{name}"
        for module in modules
        for name, value in vars(module).items()
        if getattr(value, "__together_operation__", None)
    }
    assert registered == expected
    assert len(expected) == 17


def test_request_models_round_trip():
    request = CreateDeploymentRequest(
        name="web",
        gpu_type="h100-80gb",
        image=IMAGE,
        autoscaling=HTTPAutoscalingConfig(metric="HTTPTotalRequests", target=100),
        environment_variables=[EnvironmentVariable(name="A", value="1")],
    )
    assert decode_json(encode_json(request), CreateDeploymentRequest) == Success(request)


@pytest.mark.parametrize(
    "module", [api.deployments, api.deployments_secrets, api.deployments_storage]
)
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
