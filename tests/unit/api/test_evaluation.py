"""Golden tests of the ``/evaluation`` builders: three kinds of parameters, checked at build."""

from __future__ import annotations

from typing import Any

import pytest
from returns.result import Success

from tests.unit.api.spec_examples import example, response_schema, schema_example
from together_fn.api.evaluation import (
    create_evaluation,
    list_evaluation_models,
    list_evaluations,
    retrieve_evaluation,
    retrieve_evaluation_status,
)
from together_fn.calls import Call
from together_fn.codec import decode_value
from together_fn.http import HttpRequest, JsonBody, Method
from together_fn.models.evaluation import (
    AggregatedScores,
    EvaluationClassifyParameters,
    EvaluationClassifyResults,
    EvaluationCompareParameters,
    EvaluationCompareResults,
    EvaluationErrorResults,
    EvaluationJob,
    EvaluationJobList,
    EvaluationJobStatusUpdate,
    EvaluationJudgeModelConfig,
    EvaluationModelListResponse,
    EvaluationModelRequest,
    EvaluationResponse,
    EvaluationResults,
    EvaluationScoreParameters,
    EvaluationScoreResults,
    EvaluationStatusResponse,
    evaluation_is_finished,
)

JUDGE: dict[str, Any] = {
    "model": "judge-model",
    "system_template": "You judge.",
    "model_source": "serverless",
}
MODEL: dict[str, Any] = {
    "model": "Qwen/Qwen3.5-9B",
    "max_tokens": 512,
    "temperature": 0.7,
    "system_template": "Be helpful",
    "input_template": "Classify {{prompt}}",
    "model_source": "serverless",
}
CLASSIFY: dict[str, Any] = {
    "judge": JUDGE,
    "labels": ["good", "bad"],
    "pass_labels": ["good"],
    "input_data_file_path": "file-1",
}
SCORE: dict[str, Any] = {
    "judge": JUDGE,
    "min_score": 0,
    "max_score": 10,
    "pass_threshold": 7,
    "input_data_file_path": "file-1",
}


def sent(call: Call[Any]) -> Any:
    body = call.request.body
    assert isinstance(body, JsonBody)
    return body.json()


def test_create_classify_is_the_exact_request_and_never_retried():
    call = create_evaluation(type="classify", parameters={**CLASSIFY, "model_to_evaluate": MODEL})
    assert call.operation == "POST /evaluation"
    assert call.request.method is Method.POST
    assert call.request.url == "/evaluation"
    assert call.response_type is EvaluationResponse
    assert call.retryable is False
    assert sent(call) == {
        "type": "classify",
        "parameters": {
            "judge": JUDGE,
            "labels": ["good", "bad"],
            "pass_labels": ["good"],
            "input_data_file_path": "file-1",
            "model_to_evaluate": MODEL,
        },
    }


def test_dicts_and_models_build_the_same_call():
    typed = EvaluationClassifyParameters(
        judge=EvaluationJudgeModelConfig(**JUDGE),
        labels=("good", "bad"),
        pass_labels=("good",),
        input_data_file_path="file-1",
        model_to_evaluate=EvaluationModelRequest(**MODEL),
    )
    from_dicts = create_evaluation(
        type="classify", parameters={**CLASSIFY, "model_to_evaluate": MODEL}
    )
    assert create_evaluation(type="classify", parameters=typed) == from_dicts


def test_score_and_compare_bodies():
    score = create_evaluation(type="score", parameters={**SCORE, "model_to_evaluate": "answer"})
    assert sent(score)["parameters"] == {
        **SCORE,
        "model_to_evaluate": "answer",
    }
    compare = create_evaluation(
        type="compare",
        parameters={
            "judge": {**JUDGE, "model_source": "external", "external_base_url": "https://x/v1"},
            "model_a": "answer_a",
            "model_b": {**MODEL, "num_workers": 4},
            "input_data_file_path": "file-1",
        },
    )
    parameters = sent(compare)["parameters"]
    assert parameters["model_a"] == "answer_a"
    assert parameters["model_b"] == {**MODEL, "num_workers": 4}
    assert parameters["judge"]["external_base_url"] == "https://x/v1"


