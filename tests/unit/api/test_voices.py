"""Golden tests of the ``/voices`` builder and the decoding of its answer."""

from __future__ import annotations

from returns.result import Success

from tests.unit.api.media_spec import answer_schema, example
from together_fn.api.voices import list_voices
from together_fn.calls import Call
from together_fn.codec import decode_json, decode_value
from together_fn.http import HttpRequest, Method
from together_fn.models.voices import ListVoicesResponse, ModelVoices, Voice


def test_list_voices_is_the_exact_request():
    assert list_voices() == Call(
        operation="GET /voices",
        request=HttpRequest(method=Method.GET, url="/voices"),
        response_type=ListVoicesResponse,
        retryable=True,
    )


def test_the_spec_example_decodes():
    assert decode_value(example(answer_schema("GET /voices")), ListVoicesResponse) == Success(
        ListVoicesResponse(
            data=(ModelVoices(model="string", voices=(Voice(id="string", name="string"),)),)
        )
    )


def test_several_models_with_their_voices():
    body = (
        b'{"data":[{"model":"cartesia/sonic","voices":[{"id":"a0e9","name":"laidback woman"},'
        b'{"id":"b1f2","name":"polite man"}]},{"model":"hexgrad/Kokoro-82M","voices":[]}]}'
    )
    voices = decode_json(body, ListVoicesResponse).unwrap()
    assert [v.name for v in voices.data[0].voices] == ["laidback woman", "polite man"]
    assert voices.data[1] == ModelVoices(model="hexgrad/Kokoro-82M")
