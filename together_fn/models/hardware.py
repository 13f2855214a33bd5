"""Hardware models (OpenAPI: ``HardwareWithStatus``, ``EndpointPricing``, ``HardwareSpec``,
``HardwareAvailability``; the inline list body is named ``ListHardwareResponse``)."""

from __future__ import annotations

from collections.abc import Iterator

import attrs


@attrs.frozen(kw_only=True)
class EndpointPricing:
    """What an endpoint on this hardware costs per minute of uptime, in cents."""

    cents_per_minute: float | None = None


@attrs.frozen(kw_only=True)
class HardwareSpec:
    """GPUs of a configuration: type, interconnect, memory (GB) and count."""

    gpu_type: str | None = None
    gpu_link: str | None = None
    gpu_memory: float | None = None
    gpu_count: int | None = None


@attrs.frozen(kw_only=True)
class HardwareAvailability:
    """``available``, ``unavailable`` or ``insufficient`` (an open string)."""

    status: str | None = None


@attrs.frozen(kw_only=True)
class HardwareWithStatus:
    """A hardware configuration; ``availability`` is set when the list was asked for a model."""

    id: str
    object: str = "hardware"
    pricing: EndpointPricing | None = None
    specs: HardwareSpec | None = None
    availability: HardwareAvailability | None = None
    updated_at: str | None = None


@attrs.frozen(kw_only=True)
class ListHardwareResponse:
    """The body of ``GET /hardware``; iterating it iterates ``data`` (as the older SDK's list
    did)."""

    data: tuple[HardwareWithStatus, ...] = ()
    object: str = "list"

    def __iter__(self) -> Iterator[HardwareWithStatus]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
