"""Dedicated endpoint models (OpenAPI: ``Autoscaling``, ``CreateEndpointRequest``,
``DedicatedEndpoint``, ``ListEndpoint``, ``ListAvailibilityZonesResponse``; the bodies the spec
writes inline are named ``UpdateEndpointRequest`` and ``ListEndpointsResponse``).

States are open strings: :data:`ENDPOINT_STATES` lists those known so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from together_fn.models._fields import at_least, non_empty

#: ``DedicatedEndpoint.state`` values of the spec.
EndpointState: TypeAlias = Literal["PENDING", "STARTING", "STARTED", "STOPPING", "STOPPED", "ERROR"]
ENDPOINT_STATES: tuple[str, ...] = (
    "PENDING",
    "STARTING",
    "STARTED",
    "STOPPING",
    "STOPPED",
    "ERROR",
)
#: The states a request may ask for.
DesiredState: TypeAlias = Literal["STARTED", "STOPPED"]

#: States in which an endpoint stays until asked to change (or until it fails).
SETTLED_ENDPOINT_STATES: frozenset[str] = frozenset({"STARTED", "STOPPED", "ERROR"})


def _desired_state(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and value not in ("STARTED", "STOPPED"):
        raise ValueError(f"{attribute.name} must be 'STARTED' or 'STOPPED', got {value!r}")


def _optional_text(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty when given")


def _optional_int(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{attribute.name} must be an integer, got {value!r}")
    at_least(0)(_, attribute, value)


@attrs.frozen(kw_only=True)
class Autoscaling:
    """How many replicas serve the endpoint: at least ``min_replicas``, at most ``max_replicas``.

    Read as the server sends it; requests check it with :func:`check_autoscaling`.
    """

    min_replicas: int | None = None
    max_replicas: int | None = None


def check_autoscaling(_: object, attribute: Any, value: Any) -> None:
    """A request validator: replica counts are integers, ``0 <= min <= max`` and ``max >= 1``."""
    if value is None:
        return
    if not isinstance(value, Autoscaling):
        raise TypeError(f"{attribute.name} must be an Autoscaling, got {value!r}")
    low, high = value.min_replicas, value.max_replicas
    if not isinstance(low, int) or not isinstance(high, int) or bool in (type(low), type(high)):
        raise TypeError(f"replica counts must be integers, got {low!r} and {high!r}")
    if low < 0:
        raise ValueError(f"min_replicas must not be negative, got {low}")
    if high < 1:
        raise ValueError(f"max_replicas must be at least 1, got {high}")
    if low > high:
        raise ValueError(f"min_replicas ({low}) exceeds max_replicas ({high})")


def autoscaling_of(
    autoscaling: Autoscaling | Mapping[str, Any] | None,
    min_replicas: int | None,
    max_replicas: int | None,
) -> Autoscaling | None:
    """An :class:`Autoscaling` from a model, a dict, or the older SDK's two numbers."""
    counts = (min_replicas, max_replicas)
    if autoscaling is not None:
        if counts != (None, None):
            raise ValueError("give autoscaling= or min_replicas=/max_replicas=, not both")
        if isinstance(autoscaling, Autoscaling):
            return autoscaling
        if not isinstance(autoscaling, Mapping):
            raise TypeError(f"autoscaling must be a dict or Autoscaling, got {autoscaling!r}")
        unknown = sorted(set(autoscaling) - {"min_replicas", "max_replicas"})
        if unknown:
            raise ValueError(f"Autoscaling has no field(s) {unknown}")
        return Autoscaling(**autoscaling)
    if counts == (None, None):
        return None
    if None in counts:
        raise ValueError("min_replicas and max_replicas go together")
    return Autoscaling(min_replicas=min_replicas, max_replicas=max_replicas)


@attrs.frozen(kw_only=True)
class CreateEndpointRequest:
    """Body of ``POST /endpoints``: deploy ``model`` on ``hardware``; it starts by itself."""

    model: str = attrs.field(validator=non_empty)
    hardware: str = attrs.field(validator=non_empty)
    autoscaling: Autoscaling = attrs.field(validator=check_autoscaling)
    display_name: str | None = attrs.field(default=None, validator=_optional_text)
    disable_speculative_decoding: bool | None = None
    state: str | None = attrs.field(default=None, validator=_desired_state)
    inactive_timeout: int | None = attrs.field(default=None, validator=_optional_int)
    availability_zone: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen(kw_only=True)
class UpdateEndpointRequest:
    """Body of ``PATCH /endpoints/{endpointId}``; starting and stopping set ``state``."""

    display_name: str | None = attrs.field(default=None, validator=_optional_text)
    state: str | None = attrs.field(default=None, validator=_desired_state)
    autoscaling: Autoscaling | None = attrs.field(default=None, validator=check_autoscaling)
    inactive_timeout: int | None = attrs.field(default=None, validator=_optional_int)

    def __attrs_post_init__(self) -> None:
        if attrs.astuple(self, recurse=False) == (None, None, None, None):
            raise ValueError("an endpoint update needs at least one field to change")


@attrs.frozen(kw_only=True)
class DedicatedEndpoint:
    """A dedicated endpoint. ``state`` is an open string (see :data:`ENDPOINT_STATES`)."""

    id: str
    object: str = "endpoint"
    name: str | None = None
    display_name: str | None = None
    model: str | None = None
    hardware: str | None = None
    type: str | None = None
    owner: str | None = None
    state: str | None = None
    autoscaling: Autoscaling | None = None
    created_at: str | None = None
    inactive_timeout: int | None = None


@attrs.frozen(kw_only=True)
class ListEndpoint:
    """An endpoint as listed (serverless or dedicated)."""

    id: str
    object: str = "endpoint"
    name: str | None = None
    model: str | None = None
    type: str | None = None
    owner: str | None = None
    state: str | None = None
    created_at: str | None = None


@attrs.frozen(kw_only=True)
class ListEndpointsResponse:
    """The body of ``GET /endpoints``; iterating it iterates ``data`` (as the older SDK's list
    did)."""

    data: tuple[ListEndpoint, ...] = ()
    object: str = "list"

    def __iter__(self) -> Iterator[ListEndpoint]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


@attrs.frozen(kw_only=True)
class ListAvailibilityZonesResponse:
    """The body of ``GET /clusters/availability-zones`` (the spec's spelling)."""

    avzones: tuple[str, ...] = ()


def endpoint_in_state(*states: str) -> Callable[[DedicatedEndpoint], bool]:
    """A predicate: whether an endpoint is in one of ``states`` (or failed, in ``ERROR``);
    with no ``states``, whether it is settled (``STARTED``, ``STOPPED`` or ``ERROR``)."""
    unknown = [state for state in states if state not in ENDPOINT_STATES]
    if unknown:
        raise ValueError(f"unknown endpoint state(s) {unknown}; known: {ENDPOINT_STATES}")
    wanted = frozenset(states or SETTLED_ENDPOINT_STATES) | {"ERROR"}

    def done(endpoint: DedicatedEndpoint) -> bool:
        return (endpoint.state or "").upper() in wanted

    return done


def endpoint_is_settled(endpoint: DedicatedEndpoint) -> bool:
    """Whether ``endpoint`` is ``STARTED``, ``STOPPED`` or in ``ERROR``."""
    return (endpoint.state or "").upper() in SETTLED_ENDPOINT_STATES
