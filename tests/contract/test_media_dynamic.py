"""Generated answers for the operations whose contract cases ask Prism for the spec's examples.

For transcriptions, translations and code execution, the spec's answer is a ``oneOf`` that many
generated answers fail (see ``cases_audio`` and ``cases_tci``): Prism then replies 500 with an
``sl-violations`` header about the response body. Here each request is sent many times to
dynamic Prism; every answer Prism lets through must decode, the request must never be at
fault, and some answers must get through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from returns.result import Success

from tests.contract.cases_audio import WAV, clip
from together_fn import api
from together_fn.calls import Call, Exchange
from together_fn.config import ClientConfig
from together_fn.executors import Executor
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.retry import NO_RETRY

pytestmark = pytest.mark.contract

SAMPLES = 16

CALLS: dict[str, Callable[[], Call[Any]]] = {
    "transcription": lambda: api.audio.create_transcription(
        file=clip(), response_format="verbose_json", timestamp_granularities="word"
    ),
    "translation": lambda: api.audio.create_translation(file=WAV, filename="clip.wav"),
    "code execution": lambda: api.tci.execute_code(code="print(1)", session_id="ses_abc"),
}


def prism_blames_its_own_answer(exchange: Exchange[Any]) -> bool:
    violations = dict(exchange.headers).get("sl-violations")
    if exchange.status != 500 or violations is None:
        return False
    return all(v["location"][0] == "response" for v in json.loads(violations))


@pytest.mark.parametrize("name", CALLS)
def test_every_generated_answer_prism_lets_through_decodes(name: str, prism_dynamic: str) -> None:
    config = ClientConfig(api_key="contract-test-key", base_url=prism_dynamic, retry=NO_RETRY)
    executor = Executor(RequestsTransport(), config)
    decoded = 0
    try:
        for _ in range(SAMPLES):
            exchange = executor.execute(CALLS[name]())
            if prism_blames_its_own_answer(exchange):
                continue
            assert dict(exchange.headers).get("sl-violations") is None, exchange.result
            assert exchange.status == 200, exchange.result
            assert isinstance(exchange.result, Success), exchange.result
            decoded += 1
    finally:
        executor.close()
    assert decoded > 0, f"Prism rejected all {SAMPLES} of its own answers"
