"""Golden tests of the ``/images/generations`` builder and its models."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.api._build import REGISTRY, RequestOptions
from together_fn.api.images import generate_image
from together_fn.calls import Call, interpret
from together_fn.codec import decode_json, encode_json
from together_fn.errors import APIResponseValidationError
from together_fn.http import HttpRequest, HttpResponse, JsonBody, Method
from together_fn.models.images import (
    ImageLora,
    ImageRequest,
    ImageResponse,
    ImageResponseDataB64,
    ImageResponseDataUrl,
    ImageTimings,
)

MODEL = "black-forest-labs/FLUX.1-schnell"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def test_minimal_request_is_exact():
    call = generate_image(prompt="cat floating in space, cinematic", model=MODEL)
    assert call == Call(
        operation="POST /images/generations",
        request=HttpRequest(
            method=Method.POST,
            url="/images/generations",
            body=JsonBody(
                b'{"prompt":"cat floating in space, cinematic",'
                b'"model":"black-forest-labs/FLUX.1-schnell"}'
            ),
        ),
        response_type=ImageResponse,
        retryable=True,
    )


def test_every_field_is_sent_under_its_spec_name():
    call = generate_image(
        prompt="a lighthouse",
        model=MODEL,
        steps=4,
        image_url="https://example.com/in.png",
        seed=12345678901234567890,
        n=2,
        height=768,
        width=512,
        negative_prompt="blurry",
        response_format="base64",
        guidance_scale=7.5,
        output_format="png",
        image_loras=[{"path": "https://huggingface.co/a/lora", "scale": 1}],
        reference_images=["https://example.com/ref1.png", "https://example.com/ref2.png"],
        disable_safety_checker=True,
    )
    assert isinstance(call.request.body, JsonBody)
    assert json.loads(call.request.body.data) == {
        "prompt": "a lighthouse",
        "model": MODEL,
        "steps": 4,
        "image_url": "https://example.com/in.png",
        "seed": 12345678901234567890,
        "n": 2,
        "height": 768,
        "width": 512,
        "negative_prompt": "blurry",
        "response_format": "base64",
        "guidance_scale": 7.5,
        "output_format": "png",
        "image_loras": [{"path": "https://huggingface.co/a/lora", "scale": 1}],
        "reference_images": ["https://example.com/ref1.png", "https://example.com/ref2.png"],
        "disable_safety_checker": True,
    }
    # The big seed stays an exact integer on the wire.
    assert b'"seed":12345678901234567890' in call.request.body.data


def test_false_and_zero_are_sent_not_dropped():
    call = generate_image(prompt="p", model=MODEL, disable_safety_checker=False, seed=0)
    assert call.request.body.json() == {  # type: ignore[union-attr]
        "prompt": "p",
        "model": MODEL,
        "seed": 0,
        "disable_safety_checker": False,
    }


def test_loras_given_as_dicts_or_models_are_the_same_request():
    from_dicts = ImageRequest(prompt="p", model=MODEL, image_loras=[{"path": "u", "scale": 0.5}])
    from_models = ImageRequest(
        prompt="p", model=MODEL, image_loras=(ImageLora(path="u", scale=0.5),)
    )
    assert from_dicts == from_models
    assert from_dicts.image_loras == (ImageLora(path="u", scale=0.5),)


def test_lists_become_tuples():
    request = ImageRequest(prompt="p", model=MODEL, reference_images=["a", "b"])
    assert request.reference_images == ("a", "b")
    hash(request)  # frozen and made of tuples, so usable as a key


def test_options_are_applied():
    call = generate_image(
        prompt="p",
        model=MODEL,
        options=RequestOptions(extra_body={"width": None}, extra_headers={"X-A": "1"}),
    )
    assert call.request.body == JsonBody(
        b'{"prompt":"p","model":"black-forest-labs/FLUX.1-schnell","width":null}'
    )
    assert call.request.headers == (("x-a", "1"),)


def test_the_builder_is_registered():
    assert "together_fn.api.images.generate_image" in REGISTRY["POST /images/generations"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"prompt": ""}, ValueError, "prompt must not be empty"),
        ({"model": ""}, ValueError, "model must not be empty"),
        ({"n": 0}, ValueError, "n must be at least 1"),
        ({"steps": 0}, ValueError, "steps must be at least 1"),
        ({"height": 0}, ValueError, "height must be at least 1"),
        ({"width": -64}, ValueError, "width must be at least 1"),
        ({"response_format": "b64_json"}, ValueError, "response_format must be one of base64, url"),
        ({"output_format": "gif"}, ValueError, "output_format must be one of jpeg, png"),
        ({"image_url": ""}, ValueError, "image_url must not be empty"),
        ({"image_loras": [{"path": "u"}]}, ValueError, "needs exactly 'path' and 'scale'"),
        ({"image_loras": [{"path": "u", "scale": 1, "x": 2}]}, ValueError, "exactly 'path'"),
        ({"image_loras": {"path": "u", "scale": 1}}, TypeError, "not one object"),
        ({"image_loras": ["u"]}, TypeError, "items must be objects"),
        ({"image_loras": [{"path": "", "scale": 1}]}, ValueError, "path must not be empty"),
        ({"reference_images": "https://x"}, TypeError, "not one string"),
        ({"reference_images": [""]}, ValueError, "non-empty URL strings"),
    ],
)
def test_invalid_requests_fail_at_construction(kwargs, error, message):
    arguments = {"prompt": "p", "model": MODEL, **kwargs}
    with pytest.raises(error, match=message):
        generate_image(**arguments)


requests = st.builds(
    ImageRequest,
    prompt=st.text(min_size=1),
    model=st.text(min_size=1),
    steps=st.none() | st.integers(1, 100),
    seed=st.none() | st.integers(0, 2**64),
    n=st.none() | st.integers(1, 8),
    height=st.none() | st.integers(1, 2048),
    width=st.none() | st.integers(1, 2048),
    negative_prompt=st.none() | st.text(),
    response_format=st.none() | st.sampled_from(["base64", "url"]),
    guidance_scale=st.none() | st.floats(0, 20),
    output_format=st.none() | st.sampled_from(["jpeg", "png"]),
    image_loras=st.none()
    | st.lists(st.builds(ImageLora, path=st.text(min_size=1), scale=st.floats(0, 2)), max_size=3),
    reference_images=st.none() | st.lists(st.text(min_size=1), max_size=3),
    disable_safety_checker=st.none() | st.booleans(),
)


@given(requests)
def test_requests_round_trip(request):
    assert decode_json(encode_json(request), ImageRequest) == Success(request)


def test_b64_item_decodes_to_the_image_bytes():
    image = PNG_HEADER + bytes(range(40))
    item = ImageResponseDataB64(b64_json=base64.b64encode(image).decode(), index=0)
    assert item.decode() == image


def test_b64_item_that_is_not_base64_says_so():
    with pytest.raises(ValueError, match="image 3 is not valid base64"):
        ImageResponseDataB64(b64_json="not base64!", index=3).decode()


def test_items_are_told_apart_by_key_without_a_type_tag():
    body = {
        "id": "9060240d5856d522-CDG",
        "model": MODEL,
        "object": "list",
        "data": [
            {"index": 0, "b64_json": "aGVsbG8=", "timings": {"inference": 4459}},
            {"index": 1, "url": "https://api.together.ai/shrt/abc"},
        ],
    }
    result = decode_json(json.dumps(body).encode(), ImageResponse)
    assert result == Success(
        ImageResponse(
            id="9060240d5856d522-CDG",
            model=MODEL,
            data=(
                ImageResponseDataB64(
                    index=0, b64_json="aGVsbG8=", timings=ImageTimings(inference=4459)
                ),
                ImageResponseDataUrl(index=1, url="https://api.together.ai/shrt/abc"),
            ),
        )
    )
    item = result.unwrap().data[0]
    assert isinstance(item, ImageResponseDataB64)
    assert item.decode() == b"hello"


def test_items_with_the_spec_type_tag_decode_too():
    body = b'{"id":"x","model":"m","object":"list","data":[{"index":0,"url":"u","type":"url"}]}'
    assert decode_json(body, ImageResponse) == Success(
        ImageResponse(id="x", model="m", data=(ImageResponseDataUrl(index=0, url="u"),))
    )


def test_an_item_with_neither_image_nor_url_is_a_validation_error():
    call = generate_image(prompt="p", model=MODEL)
    result = interpret(call, HttpResponse(status=200, body=b'{"data":[{"index":0}]}'))
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), APIResponseValidationError)


def test_response_round_trips():
    response = ImageResponse(
        id="i",
        model="m",
        data=(
            ImageResponseDataB64(index=0, b64_json="aGk=", timings=ImageTimings(inference=1.5)),
            ImageResponseDataUrl(index=1, url="https://x/y.png"),
        ),
    )
    assert decode_json(encode_json(response), ImageResponse) == Success(response)
