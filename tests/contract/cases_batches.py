"""Contract cases of ``/batches``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

BATCH_ID = "01234567-8901-2345-6789-012345678901"

CASES: dict[str, Callable[[], Call[Any]]] = {
    "batches: create": lambda: api.batches.create_batch(
        "file-abc123def456ghi789", endpoint="/v1/chat/completions"
    ),
    "batches: create with every field": lambda: api.batches.create_batch(
        "file-abc123def456ghi789",
        endpoint="/v1/chat/completions",
        completion_window="24h",
        priority=1,
        model_id="Qwen/Qwen3.5-9B",
    ),
    "batches: list": api.batches.list_batches,
    "batches: retrieve": lambda: api.batches.retrieve_batch(BATCH_ID),
    "batches: cancel": lambda: api.batches.cancel_batch(BATCH_ID),
}
