"""Golden tests of the ``/tci`` (code interpreter) builders and the decoding of their answers."""

from __future__ import annotations

import pytest
from returns.result import Success

from tests.unit.api.media_spec import answer_schema, example
from together_fn.api.tci import execute_code, list_sessions
from together_fn.calls import Call
from together_fn.codec import decode_json, decode_value
from together_fn.http import HttpRequest, JsonBody, Method
from together_fn.models.tci import (
    CodeSession,
    ExecuteFile,
    ExecuteResponse,
    ExecuteResponseData,
    InterpreterOutput,
    SessionList,
    SessionListResponse,
)


def test_execute_is_the_exact_request_and_never_retried():
    assert execute_code(code="print('Hello, world!')") == Call(
        operation="POST /tci/execute",
        request=HttpRequest(
            method=Method.POST,
            url="/tci/execute",
            body=JsonBody(b'{"code":"print(\'Hello, world!\')","language":"python"}'),
        ),
        response_type=ExecuteResponse,
        retryable=False,
    )


def test_execute_in_a_session_with_files():
    call = execute_code(
        code="import pandas as pd; print(pd.read_csv('d.csv'))",
        session_id="ses_abcDEF123",
        files=[
            {"name": "d.csv", "encoding": "string", "content": "a,b\n1,2\n"},
            ExecuteFile(name="logo.png", encoding="base64", content="iVBORw0KGgo="),
        ],
    )
    assert call.request.body.json() == {  # type: ignore[union-attr]
        "code": "import pandas as pd; print(pd.read_csv('d.csv'))",
        "language": "python",
        "session_id": "ses_abcDEF123",
        "files": [
            {"name": "d.csv", "content": "a,b\n1,2\n", "encoding": "string"},
            {"name": "logo.png", "content": "iVBORw0KGgo=", "encoding": "base64"},
        ],
    }


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code": ""}, ValueError),
        ({"language": "ruby"}, ValueError),
        ({"session_id": ""}, ValueError),
        ({"files": [{"name": "a", "encoding": "utf8", "content": ""}]}, ValueError),
        ({"files": [{"name": "a"}]}, TypeError),
        ({"files": {"name": "a", "content": ""}}, TypeError),
    ],
)
def test_invalid_runs_fail_before_any_request(change, error):
    with pytest.raises(error):
        execute_code(**{"code": "print(1)", **change})


def test_list_sessions_is_the_exact_request():
    assert list_sessions() == Call(
        operation="GET /tci/sessions",
        request=HttpRequest(method=Method.GET, url="/tci/sessions"),
        response_type=SessionListResponse,
        retryable=True,
    )


def test_the_spec_success_example_decodes():
    decoded = decode_value(example(answer_schema("POST /tci/execute")), ExecuteResponse)
    assert decoded == Success(
        ExecuteResponse(
            data=ExecuteResponseData(
                session_id="ses_abcDEF123",
                outputs=(InterpreterOutput(type="stdout", data="string"),),
                status="success",
            )
        )
    )
    assert decoded.unwrap().ok


def test_a_failed_run_answers_200_with_errors():
    body = b'{"data": null, "errors": ["session expired", {"code": "E1", "detail": "x"}]}'
    decoded = decode_json(body, ExecuteResponse).unwrap()
    assert decoded.errors == ("session expired", {"code": "E1", "detail": "x"})
    assert not decoded.ok


def test_every_output_kind_decodes():
    body = (
        b'{"errors":null,"data":{"session_id":"ses_1","status":"success","outputs":['
        b'{"type":"stdout","data":"hi\\n"},{"type":"stderr","data":"warn"},'
        b'{"type":"error","data":"ZeroDivisionError"},'
        b'{"type":"display_data","data":{"image/png":"iVBORw0KGgo=","text/plain":"<Figure>"}},'
        b'{"type":"execute_result","data":{"text/plain":"2"}}]}}'
    )
    outputs = decode_json(body, ExecuteResponse).unwrap().data.outputs  # type: ignore[union-attr]
    assert [o.type for o in outputs] == [
        "stdout",
        "stderr",
        "error",
        "display_data",
        "execute_result",
    ]
    assert outputs[3].data == {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}


def test_the_spec_session_list_example_decodes():
    assert decode_value(
        example(answer_schema("GET /tci/sessions")), SessionListResponse
    ) == Success(
        SessionListResponse(
            errors=("string",),
            data=SessionList(
                sessions=(
                    CodeSession(
                        id="ses_abcDEF123",
                        execute_count=0,
                        expires_at="string",
                        last_execute_at="string",
                        started_at="string",
                    ),
                )
            ),
        )
    )
