"""Golden tests of the ``/videos`` builders, their v2 server, and the decoding of their answers."""

from __future__ import annotations

from typing import Any

import pytest
from returns.result import Success

from tests.unit.api.media_spec import answer_schema, example, spec
from together_fn.api.videos import create_video, retrieve_video
from together_fn.calls import Call
from together_fn.codec import decode_json, decode_value
from together_fn.config import ClientConfig, prepare, server_url
from together_fn.http import HttpRequest, JsonBody, Method
from together_fn.models.videos import (
    AudioRef,
    VideoFrameImageInput,
    VideoJob,
    VideoJobError,
    VideoMedia,
    VideoOutputs,
    VideoRef,
    is_video_done,
)

KEY = "tk-video-test-key-0123456789"


def test_create_video_is_the_exact_request_on_the_v2_server_and_never_retried():
    assert create_video(model="minimax/hailuo-02", prompt="A cat on a skateboard") == Call(
        operation="POST /videos",
        request=HttpRequest(
            method=Method.POST,
            url="/videos",
            body=JsonBody(b'{"model":"minimax/hailuo-02","prompt":"A cat on a skateboard"}'),
            server="v2",
        ),
        response_type=VideoJob,
        retryable=False,
    )


def test_create_video_sends_every_field_with_media_from_dicts():
    call = create_video(
        model="minimax/hailuo-02",
        prompt="A cat",
        height=768,
        width=1366,
        resolution="768p",
        ratio="16:9",
        seconds=6,
        fps=24,
        steps=20,
        seed=42,
        guidance_scale=8,
        output_format="WEBM",
        output_quality=20,
        negative_prompt="blur",
        generate_audio=True,
        media={
            "frame_images": [{"input_image": "https://x.test/a.png", "frame": "first"}],
            "frame_videos": [{"video": "https://x.test/v.mp4"}],
            "reference_images": ["https://x.test/r.png"],
            "source_video": "https://x.test/s.mp4",
            "audio_inputs": ["https://x.test/a.mp3", {"audio": "https://x.test/b.mp3"}],
        },
    )
    body: Any = call.request.body.json()  # type: ignore[union-attr]
    assert body["seconds"] == "6"
    assert body["media"] == {
        "frame_images": [{"input_image": "https://x.test/a.png", "frame": "first"}],
        "frame_videos": [{"video": "https://x.test/v.mp4"}],
        "reference_images": ["https://x.test/r.png"],
        "source_video": "https://x.test/s.mp4",
        "audio_inputs": ["https://x.test/a.mp3", {"audio": "https://x.test/b.mp3"}],
    }
    assert set(body) <= set(spec()["components"]["schemas"]["CreateVideoBody"]["properties"])
    assert len(body) == 16


def test_media_from_models_equals_media_from_dicts():
    from_models = VideoMedia(
        frame_images=(VideoFrameImageInput(input_image="https://x.test/a.png", frame=0),),
        source_video=VideoRef(video="https://x.test/s.mp4"),
        audio_inputs=(AudioRef(audio="https://x.test/b.mp3"),),
    )
    from_dicts = VideoMedia(
        frame_images=[{"input_image": "https://x.test/a.png", "frame": 0}],
        source_video={"video": "https://x.test/s.mp4"},
        audio_inputs=[{"audio": "https://x.test/b.mp3"}],
    )
    assert from_models == from_dicts


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"model": ""}, ValueError),
        ({"prompt": ""}, ValueError),
        ({"steps": 5}, ValueError),
        ({"output_format": "AVI"}, ValueError),
        ({"media": {"frame_images": [{"input_image": "a", "frame": "middle"}]}}, ValueError),
        ({"media": {"unknown": 1}}, TypeError),
        ({"media": {"reference_images": "https://x.test/r.png"}}, TypeError),
        ({"reference_images": [""]}, ValueError),
    ],
)
def test_invalid_videos_fail_before_any_request(change, error):
    with pytest.raises(error):
        create_video(**{"model": "minimax/hailuo-02", "prompt": "A cat", **change})


