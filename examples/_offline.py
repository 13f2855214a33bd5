"""What every example shares: live with ``TOGETHER_API_KEY``, else replayed from a cassette."""

from __future__ import annotations

import os
from pathlib import Path

from together_fn.executors import ReplayTransport

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
#: The chat model the examples ask.
CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


def cassette(name: str) -> Path:
    """The cassette an example replays when it runs offline."""
    return CASSETTES / f"{name}.yaml"


def key_and_transport(
    name: str, transport: ReplayTransport | object | None
) -> tuple[str, ReplayTransport | object | None]:
    """The API key and transport to use: the given transport (tests, recording), the
    network when a key is set, else a replay of ``cassettes/<name>.yaml``."""
    key = os.environ.get("TOGETHER_API_KEY")
    if transport is None and not key:
        transport = ReplayTransport(cassette(name))
        print(f"(offline: replaying {name}.yaml; set TOGETHER_API_KEY to run live)\n")
    return key or "offline-replay", transport
