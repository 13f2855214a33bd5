"""Contract cases of ``/videos``. The spec serves them from ``https://api.together.ai/v2``;
Prism serves every path at its root, and a base URL without ``/v1`` keeps the v2 requests
there too, so these go where Prism expects them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

CASES: dict[str, Callable[[], Call[Any]]] = {
    "videos: create from a prompt": lambda: api.videos.create_video(
        model="minimax/hailuo-02", prompt="A cat riding a skateboard at sunset"
    ),
    "videos: create with every field and media": lambda: api.videos.create_video(
        model="kwaivgI/kling-2.1-master",
        prompt="The camera pans across a misty forest",
        height=720,
        width=1280,
        resolution="720p",
        ratio="16:9",
        seconds=5,
        fps=24,
        steps=30,
        seed=42,
        guidance_scale=8,
        output_format="MP4",
        output_quality=20,
        negative_prompt="blurry, low quality",
        generate_audio=False,
        media={
            "frame_images": [
                {"input_image": "https://example.com/first.png", "frame": "first"},
                {"input_image": "https://example.com/last.png", "frame": 48},
            ],
            "frame_videos": [{"video": "https://example.com/start.mp4"}],
            "reference_images": ["https://example.com/style.png"],
            "reference_videos": [{"video": "https://example.com/ref.mp4"}],
            "source_video": {"video": "https://example.com/source.mp4"},
            "audio_inputs": ["https://example.com/a.mp3", {"audio": "https://example.com/b.mp3"}],
        },
    ),
    "videos: create with the deprecated frame images": lambda: api.videos.create_video(
        model="minimax/video-01-director",
        prompt="A paper boat on a river",
        frame_images=[{"input_image": "https://example.com/boat.png"}],
        reference_images=["https://example.com/river.png"],
    ),
    "videos: retrieve": lambda: api.videos.retrieve_video("019a0068-794a-7213-90f6-cc4eb62e3da7"),
}
