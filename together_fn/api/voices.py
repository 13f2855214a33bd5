"""Builders for ``/voices``."""

from __future__ import annotations

from together_fn.api._build import NO_OPTIONS, RequestOptions, bodiless_call, operation
from together_fn.calls import Call
from together_fn.models.voices import ListVoicesResponse


@operation("GET", "/voices")
def list_voices(*, options: RequestOptions = NO_OPTIONS) -> Call[ListVoicesResponse]:
    """The Call that lists the speech models and their voices.

    >>> list_voices().request.url
    '/voices'
    """
    return bodiless_call("GET /voices", ListVoicesResponse, "/voices", options=options)
