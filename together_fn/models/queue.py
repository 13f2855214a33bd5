"""Queue models (OpenAPI: ``QueueJobRequest``, ``QueueJobResponse``, ``QueueJobStatusResponse``,
``QueueCancelRequest``, ``QueueCancelResponse``, ``QueueMetricsResponse``, ``QueueError``).

Payloads, outputs and metadata are model-specific JSON objects, kept as dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from together_fn.codec import JSON
from together_fn.models._fields import non_empty
from together_fn.schema import wire_name

#: ``QueueJobStatusResponse.status`` values of the spec (the field stays an open string).
QueueJobStatus: TypeAlias = Literal["pending", "running", "done", "failed", "canceled"]
#: Statuses after which a queued job no longer changes.
FINISHED_QUEUE_STATUSES: frozenset[str] = frozenset({"done", "failed", "canceled", "cancelled"})


def _json_object(value: Mapping[str, Any] | None) -> dict[str, JSON] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a JSON object (a dict), got {type(value).__name__}")
    return dict(value)


def _required_object(value: Mapping[str, Any]) -> dict[str, JSON]:
    converted = _json_object(value)
    if converted is None:
        raise TypeError("payload must be a JSON object (a dict)")
    return converted


def _priority(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{attribute.name} must be an integer, got {value!r}")


@attrs.frozen(kw_only=True)
class QueueJobRequest:
    """Body of ``POST /queue/submit``: ``payload`` goes to ``model`` unchanged."""

    model: str = attrs.field(validator=non_empty)
    payload: dict[str, JSON] = attrs.field(converter=_required_object)
    info: dict[str, JSON] | None = attrs.field(default=None, converter=_json_object)
    priority: int | None = attrs.field(default=None, validator=_priority)


@attrs.frozen(kw_only=True)
class QueueError:
    """An error the queue reports (in an error body, or beside a submit answer)."""

    code: str | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class QueueJobResponse:
    """The answer to ``POST /queue/submit``: the id to poll or cancel the job with."""

    request_id: str | None = attrs.field(default=None, metadata=wire_name("requestId"))
    error: QueueError | None = None


@attrs.frozen(kw_only=True)
class QueueJobStatusResponse:
    """A queued job: its status and, once ``done``, its ``outputs``."""

    request_id: str | None = None
    model: str | None = None
    status: str | None = None
    priority: int | None = None
    retries: int | None = None
    created_at: str | None = None
    claimed_at: str | None = None
    done_at: str | None = None
    info: dict[str, JSON] | None = None
    inputs: dict[str, JSON] | None = None
    outputs: dict[str, JSON] | None = None
    warnings: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class QueueCancelRequest:
    """Body of ``POST /queue/cancel``."""

    model: str = attrs.field(validator=non_empty)
    request_id: str = attrs.field(validator=non_empty)


@attrs.frozen(kw_only=True)
class QueueCancelResponse:
    """The status after a cancel attempt: ``canceled``, or unchanged if it had started."""

    status: str | None = None


@attrs.frozen(kw_only=True)
class QueueMetricsResponse:
    """How many jobs of a model are waiting and running."""

    messages_running: int | None = None
    messages_waiting: int | None = None
    total_jobs: int | None = None


def queue_job_is_finished(job: QueueJobStatusResponse) -> bool:
    """Whether a queued job reached a status after which it no longer changes."""
    return (job.status or "").lower() in FINISHED_QUEUE_STATUSES
