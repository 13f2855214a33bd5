"""The only network code: transports, and the executors that drive flows over them.

Transport modules import their HTTP library lazily, so importing this package is cheap;
``RequestsTransport``, ``AiohttpTransport``, ``ReplayTransport`` and ``RecordingTransport``
are resolved on first access.
"""

from __future__ import annotations

from typing import Any

from together_fn.executors.base import (
    SYSTEM_CLOCK,
    AsyncExecutor,
    AsyncResponseStream,
    AsyncResultStream,
    AsyncTransport,
    Executor,
    ResponseStream,
    ResultStream,
    SyncTransport,
)

__all__ = [
    "SYSTEM_CLOCK",
    "AiohttpTransport",
    "AsyncExecutor",
    "AsyncResponseStream",
    "AsyncResultStream",
    "AsyncTransport",
    "Executor",
    "RecordingTransport",
    "ReplayTransport",
    "RequestsTransport",
    "ResponseStream",
    "ResultStream",
    "SyncTransport",
]

_LAZY = {
    "RequestsTransport": "together_fn.executors.requests_transport",
    "AiohttpTransport": "together_fn.executors.aiohttp_transport",
    "ReplayTransport": "together_fn.executors.replay",
    "RecordingTransport": "together_fn.executors.replay",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
