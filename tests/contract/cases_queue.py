"""Contract cases of ``/queue``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call

MODEL = "black-forest-labs/FLUX.1-schnell"

CASES: dict[str, Callable[[], Call[Any]]] = {
    "queue: submit": lambda: api.queue.submit_queue_job(
        model=MODEL, payload={"prompt": "a lighthouse at dusk", "steps": 4}
    ),
    "queue: submit with info and priority": lambda: api.queue.submit_queue_job(
        model=MODEL, payload={"prompt": "a cat"}, info={"user": "u-1"}, priority=5
    ),
    "queue: status": lambda: api.queue.retrieve_queue_job(request_id="req-123", model=MODEL),
    "queue: cancel": lambda: api.queue.cancel_queue_job(request_id="req-123", model=MODEL),
    "queue: metrics": lambda: api.queue.retrieve_queue_metrics(model=MODEL),
}