def test_external_tokens_stay_out_of_reprs():
    judge = EvaluationJudgeModelConfig(**{**JUDGE, "external_api_token": "sk-ext-secret"})
    assert "sk-ext-secret" not in repr(judge)
    model = EvaluationModelRequest(**{**MODEL, "external_api_token": "sk-ext-secret"})
    assert "sk-ext-secret" not in repr(model)


@pytest.mark.parametrize(
    ("type_", "parameters", "error", "message"),
    [
        ("rank", CLASSIFY, ValueError, "type must be one of"),
        ("classify", {**CLASSIFY, "labels": ["good"]}, ValueError, "at least two labels"),
        ("classify", {**CLASSIFY, "labels": "good,bad"}, TypeError, "not one string"),
        ("classify", {**CLASSIFY, "pass_labels": []}, ValueError, "at least one label"),
        ("classify", {**CLASSIFY, "pass_labels": ["great"]}, ValueError, "not among labels"),
        ("classify", {**CLASSIFY, "extra": 1}, ValueError, "no field"),
        ("classify", {k: v for k, v in CLASSIFY.items() if k != "judge"}, TypeError, "judge"),
        ("classify", {**CLASSIFY, "judge": {**JUDGE, "model_source": "local"}}, ValueError, "one"),
        ("classify", {**CLASSIFY, "judge": {**JUDGE, "num_workers": 0}}, ValueError, "at least 1"),
        ("classify", {**CLASSIFY, "judge": {**JUDGE, "temp": 1}}, ValueError, "no field"),
        ("classify", {**CLASSIFY, "judge": "judge-model"}, TypeError, "expected a dict"),
        ("classify", {**CLASSIFY, "input_data_file_path": ""}, ValueError, "must not be empty"),
        (
            "classify",
            {**CLASSIFY, "model_to_evaluate": {**MODEL, "temperature": 3}},
            ValueError,
            "between 0 and 2",
        ),
        (
            "classify",
            {**CLASSIFY, "model_to_evaluate": {**MODEL, "max_tokens": 0}},
            ValueError,
            "at least 1",
        ),
        (
            "classify",
            {**CLASSIFY, "model_to_evaluate": {**MODEL, "max_tokens": None}},
            TypeError,
            "integer",
        ),
        ("classify", {**CLASSIFY, "model_to_evaluate": ""}, ValueError, "must not be empty"),
        ("score", {**SCORE, "min_score": 10}, ValueError, "below max_score"),
        ("score", {**SCORE, "pass_threshold": 11}, ValueError, "between min_score"),
        ("score", {**SCORE, "max_score": "10"}, TypeError, "number"),
        ("compare", {"judge": JUDGE}, TypeError, "input_data_file_path"),
        ("compare", CLASSIFY, ValueError, "no field"),
    ],
)
def test_invalid_evaluations_fail_at_construction(type_, parameters, error, message):
    with pytest.raises(error, match=message):
        create_evaluation(type=type_, parameters=parameters)


def test_parameters_must_match_the_type():
    score = EvaluationScoreParameters(
        judge=JUDGE,
        min_score=0,
        max_score=1,
        pass_threshold=0.5,
        input_data_file_path="f",
    )
    with pytest.raises(TypeError, match="takes EvaluationClassifyParameters"):
        create_evaluation(type="classify", parameters=score)
    compare = EvaluationCompareParameters(judge=JUDGE, input_data_file_path="f")
    assert sent(create_evaluation(type="compare", parameters=compare)) == {
        "type": "compare",
        "parameters": {"judge": JUDGE, "input_data_file_path": "f"},
    }


def test_reading_builders_are_the_exact_requests():
    assert list_evaluations() == Call(
        operation="GET /evaluation",
        request=HttpRequest(method=Method.GET, url="/evaluation"),
        response_type=EvaluationJobList,
    )
    assert list_evaluations(status="running", limit=3).request.query == (
        ("status", "running"),
        ("limit", "3"),
    )
    with pytest.raises(ValueError, match="positive integer"):
        list_evaluations(limit=0)
    assert list_evaluation_models() == Call(
        operation="GET /evaluation/model-list",
        request=HttpRequest(method=Method.GET, url="/evaluation/model-list"),
        response_type=EvaluationModelListResponse,
    )
    assert retrieve_evaluation("eval-1") == Call(
        operation="GET /evaluation/{id}",
        request=HttpRequest(method=Method.GET, url="/evaluation/eval-1"),
        response_type=EvaluationJob,
    )
    assert retrieve_evaluation_status("eval-1") == Call(
        operation="GET /evaluation/{id}/status",
        request=HttpRequest(method=Method.GET, url="/evaluation/eval-1/status"),
        response_type=EvaluationStatusResponse,
    )


