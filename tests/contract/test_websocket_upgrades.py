"""The websocket builders' upgrade requests, validated by Prism serving the spec.

Prism cannot hold a websocket session, but it validates the ``GET`` that opens one against the
operation's parameters: a valid request gets ``101 Switching Protocols``, an invalid one a 422
naming what is wrong. ``test_contract`` needs a 2xx, so these operations are checked here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from together_fn import api
from together_fn.api.realtime import WebSocketCall
from together_fn.config import ClientConfig, prepare
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.http import HttpResponse

pytestmark = pytest.mark.contract

UPGRADES: dict[str, Callable[[], WebSocketCall[Any]]] = {
    "realtime transcription": lambda: api.realtime.connect_realtime_transcription(
        model="openai/whisper-large-v3"
    ),
    "realtime transcription with VAD tuning": lambda: api.realtime.connect_realtime_transcription(
        model="openai/whisper-large-v3",
        turn_detection="server_vad",
        threshold=0.3,
        min_silence_duration_ms=500,
        min_speech_duration_ms=250,
        max_speech_duration_s=5.0,
        speech_pad_ms=250,
    ),
    "realtime speech": lambda: api.audio.connect_realtime_speech(
        model="hexgrad/Kokoro-82M", voice="af_heart", max_partial_length=120
    ),
    "realtime speech with defaults": lambda: api.audio.connect_realtime_speech(),
}


def send(call: WebSocketCall[Any], url: str) -> HttpResponse:
    config = ClientConfig(api_key="contract-test-key", base_url=url)
    transport = RequestsTransport()
    try:
        return transport.send(prepare(call.request, config))
    finally:
        transport.close()


@pytest.mark.parametrize("case", UPGRADES)
@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_the_upgrade_request_is_valid(case: str, mode: str, request: Any) -> None:
    response = send(UPGRADES[case](), request.getfixturevalue(f"prism_{mode}"))
    assert response.header("sl-violations") is None
    assert response.status == 101, response.body[:500]


def test_every_websocket_operation_is_checked_here() -> None:
    checked = {build().operation for build in UPGRADES.values()}
    websockets = {"GET /realtime", "GET /audio/speech/websocket"}
    assert checked == websockets
    assert websockets <= set(api.REGISTRY)


def test_prism_does_check_the_upgrade(prism_static: str) -> None:
    # Without this, a 101 could mean Prism accepts anything: a model outside the spec's enum.
    bad = api.audio.connect_realtime_speech(model="acme/not-a-tts-model")
    response = send(bad, prism_static)
    assert response.status == 422
    problems = json.loads(response.body)["validation"]
    assert [p["location"] for p in problems] == [["query", "model"]]
