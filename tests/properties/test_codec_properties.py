"""The codec, fuzzed: every model survives the wire, and no JSON can make decoding raise."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from tests.properties.models import JSON, model_classes, models_of
from together_fn.codec import decode_json, encode_json
from together_fn.errors import APIResponseValidationError

CLASSES = model_classes()


def test_every_model_module_is_covered() -> None:
    # A guard against the discovery silently finding nothing.
    assert len(CLASSES) > 200
    assert {c.__name__ for c in CLASSES} >= {"ChatCompletionResponse", "BatchJob", "FileResponse"}


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_every_model_round_trips_through_json(cls: type) -> None:
    @settings(max_examples=6, suppress_health_check=[HealthCheck.filter_too_much])
    @given(value=models_of(cls))
    def round_trip(value: Any) -> None:
        # The known loss pinned below; every other value must survive.
        assume(getattr(value, "autoscaling", None) != {})
        wire = encode_json(value)
        decoded: Result[Any, Any] = decode_json(wire, cls)
        assert isinstance(decoded, Success), decoded
        # What was read is written back identically. (Unions whose variants have only
        # optional fields cannot tell an empty object's variant, so the wire, not the
        # Python value, is what must survive.)
        assert json.loads(encode_json(decoded.unwrap())) == json.loads(wire)

    round_trip()


JSON_BYTES = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.text(max_size=12), JSON, max_size=6).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=60),
    st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b"1e999999", b"\xff\xfe", b"NaN", b""]),
)


@settings(max_examples=40)
@given(body=JSON_BYTES)
def test_no_body_makes_decoding_raise(body: bytes) -> None:
    # Every model, for each body: a Success of the model or a bounded validation error.
    for cls in CLASSES:
        result: Result[Any, Any] = decode_json(body, cls)
        if isinstance(result, Failure):
            error = result.failure()
            assert isinstance(error, APIResponseValidationError)
            assert len(str(error)) < 4000
            assert len(repr(error)) < 4000
        else:
            assert isinstance(result, Success)
            assert isinstance(result.unwrap(), cls)


@pytest.mark.parametrize("model", ["CreateDeploymentRequest", "UpdateDeploymentRequest"])
def test_autoscaling_off_decodes_back(model: str) -> None:
    from together_fn.models import deployments

    cls = getattr(deployments, model)
    body = b'{"name": "d", "gpu_type": "h100-80gb", "image": "i", "autoscaling": {}}'
    decoded = decode_json(body, cls)
    assert isinstance(decoded, Success)
    assert decoded.unwrap().autoscaling == {}
