"""Contract cases of ``/evaluation``: every kind of create, with models and with data fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

JUDGE = {
    "model": "openai/gpt-oss-120b",
    "model_source": "serverless",
    "system_template": "You are an expert evaluator...",
}
MODEL = {
    "model": "Qwen/Qwen3.5-9B",
    "max_tokens": 512,
    "temperature": 0.7,
    "system_template": "Imagine you are helpful assistant",
    "input_template": "Please classify {{prompt}} based on the labels below",
    "model_source": "serverless",
}
EXTERNAL = {
    **MODEL,
    "model": "gpt-4o-mini",
    "model_source": "external",
    "external_api_token": "sk-external",
    "external_base_url": "https://api.openai.com/v1",
    "num_workers": 5,
}

#: Classify and score bodies also satisfy the compare schema (which requires only ``judge`` and
#: ``input_data_file_path`` and allows other keys), so the spec's ``oneOf`` can never hold for
#: them: ``test_evaluation_kinds`` checks them against their own schema instead.
KINDS: dict[str, Callable[[], Call[Any]]] = {
    "evaluation: classify": lambda: api.evaluation.create_evaluation(
        type="classify",
        parameters={
            "judge": JUDGE,
            "labels": ["good", "bad"],
            "pass_labels": ["good"],
            "model_to_evaluate": MODEL,
            "input_data_file_path": "file-abc123",
        },
    ),
    "evaluation: score": lambda: api.evaluation.create_evaluation(
        type="score",
        parameters={
            "judge": {**JUDGE, "num_workers": 2},
            "min_score": 0.0,
            "max_score": 10.0,
            "pass_threshold": 7.0,
            "model_to_evaluate": "response",
            "input_data_file_path": "file-01234567890123456789",
        },
    ),
}

#: ``results`` of the status answer is a ``oneOf`` whose variants require nothing: Prism can
#: never answer it validly (see ``test_contract.AMBIGUOUS_ANSWER``).
AMBIGUOUS_ANSWER = frozenset({"evaluation: status"})

CASES: dict[str, Callable[[], Call[Any]]] = {
    "evaluation: compare": lambda: api.evaluation.create_evaluation(
        type="compare",
        parameters={
            "judge": JUDGE,
            "model_a": MODEL,
            "model_b": EXTERNAL,
            "input_data_file_path": "file-abc123",
        },
    ),
    "evaluation: list": api.evaluation.list_evaluations,
    "evaluation: list filtered": lambda: api.evaluation.list_evaluations(
        status="completed", limit=5
    ),
    "evaluation: model list": lambda: api.evaluation.list_evaluation_models(model_source="all"),
    "evaluation: retrieve": lambda: api.evaluation.retrieve_evaluation("eval-1234aedf"),
    "evaluation: status": lambda: api.evaluation.retrieve_evaluation_status("eval-1234aedf"),
}
