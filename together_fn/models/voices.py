"""Voice models (OpenAPI: ``ListVoicesResponse``, ``ModelVoices``)."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class Voice:
    """A voice: pass ``name`` as ``voice=`` to speech (OpenAPI: an item of ``voices``)."""

    id: str
    name: str


@attrs.frozen(kw_only=True)
class ModelVoices:
    """A speech model with its voices."""

    model: str
    voices: tuple[Voice, ...] = ()


@attrs.frozen(kw_only=True)
class ListVoicesResponse:
    """Every speech model with its voices."""

    data: tuple[ModelVoices, ...]