def test_the_spec_example_job_decodes():
    job = decode_value(schema_example("EvaluationJob"), EvaluationJob).unwrap()
    assert job.workflow_id == "eval-1234aedf"
    assert job.type == "classify"
    assert job.status == "completed"
    assert job.status_updates == (
        EvaluationJobStatusUpdate(
            status="pending", message="Job is pending evaluation", timestamp=job.created_at
        ),
    )
    assert job.results == EvaluationClassifyResults(
        generation_fail_count=0,
        judge_fail_count=0,
        invalid_label_count=0,
        result_file_id="file-1234-aefd",
        pass_percentage=10,
        label_counts='{"yes": 10, "no": 0}',
    )
    created = decode_value(schema_example("EvaluationResponse"), EvaluationResponse)
    assert created == Success(EvaluationResponse(workflow_id="eval-1234-1244513", status="pending"))


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("EvaluationScoreResults", EvaluationScoreResults),
        ("EvaluationCompareResults", EvaluationCompareResults),
        ("EvaluationClassifyResults", EvaluationClassifyResults),
    ],
)
def test_each_kind_of_results_decodes_into_its_model(variant, expected):
    status = {"status": "completed", "results": schema_example(variant)}
    decoded = decode_value(status, EvaluationStatusResponse).unwrap()
    assert type(decoded.results) is expected


def test_results_fields_are_read_by_their_wire_names():
    compare = {"num_samples": 10, "A_wins": 6, "B_wins": 3, "Ties": 1, "result_file_id": "f"}
    assert decode_value(compare, EvaluationResults) == Success(  # type: ignore[arg-type]
        EvaluationCompareResults(num_samples=10, a_wins=6, b_wins=3, ties=1, result_file_id="f")
    )
    score = {"aggregated_scores": {"mean_score": 7.5, "std_score": 1.0, "pass_percentage": 60}}
    assert decode_value({"results": score}, EvaluationStatusResponse) == Success(
        EvaluationStatusResponse(
            results=EvaluationScoreResults(
                aggregated_scores=AggregatedScores(
                    mean_score=7.5, std_score=1.0, pass_percentage=60
                )
            )
        )
    )
    failed = decode_value({"status": "error", "results": {"error": "bad file"}}, EvaluationJob)
    assert failed.unwrap().results == EvaluationErrorResults(error="bad file")
    assert decode_value({"results": None}, EvaluationJob) == Success(EvaluationJob())


def test_the_status_and_model_list_answers_decode():
    status = example(response_schema("GET", "/evaluation/{id}/status"))
    assert decode_value(status, EvaluationStatusResponse).unwrap().status == "completed"
    models = example(response_schema("GET", "/evaluation/model-list"))
    assert decode_value(models, EvaluationModelListResponse) == Success(
        EvaluationModelListResponse(model_list=("text",))
    )


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        ("pending", False),
        ("queued", False),
        ("running", False),
        ("completed", True),
        ("error", True),
        ("user_error", True),
        (None, False),
    ],
)
def test_evaluation_is_finished(status, finished):
    assert evaluation_is_finished(EvaluationJob(status=status)) is finished
    assert evaluation_is_finished(EvaluationStatusResponse(status=status)) is finished


def test_external_tokens_stay_out_of_the_calls_repr():
    judge = {**JUDGE, "model_source": "external", "external_api_token": "sk-ext-secret"}
    call = create_evaluation(
        type="compare", parameters={"judge": judge, "input_data_file_path": "f"}
    )
    assert "sk-ext-secret" not in repr(call)
    assert sent(call)["parameters"]["judge"]["external_api_token"] == "sk-ext-secret"
