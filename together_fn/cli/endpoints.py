"""``together-fn endpoints``: dedicated endpoints, the hardware they run on, and zones."""

from dataclasses import dataclass

from together_fn import api
from together_fn.cli.common import Command, flag, optional, positional, required
from together_fn.cli.output import details, table
from together_fn.models.endpoints import (
    DedicatedEndpoint,
    ListAvailibilityZonesResponse,
    ListEndpointsResponse,
)
from together_fn.models.hardware import ListHardwareResponse


@dataclass(frozen=True, kw_only=True)
class ListArgs:
    """Options of ``endpoints list``."""

    type: str | None = optional(
        str, "only this kind", metavar="T", choices=("dedicated", "serverless")
    )
    usage_type: str | None = optional(
        str, "only this billing", metavar="U", choices=("on-demand", "reserved")
    )
    mine: bool = flag("only the endpoints you own")


@dataclass(frozen=True, kw_only=True)
class EndpointArgs:
    """Options of the commands about one endpoint."""

    id: str = positional("id", str, "the endpoint's id", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class _Scaling:
    min_replicas: int | None = optional(int, "fewest replicas", metavar="N")
    max_replicas: int | None = optional(int, "most replicas", metavar="N")
    display_name: str | None = optional(str, "a name to show", metavar="S")
    inactive_timeout: int | None = optional(int, "minutes idle before stopping", metavar="N")


@dataclass(frozen=True, kw_only=True)
class CreateArgs(_Scaling):
    """Options of ``endpoints create``."""

    model: str = required(str, "the model to serve", metavar="M")
    hardware: str = required(str, "the hardware id (see endpoints hardware)", metavar="H")
    disable_speculative_decoding: bool = flag("turn speculative decoding off")
    no_start: bool = flag("create the endpoint stopped")
    availability_zone: str | None = optional(str, "where to run it", metavar="ZONE")


@dataclass(frozen=True, kw_only=True)
class UpdateArgs(_Scaling):
    """Options of ``endpoints update``."""

    id: str = positional("id", str, "the endpoint's id", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class HardwareArgs:
    """Options of ``endpoints hardware``."""

    model: str | None = optional(str, "only hardware that can serve this model", metavar="M")


@dataclass(frozen=True, kw_only=True)
class NoArgs:
    """No options."""


def render_endpoint(endpoint: DedicatedEndpoint) -> str:
    """One endpoint's facts."""
    scaling = endpoint.autoscaling
    replicas = f"{scaling.min_replicas}-{scaling.max_replicas}" if scaling is not None else None
    return details(
        (
            ("id", endpoint.id),
            ("name", endpoint.name),
            ("display name", endpoint.display_name),
            ("model", endpoint.model),
            ("hardware", endpoint.hardware),
            ("state", endpoint.state),
            ("replicas", replicas),
            ("inactive timeout", endpoint.inactive_timeout),
            ("owner", endpoint.owner),
            ("created", endpoint.created_at),
        )
    )


def render_list(endpoints: ListEndpointsResponse) -> str:
    """A table of endpoints, by name."""
    ordered = sorted(endpoints.data, key=lambda e: e.name or e.id)
    rows = [(e.id, e.name, e.model, e.type, e.state, e.created_at) for e in ordered]
    headers = ("id", "name", "model", "type", "state", "created")
    return table(headers, rows) + f"\n{len(rows)} endpoint{'' if len(rows) == 1 else 's'}"


def render_hardware(hardware: ListHardwareResponse) -> str:
    """A table of hardware: GPUs, price per hour, availability."""
    rows = []
    for item in sorted(hardware.data, key=lambda h: h.id):
        specs, cost = item.specs, item.pricing
        gpus = f"{specs.gpu_count}x {specs.gpu_type}" if specs and specs.gpu_count else None
        memory = f"{specs.gpu_memory:g} GB" if specs and specs.gpu_memory else None
        per_minute = cost.cents_per_minute if cost else None
        hourly = f"${per_minute * 60 / 100:,.2f}" if per_minute is not None else None
        status = item.availability.status if item.availability else None
        rows.append((item.id, gpus, memory, hourly, status))
    return table(("id", "gpus", "memory", "per hour", "availability"), rows)


def render_zones(zones: ListAvailibilityZonesResponse) -> str:
    """One zone per line."""
    return "\n".join(sorted(zones.avzones))


CREATE = Command(
    name="endpoints create",
    summary="create a dedicated endpoint",
    options=CreateArgs,
    to_call=lambda args: api.endpoints.create_endpoint(
        model=args.model,
        hardware=args.hardware,
        min_replicas=args.min_replicas,
        max_replicas=args.max_replicas,
        display_name=args.display_name,
        disable_speculative_decoding=True if args.disable_speculative_decoding else None,
        state="STOPPED" if args.no_start else None,
        inactive_timeout=args.inactive_timeout,
        availability_zone=args.availability_zone,
    ),
    render=lambda endpoint, _args: render_endpoint(endpoint),
)
LIST = Command(
    name="endpoints list",
    summary="list endpoints",
    options=ListArgs,
    to_call=lambda args: api.endpoints.list_endpoints(
        type=args.type, usage_type=args.usage_type, mine=True if args.mine else None
    ),
    render=lambda endpoints, _args: render_list(endpoints),
)
RETRIEVE = Command(
    name="endpoints retrieve",
    summary="show one endpoint",
    options=EndpointArgs,
    to_call=lambda args: api.endpoints.retrieve_endpoint(args.id),
    render=lambda endpoint, _args: render_endpoint(endpoint),
)
UPDATE = Command(
    name="endpoints update",
    summary="change an endpoint's name, replicas or timeout",
    options=UpdateArgs,
    to_call=lambda args: api.endpoints.update_endpoint(
        args.id,
        display_name=args.display_name,
        min_replicas=args.min_replicas,
        max_replicas=args.max_replicas,
        inactive_timeout=args.inactive_timeout,
    ),
    render=lambda endpoint, _args: render_endpoint(endpoint),
)
START = Command(
    name="endpoints start",
    summary="start an endpoint",
    options=EndpointArgs,
    to_call=lambda args: api.endpoints.start_endpoint(args.id),
    render=lambda endpoint, _args: render_endpoint(endpoint),
)
STOP = Command(
    name="endpoints stop",
    summary="stop an endpoint",
    options=EndpointArgs,
    to_call=lambda args: api.endpoints.stop_endpoint(args.id),
    render=lambda endpoint, _args: render_endpoint(endpoint),
)
DELETE = Command(
    name="endpoints delete",
    summary="delete an endpoint",
    options=EndpointArgs,
    to_call=lambda args: api.endpoints.delete_endpoint(args.id),
    render=lambda _none, args: f"deleted {args.id}",
)
HARDWARE = Command(
    name="endpoints hardware",
    summary="list the hardware endpoints can run on",
    options=HardwareArgs,
    to_call=lambda args: api.hardware.list_hardware(model=args.model),
    render=lambda hardware, _args: render_hardware(hardware),
)
ZONES = Command(
    name="endpoints availability-zones",
    summary="list the zones endpoints can be created in",
    options=NoArgs,
    to_call=lambda _args: api.endpoints.list_availability_zones(),
    render=lambda zones, _args: render_zones(zones),
)
COMMANDS = (CREATE, LIST, RETRIEVE, UPDATE, START, STOP, DELETE, HARDWARE, ZONES)