def test_retrieve_video_is_the_exact_request_on_the_v2_server():
    assert retrieve_video("019a0068-794a-7213-90f6-cc4eb62e3da7") == Call(
        operation="GET /videos/{id}",
        request=HttpRequest(
            method=Method.GET, url="/videos/019a0068-794a-7213-90f6-cc4eb62e3da7", server="v2"
        ),
        response_type=VideoJob,
        retryable=True,
    )
    assert retrieve_video("a/../b").request.url == "/videos/a%2F..%2Fb"


def test_the_spec_puts_videos_and_only_videos_on_v2():
    on_v2 = {
        f"{method.upper()} {path}"
        for path, item in spec()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and any(s.get("url", "").endswith("/v2") for s in operation.get("servers", []))
    }
    assert on_v2 == {"POST /videos", "GET /videos/{id}"}
    assert create_video(model="m", prompt="p").request.server == "v2"
    assert retrieve_video("v").request.server == "v2"


# --- where a v2 request goes ----------------------------------------------------------------


def test_the_v2_server_is_derived_from_the_configured_v1_base():
    config = ClientConfig(api_key=KEY)
    prepared = prepare(retrieve_video("vid_1").request, config)
    assert prepared.url == "https://api.together.ai/v2/videos/vid_1"
    assert prepared.header("authorization") == f"Bearer {KEY}"


def test_a_v1_request_is_unchanged():
    config = ClientConfig(api_key=KEY, base_url="https://proxy.test/together/v1/")
    assert server_url(config, None) == "https://proxy.test/together/v1"
    assert server_url(config, "v2") == "https://proxy.test/together/v2"


def test_a_base_url_without_a_version_serves_every_server_at_its_root():
    # A mock (Prism) or a proxy that routes by path: the path alone says where it goes.
    config = ClientConfig(api_key=KEY, base_url="http://127.0.0.1:4010")
    assert prepare(create_video(model="m", prompt="p").request, config).url == (
        "http://127.0.0.1:4010/videos"
    )


def test_an_explicit_server_url_wins_and_still_gets_the_key():
    config = ClientConfig(api_key=KEY, servers={"v2": "https://video.example.test/api/"})
    prepared = prepare(retrieve_video("vid_1").request, config)
    assert prepared.url == "https://video.example.test/api/videos/vid_1"
    assert prepared.header("authorization") == f"Bearer {KEY}"


def test_an_absolute_url_to_another_host_still_gets_no_key():
    config = ClientConfig(api_key=KEY, servers={"v2": "https://video.example.test"})
    request = HttpRequest(method=Method.GET, url="https://elsewhere.test/file", server="v2")
    assert prepare(request, config).header("authorization") is None


def test_a_server_url_must_be_absolute():
    with pytest.raises(ValueError, match="absolute"):
        ClientConfig(api_key=KEY, servers={"v2": "/v2"})


def test_the_server_shows_in_the_repr_only_when_set():
    assert "server='v2'" in repr(retrieve_video("v").request)
    assert "server" not in repr(HttpRequest(method=Method.GET, url="/x"))


# --- answers --------------------------------------------------------------------------------


def test_the_spec_example_decodes():
    assert decode_value(example(answer_schema("GET /videos/{id}")), VideoJob) == Success(
        VideoJob(
            id="string",
            object="video",
            model="string",
            status="in_progress",
            created_at=0.5,
            completed_at=0.5,
            size="string",
            seconds="string",
            error=VideoJobError(code="string", message="string"),
            outputs=VideoOutputs(cost=0, video_url="string"),
        )
    )


def test_a_completed_video_and_the_done_predicate():
    body = (
        b'{"id":"019a","object":"video","model":"minimax/hailuo-02","status":"completed",'
        b'"created_at":1761000000,"completed_at":1761000090,"size":"1366x768","seconds":6,'
        b'"outputs":{"cost":1,"video_url":"https://cdn.test/v.mp4"}}'
    )
    video = decode_json(body, VideoJob).unwrap()
    assert video.seconds == 6
    assert video.outputs == VideoOutputs(cost=1, video_url="https://cdn.test/v.mp4")
    assert is_video_done(video)
    assert is_video_done(VideoJob(id="v", status="failed"))
    assert not is_video_done(VideoJob(id="v", status="in_progress"))
    assert not is_video_done(VideoJob(id="v", status="queued"))
