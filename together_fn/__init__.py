"""together_fn: a functional client for the whole Together AI API.

Pure builders in :mod:`together_fn.api` return immutable :class:`Call` values; executors in
:mod:`together_fn.executors` perform them and return ``returns`` ``Result`` values holding
attrs models; :class:`Together` and :class:`AsyncTogether` wrap both for convenience.
Importing this package imports no HTTP library, and neither the builders and models of every
area, the executors, cattrs nor the clients until they are first used: an area costs its
import time only once a program touches it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from together_fn._version import __version__
from together_fn.calls import Call, Exchange, RateLimit, StreamCall, interpret
from together_fn.config import ClientConfig, config_from_env, prepare
from together_fn.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DownloadError,
    FileTypeError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServiceUnavailableError,
    StreamError,
    TogetherError,
    TogetherException,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from together_fn.http import HttpRequest, HttpResponse, Method, Timeout
from together_fn.retry import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChunkStream",
    "AsyncExecutor",
    "AsyncTogether",
    "AuthenticationError",
    "BadRequestError",
    "Call",
    "ChunkStream",
    "ClientConfig",
    "ConflictError",
    "DownloadError",
    "Exchange",
    "Executor",
    "FileTypeError",
    "HttpRequest",
    "HttpResponse",
    "InternalServerError",
    "InvalidRequestError",
    "Method",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServiceUnavailableError",
    "StreamCall",
    "StreamError",
    "Timeout",
    "Together",
    "TogetherError",
    "TogetherException",
    "UnprocessableEntityError",
    "WaitPolicy",
    "WaitTimeoutError",
    "__version__",
    "api",
    "config_from_env",
    "interpret",
    "prepare",
    "unwrap_or_raise",
]

if TYPE_CHECKING:
    from together_fn import api
    from together_fn.client import AsyncTogether, Together
    from together_fn.executors import AsyncExecutor, Executor
    from together_fn.resources._base import AsyncChunkStream, ChunkStream, unwrap_or_raise
    from together_fn.wait import WaitPolicy

# The executors (and the flows they drive) and polling cost their import time only once a
# program performs a call; so do their modules, once attributes of the package like the rest.
_LAZY = {
    "api": "together_fn.api",
    "Together": "together_fn.client",
    "AsyncTogether": "together_fn.client",
    "Executor": "together_fn.executors",
    "AsyncExecutor": "together_fn.executors",
    "ChunkStream": "together_fn.resources._base",
    "AsyncChunkStream": "together_fn.resources._base",
    "unwrap_or_raise": "together_fn.resources._base",
    "WaitPolicy": "together_fn.wait",
    "executors": "together_fn.executors",
    "flows": "together_fn.flows",
    "resources": "together_fn.resources",
    "wait": "together_fn.wait",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    imported = importlib.import_module(module)
    return imported if module.endswith(f".{name}") else getattr(imported, name)
