"""Pure builders: one function per API operation, each returning a ``Call`` or ``StreamCall``.

Modules are named after the first segment of the API path. :data:`REGISTRY` maps every
OpenAPI operation (``"METHOD /path"``) to the builders that perform it. An area's module (and
its models) is imported when first used, so a program pays only for the areas it touches;
reading ``REGISTRY`` imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

from together_fn.api import _build
from together_fn.api._build import NO_OPTIONS, RequestOptions

if TYPE_CHECKING:
    from together_fn.api import (
        audio,
        batches,
        chat,
        completions,
        compute,
        deployments,
        deployments_secrets,
        deployments_storage,
        embeddings,
        endpoints,
        evaluation,
        files,
        fine_tunes,
        hardware,
        images,
        models,
        queue,
        realtime,
        rerank,
        rl,
        tci,
        videos,
        voices,
    )
    from together_fn.api._build import REGISTRY

#: The builder modules, one per area of the API (every module not starting with ``_``).
AREAS = tuple(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))

__all__ = [
    "AREAS",
    "NO_OPTIONS",
    "REGISTRY",
    "RequestOptions",
    "audio",
    "batches",
    "chat",
    "completions",
    "compute",
    "deployments",
    "deployments_secrets",
    "deployments_storage",
    "embeddings",
    "endpoints",
    "evaluation",
    "files",
    "fine_tunes",
    "hardware",
    "images",
    "models",
    "queue",
    "realtime",
    "rerank",
    "rl",
    "tci",
    "videos",
    "voices",
]


def __getattr__(name: str) -> Any:
    if name in AREAS:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "REGISTRY":
        for area in AREAS:
            importlib.import_module(f"{__name__}.{area}")
        globals()["REGISTRY"] = _build.REGISTRY
        return _build.REGISTRY
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
