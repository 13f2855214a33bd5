"""Builders for ``/hardware``: the configurations dedicated endpoints can run on."""

from __future__ import annotations

from together_fn.api._build import NO_OPTIONS, RequestOptions, bodiless_call, operation
from together_fn.calls import Call
from together_fn.models.hardware import ListHardwareResponse


@operation("GET", "/hardware")
def list_hardware(
    *, model: str | None = None, options: RequestOptions = NO_OPTIONS
) -> Call[ListHardwareResponse]:
    """The Call that lists hardware configurations; with ``model``, only those that can serve
    it, each with its current availability.

    >>> list_hardware(model="deepseek-ai/DeepSeek-R1").request.full_url
    '/hardware?model=deepseek-ai%2FDeepSeek-R1'
    """
    if model is not None and not model:
        raise ValueError("model must not be empty when given")
    return bodiless_call(
        "GET /hardware", ListHardwareResponse, "/hardware", query={"model": model}, options=options
    )
