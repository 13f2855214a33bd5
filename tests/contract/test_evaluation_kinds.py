"""Classify and score evaluations against Prism, despite the spec's ambiguous ``oneOf``.

``EvaluationTypedRequest.parameters`` is a ``oneOf`` of the three kinds' schemas, none of
which forbids other keys. A classify or score body therefore also matches the compare
schema (it requires only ``judge`` and ``input_data_file_path``), and Prism always reports
"must match exactly one schema". That report is the proof wanted: the body matched its own
kind's schema and the compare one. Every other violation must be a property required by
another kind (why the body does not match that kind), never one of the sent kind's.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.contract.cases_evaluation import JUDGE, KINDS
from tests.contract.test_contract import config
from tests.reference import spec_path
from together_fn.calls import Call
from together_fn.executors import Executor
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.http import HttpRequest, JsonBody, Method

pytestmark = pytest.mark.contract

_SCHEMAS = {
    "classify": "EvaluationClassifyParameters",
    "score": "EvaluationScoreParameters",
    "compare": "EvaluationCompareParameters",
}
_REQUIRED = re.compile(r"must have required property '([^']+)'")


def required_by_kind() -> dict[str, set[str]]:
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    return {kind: set(schemas[name]["required"]) for kind, name in _SCHEMAS.items()}


def matches_own_schema(violations: list[dict[str, Any]], kind: str) -> bool:
    """Whether Prism's report says the body matched ``kind``'s schema (and compare's)."""
    required = required_by_kind()
    others = set().union(*(props for k, props in required.items() if k != kind))
    ambiguous = False
    for violation in violations:
        if violation.get("location") != ["request", "body", "parameters"]:
            return False
        if violation.get("code") == "oneOf":
            ambiguous = True
            continue
        missing = _REQUIRED.search(violation.get("message", ""))
        if not (missing and missing.group(1) in others - required[kind]):
            return False
    return ambiguous


def sent(url: str, call: Call[Any]) -> list[dict[str, Any]]:
    executor = Executor(RequestsTransport(), config(url))
    try:
        exchange = executor.execute(call)
    finally:
        executor.close()
    raw = dict(exchange.headers).get("sl-violations")
    return json.loads(raw) if raw else []


@pytest.mark.parametrize("case", KINDS)
def test_each_kind_satisfies_its_own_schema(case: str, prism_static: str) -> None:
    call = KINDS[case]()
    body = call.request.body
    assert isinstance(body, JsonBody)
    kind = json.loads(body.data)["type"]
    violations = sent(prism_static, call)
    assert matches_own_schema(violations, kind), violations


@pytest.mark.parametrize(
    "parameters",
    [
        # One label (two at least) and no pass_labels: not a classify body, only a compare one.
        {"judge": JUDGE, "labels": ["good"], "input_data_file_path": "file-1"},
        # A judge without its model_source: no kind at all.
        {
            "judge": {"model": "m", "system_template": "t"},
            "labels": ["good", "bad"],
            "pass_labels": ["good"],
            "input_data_file_path": "file-1",
        },
    ],
)
def test_a_body_breaking_its_own_schema_is_caught(
    parameters: dict[str, Any], prism_static: str
) -> None:
    # Built by hand: the builder refuses both.
    body = {"type": "classify", "parameters": parameters}
    request = HttpRequest(
        method=Method.POST, url="/evaluation", body=JsonBody(json.dumps(body).encode())
    )
    call: Call[Any] = Call(operation="POST /evaluation", request=request, response_type=dict)
    assert not matches_own_schema(sent(prism_static, call), "classify")
