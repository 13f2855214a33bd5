"""Image generation: generate two images and save them as files.

Run: python -m examples.images [OUTPUT_DIR]   (offline from cassettes/images.yaml without a key)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from examples._offline import key_and_transport
from together_fn import Together
from together_fn.models.images import ImageResponseDataB64

MODEL = "black-forest-labs/FLUX.1-schnell"


def main(transport: Any = None, output: Path | None = None) -> int:
    key, transport = key_and_transport("images", transport)
    folder = output or Path(tempfile.mkdtemp(prefix="together-images-"))
    with Together(api_key=key, transport=transport) as client:
        response = client.images.generate(
            model=MODEL,
            prompt="a lighthouse made of paper, watercolour",
            steps=4,
            n=2,
            response_format="base64",
        )
    for image in response.data:
        if isinstance(image, ImageResponseDataB64):
            path = folder / f"lighthouse-{image.index}.png"
            path.write_bytes(image.decode())
            print(f"saved {path} ({path.stat().st_size} bytes)")
        else:
            print(f"image {image.index} is at {image.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(output=Path(sys.argv[1]) if len(sys.argv) > 1 else None))
