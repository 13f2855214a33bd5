"""Golden tests of the ``/rl`` builders, the operation predicates, and decoding of the spec's
answers (including the static example built from the spec's string defaults)."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from returns.result import Success

from tests.contract import cases_rl
from tests.unit.api.spec_answers import answer, documented_answer
from together_fn import api
from together_fn.api._build import REGISTRY
from together_fn.api.rl import (
    create_forward_backward,
    create_inference_checkpoint,
    create_optim_step,
    create_sample,
    create_training_checkpoint,
    create_training_session,
    download_checkpoint,
    list_training_sessions,
    retrieve_forward_backward,
    retrieve_inference_checkpoint,
    retrieve_optim_step,
    retrieve_rl_operation,
    retrieve_sample,
    retrieve_training_checkpoint,
    retrieve_training_session,
    stop_training_session,
)
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json
from together_fn.http import NO_BODY, HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models import rl
from together_fn.models.rl import (
    CheckpointDownloadResponse,
    CheckpointFile,
    ForwardBackwardOperation,
    ForwardBackwardResult,
    InferenceCheckpointOperation,
    LoraConfig,
    OptimStepOperation,
    SampleOperation,
    TrainingCheckpointOperation,
    TrainingOperationError,
    TrainingSession,
    TrainingSessionsListResponse,
    as_int,
    is_rl_operation_done,
    is_training_session_done,
)
from together_fn.models.rl_inputs import (
    EncodedText,
    InputChunk,
    LossConfig,
    LossInputs,
    LossTargetTokens,
    ModelInput,
    SamplingParams,
    TrainingSample,
)

S = "sess-1"
OP = "op-1"
PROMPT = {"chunks": [{"encoded_text": {"tokens": [1, 2, 3]}}]}
SAMPLE = {"model_input": PROMPT, "loss_inputs": {"target_tokens": {"data": [2, 3, 4]}}}


def body(call: Call[Any]) -> Any:
    assert isinstance(call.request.body, JsonBody)
    return call.request.body.json()


# --- sessions --------------------------------------------------------------------------------


def test_create_training_session_is_the_exact_request_and_never_retried():
    call = create_training_session(
        base_model="meta-llama/Meta-Llama-3-8B-Instruct",
        type="SESSION_TYPE_TRAINER_ONLY",
        lora_config={"rank": 16, "alpha": 32},
    )
    assert call == Call(
        operation="POST /rl/training-sessions",
        request=HttpRequest(
            method=Method.POST,
            url="/rl/training-sessions",
            body=JsonBody(
                b'{"base_model":"meta-llama/Meta-Llama-3-8B-Instruct",'
                b'"type":"SESSION_TYPE_TRAINER_ONLY","lora_config":{"rank":16,"alpha":32}}'
            ),
        ),
        response_type=TrainingSession,
        retryable=False,
    )
    assert call == create_training_session(
        base_model="meta-llama/Meta-Llama-3-8B-Instruct",
        type="SESSION_TYPE_TRAINER_ONLY",
        lora_config=LoraConfig(rank=16, alpha=32),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_model": ""}, "base_model must not be empty"),
        ({"type": "TRAINER"}, "type must be one of"),
        ({"lora_config": {"rank": 8, "lora_alpha": 16}}, "unknown keys"),
        ({"resume_from_checkpoint_id": ""}, "must not be empty"),
    ],
)
def test_invalid_sessions_fail_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        create_training_session(**{"base_model": "m", **kwargs})


def test_list_training_sessions_pages_and_filters():
    assert list_training_sessions() == Call(
        operation="GET /rl/training-sessions",
        request=HttpRequest(method=Method.GET, url="/rl/training-sessions"),
        response_type=TrainingSessionsListResponse,
    )
    call = list_training_sessions(status="TRAINING_SESSION_STATUS_RUNNING", limit=100, after="x")
    assert call.request.query == (
        ("status", "TRAINING_SESSION_STATUS_RUNNING"),
        ("limit", "100"),
        ("after", "x"),
    )
    with pytest.raises(ValueError, match="limit must be between 1 and 100"):
        list_training_sessions(limit=0)
    with pytest.raises(ValueError, match="status must be one of"):
        list_training_sessions(status="RUNNING")


def test_retrieve_and_stop_a_session():
    assert retrieve_training_session(S) == Call(
        operation="GET /rl/training-sessions/{session_id}",
        request=HttpRequest(method=Method.GET, url="/rl/training-sessions/sess-1"),
        response_type=TrainingSession,
    )
    stop = stop_training_session(S)
    assert stop.request == HttpRequest(method=Method.POST, url="/rl/training-sessions/sess-1/stop")
    assert stop.operation == "POST /rl/training-sessions/{session_id}/stop"
    assert stop.retryable  # stopping twice is harmless


# --- operations ------------------------------------------------------------------------------


def test_forward_backward_from_dicts_equals_from_models():
    from_dicts = create_forward_backward(
        S, samples=[SAMPLE], loss={"type": "LOSS_TYPE_CROSS_ENTROPY"}
    )
    sample = TrainingSample(
        model_input=ModelInput(chunks=(InputChunk(encoded_text=EncodedText(tokens=(1, 2, 3))),)),
        loss_inputs=LossInputs(target_tokens=LossTargetTokens(data=(2, 3, 4))),
    )
    from_models = create_forward_backward(
        S, samples=[sample], loss=LossConfig(type="LOSS_TYPE_CROSS_ENTROPY")
    )
    assert from_dicts == from_models
    assert from_dicts == Call(
        operation="POST /rl/training-sessions/{session_id}/operations/forward-backward",
        request=HttpRequest(
            method=Method.POST,
            url="/rl/training-sessions/sess-1/operations/forward-backward",
            body=JsonBody(
                b'{"samples":[{"model_input":{"chunks":[{"encoded_text":{"tokens":[1,2,3]}}]},'
                b'"loss_inputs":{"target_tokens":{"data":[2,3,4]}}}],'
                b'"loss":{"type":"LOSS_TYPE_CROSS_ENTROPY"}}'
            ),
        ),
        response_type=ForwardBackwardOperation,
        retryable=False,
    )


GRPO_INPUTS = {
    "advantages": {"data": [0.5, 0.5, 0.5]},
    "generator_logprobs": {"data": [-1.0, -0.5, -0.2]},
}


@pytest.mark.parametrize(
    ("samples", "loss", "error", "message"),
    [
        ([], {"type": "LOSS_TYPE_CROSS_ENTROPY"}, ValueError, "samples must not be empty"),
        ([SAMPLE], {"type": "LOSS_TYPE_PPO"}, ValueError, "type must be one of"),
        ([SAMPLE], {"type": "LOSS_TYPE_GRPO"}, ValueError, "needs loss_inputs.grpo_inputs"),
        (
            [{**SAMPLE, "loss_inputs": {**SAMPLE["loss_inputs"], "grpo_inputs": GRPO_INPUTS}}],  # type: ignore[dict-item]
            {"type": "LOSS_TYPE_GRPO", "grpo_params": {"beta": 0.1}},
            ValueError,
            "reference_logprobs when beta > 0",
        ),
        ([{"model_input": PROMPT}], {"type": "LOSS_TYPE_CROSS_ENTROPY"}, ValueError, "not valid"),
        (
            [
                {
                    "model_input": {"chunks": [{"encoded_text": {"tokens": "1 2 3"}}]},
                    "loss_inputs": SAMPLE["loss_inputs"],
                }
            ],
            {"type": "LOSS_TYPE_CROSS_ENTROPY"},
            ValueError,
            "expected an array, got str",
        ),
        ([SAMPLE], {"type": "LOSS_TYPE_CROSS_ENTROPY", "params": {}}, ValueError, "unknown keys"),
        (SAMPLE, {"type": "LOSS_TYPE_CROSS_ENTROPY"}, TypeError, "must be a sequence"),
    ],
)
def test_invalid_forward_backward_fails_at_construction(samples, loss, error, message):
    with pytest.raises(error, match=message):
        create_forward_backward(S, samples=samples, loss=loss)


def test_grpo_with_reference_logprobs_is_accepted():
    grpo = {
        **GRPO_INPUTS,
        "reference_logprobs": {"data": [-1.1, -0.6, -0.3], "dtype": "D_TYPE_FLOAT32"},
    }
    sample = {**SAMPLE, "loss_inputs": {**SAMPLE["loss_inputs"], "grpo_inputs": grpo}}  # type: ignore[dict-item]
    call = create_forward_backward(
        S, samples=[sample], loss={"type": "LOSS_TYPE_GRPO", "grpo_params": {"beta": 0.1}}
    )
    sent = body(call)
    assert isinstance(sent, dict)
    assert sent["samples"][0]["loss_inputs"]["grpo_inputs"]["reference_logprobs"] == {
        "data": [-1.1, -0.6, -0.3],
        "dtype": "D_TYPE_FLOAT32",
    }


def test_optim_step_and_sample_bodies():
    step = create_optim_step(S, learning_rate=1e-5, adamw_params={"weight_decay": 0.0})
    assert step.request.url == "/rl/training-sessions/sess-1/operations/optim-step"
    assert body(step) == {"learning_rate": 1e-5, "adamw_params": {"weight_decay": 0.0}}
    assert not step.retryable
    assert body(create_optim_step(S)) == {}
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        create_optim_step(S, learning_rate=0)

    sample = create_sample(
        S,
        prompts=[PROMPT],
        sampling_params={"max_tokens": 8, "stop": ["\n"], "seed": 7},
        num_samples=2,
    )
    assert sample.response_type is SampleOperation
    assert body(sample) == {
        "prompts": [PROMPT],
        "sampling_params": {"max_tokens": 8, "stop": ["\n"], "seed": 7},
        "num_samples": 2,
    }
    with pytest.raises(ValueError, match="prompts must not be empty"):
        create_sample(S, prompts=[])
    with pytest.raises(ValueError, match="sampling_params is not valid"):
        create_sample(S, prompts=[PROMPT], sampling_params={"stop": "END"})
    with pytest.raises(TypeError, match="not a single string"):
        create_sample(S, prompts=[PROMPT], sampling_params=SamplingParams(stop="END"))
    with pytest.raises(ValueError, match="num_samples must be positive"):
        create_sample(S, prompts=[PROMPT], num_samples=0)


def test_checkpoints_are_posts_without_a_body_never_retried():
    kinds: list[tuple[Any, str, type]] = [
        (create_inference_checkpoint, "inference-checkpoint", InferenceCheckpointOperation),
        (create_training_checkpoint, "training-checkpoint", TrainingCheckpointOperation),
    ]
    for build, kind, model in kinds:
        call = build(S)
        assert call.request == HttpRequest(
            method=Method.POST, url=f"/rl/training-sessions/sess-1/operations/{kind}"
        )
        assert call.request.body == NO_BODY
        assert call.response_type is model
        assert not call.retryable


@pytest.mark.parametrize(
    ("build", "kind", "model"),
    [
        (retrieve_forward_backward, "forward-backward", ForwardBackwardOperation),
        (retrieve_optim_step, "optim-step", OptimStepOperation),
        (retrieve_sample, "sample", SampleOperation),
        (retrieve_inference_checkpoint, "inference-checkpoint", InferenceCheckpointOperation),
        (retrieve_training_checkpoint, "training-checkpoint", TrainingCheckpointOperation),
    ],
)
def test_operations_are_read_back_and_retrieve_rl_operation_picks_the_right_one(build, kind, model):
    call = build(S, OP)
    assert call == Call(
        operation=f"GET /rl/training-sessions/{{session_id}}/operations/{kind}/{{operation_id}}",
        request=HttpRequest(
            method=Method.GET, url=f"/rl/training-sessions/sess-1/operations/{kind}/op-1"
        ),
        response_type=model,
    )
    started = model(id=OP, status="TRAINING_OPERATION_STATUS_PENDING")
    assert retrieve_rl_operation(S, started) == call


def test_retrieve_rl_operation_refuses_other_values():
    with pytest.raises(TypeError, match="not an RL operation"):
        retrieve_rl_operation(S, TrainingSession(id="s", status="x"))  # type: ignore[arg-type]


def test_download_checkpoint_asks_for_presigned_urls():
    call = download_checkpoint("ck-1")
    assert call == Call(
        operation="GET /rl/checkpoints/{id}/download",
        request=HttpRequest(
            method=Method.GET,
            url="/rl/checkpoints/ck-1/download",
            query=(("variant", "CHECKPOINT_VARIANT_ADAPTER"),),
        ),
        response_type=CheckpointDownloadResponse,
    )
    with pytest.raises(ValueError, match="variant must be one of"):
        download_checkpoint("ck-1", variant="merged")
    payload = {
        "data": [
            {"filename": "a.safetensors", "url": "https://s3/x?X-Amz-Signature=s", "size": "12"}
        ]
    }
    files = interpret(call, HttpResponse(status=200, body=json.dumps(payload).encode())).unwrap()
    assert files == CheckpointDownloadResponse(
        data=(
            CheckpointFile(
                filename="a.safetensors", url="https://s3/x?X-Amz-Signature=s", size="12"
            ),
        )
    )
    assert as_int(files.data[0].size) == 12
    assert "X-Amz-Signature" not in repr(files)


# --- predicates and decoding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "done"),
    [
        ("TRAINING_OPERATION_STATUS_UNSPECIFIED", False),
        ("TRAINING_OPERATION_STATUS_PENDING", False),
        ("TRAINING_OPERATION_STATUS_RUNNING", False),
        ("TRAINING_OPERATION_STATUS_COMPLETED", True),
        ("TRAINING_OPERATION_STATUS_FAILED", True),
        ("TRAINING_OPERATION_STATUS_SOMETHING_NEW", False),
    ],
)
def test_is_rl_operation_done(status, done):
    for model in (ForwardBackwardOperation, OptimStepOperation, SampleOperation):
        assert is_rl_operation_done(model(id=OP, status=status)) is done


@pytest.mark.parametrize(
    ("status", "done"),
    [
        ("TRAINING_SESSION_STATUS_CREATING", False),
        ("TRAINING_SESSION_STATUS_RUNNING", False),
        ("TRAINING_SESSION_STATUS_STOPPING", False),
        ("TRAINING_SESSION_STATUS_STOPPED", True),
        ("TRAINING_SESSION_STATUS_ERROR", True),
        ("TRAINING_SESSION_STATUS_EXPIRED", True),
    ],
)
def test_is_training_session_done(status, done):
    session = TrainingSession(id=S, status=status)
    assert is_training_session_done(session) is done
    assert session.is_finished is done


def test_a_failed_operation_and_string_encoded_integers_decode():
    failed = decode_json(
        b'{"id":"op","status":"TRAINING_OPERATION_STATUS_FAILED",'
        b'"error":{"code":"TRAINING_OPERATION_ERROR_CODE_TIMEOUT","message":"timed out"}}',
        ForwardBackwardOperation,
    )
    assert failed == Success(
        ForwardBackwardOperation(
            id="op",
            status="TRAINING_OPERATION_STATUS_FAILED",
            error=TrainingOperationError(
                code="TRAINING_OPERATION_ERROR_CODE_TIMEOUT", message="timed out"
            ),
        )
    )
    done = decode_json(
        b'{"id":"op","status":"TRAINING_OPERATION_STATUS_COMPLETED",'
        b'"output":{"loss":2.5,"metrics":{"loss/kl_ref/mean":0.05}}}',
        ForwardBackwardOperation,
    ).unwrap()
    assert done.output == ForwardBackwardResult(loss=2.5, metrics={"loss/kl_ref/mean": 0.05})
    session = decode_json(
        b'{"id":"s","status":"TRAINING_SESSION_STATUS_RUNNING","step":"100",'
        b'"lora_config":{"rank":"8","alpha":"16","dropout":"0.05"}}',
        TrainingSession,
    ).unwrap()
    assert as_int(session.step) == 100
    assert session.lora_config == LoraConfig(rank="8", alpha="16", dropout="0.05")
    assert as_int(session.lora_config.rank) == 8


@pytest.mark.parametrize("prefer", ["example", "default"])
@pytest.mark.parametrize("case", sorted(cases_rl.CASES))
def test_the_specs_answer_decodes(case, prefer):
    # "default" is what static Prism serves: the spec's string defaults ('8' for an integer).
    call = cases_rl.CASES[case]()
    status, schema = documented_answer(call.operation)
    payload = json.dumps(answer(schema, prefer)).encode()
    result = interpret(call, HttpResponse(status=status, body=payload))
    assert isinstance(result, Success), result


def test_every_builder_is_registered_under_its_operation():
    registered = {
        name
        for key, names in REGISTRY.items()
        for name in names
        if key.split(" ")[1].startswith("/rl/")
    }
    expected = {
        f"{api.rl.__name__}.{name}"
        for name, value in vars(api.rl).items()
        if getattr(value, "__together_operation__", None)
    }
    assert registered == expected
    assert len(expected) == 15


@pytest.mark.parametrize("module", [api.rl, rl])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
