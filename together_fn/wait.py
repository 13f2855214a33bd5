"""Waiting for a long-running job: poll a Call until its value says the job is finished.

Pure: :func:`next_poll` decides how long to wait before the next poll (or that time is up),
and :func:`wait_flow` is a flow like those of ``flows.py``: it performs each poll with the
request flow (retries included), yields :class:`~together_fn.flows.Emit` with every polled
value (for progress callbacks) and :class:`~together_fn.flows.Sleep` between polls. The
drivers in ``executors/wait.py`` perform those effects, sync and async alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any, TypeAlias, TypeVar

import attrs
from returns.result import Failure, Result, Success

from together_fn.calls import Call
from together_fn.config import ClientConfig
from together_fn.errors import TogetherError, WaitTimeoutError
from together_fn.flows import Clock, Effect, Emit, Sleep, request_flow

T = TypeVar("T")

WaitFlow: TypeAlias = Generator[Effect, Any, Result[T, TogetherError]]


def _finite_non_negative(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not 0 <= value < math.inf:  # NaN compares false too
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value}")


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be a finite number > 0, got {value}")


@attrs.frozen(kw_only=True)
class WaitPolicy:
    """How patiently to poll: intervals grow by ``multiplier`` from ``initial_interval`` up to
    ``max_interval``; ``jitter`` (0 to 1) takes up to that fraction off each interval at
    random, so that many waiters do not poll in step. ``timeout=None`` waits for ever.
    """

    timeout: float | None = attrs.field(default=3600.0, validator=_finite_non_negative)
    initial_interval: float = attrs.field(default=1.0, validator=_positive)
    multiplier: float = attrs.field(default=1.5, validator=_positive)
    max_interval: float = attrs.field(default=30.0, validator=_positive)
    jitter: float = attrs.field(
        default=0.1, validator=attrs.validators.and_(_finite_non_negative, attrs.validators.le(1.0))
    )

    def __attrs_post_init__(self) -> None:
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")
        if self.max_interval < self.initial_interval:
            raise ValueError("max_interval must not be shorter than initial_interval")


DEFAULT_WAIT = WaitPolicy()


@attrs.frozen
class TimedOut:
    """The policy's timeout has passed: stop polling."""

    elapsed: float


def next_poll(
    policy: WaitPolicy, *, attempt: int, started: float, now: float, rand: float
) -> Sleep | TimedOut:
    """What to do after poll number ``attempt`` (0 for the first) found the job unfinished.

    The last sleep is cut short so that one final poll happens at the timeout itself.
    """
    elapsed = now - started
    if policy.timeout is not None and elapsed >= policy.timeout:
        return TimedOut(elapsed)
    # min() before the power would overflow; the exponent is bounded by reaching the cap.
    base = policy.initial_interval
    for _ in range(attempt):
        base *= policy.multiplier
        if base >= policy.max_interval:
            break
    delay = min(base, policy.max_interval) * (1.0 - policy.jitter * rand)
    if policy.timeout is not None:
        delay = min(delay, policy.timeout - elapsed)
    return Sleep(delay)


def read_status(value: object) -> str | None:
    """The ``status`` (or, for endpoints, ``state``) of a polled value, if it has one."""
    for name in ("status", "state"):
        found = getattr(value, name, None)
        if found is not None:
            return str(found)
    return None


def wait_flow(
    call: Call[T],
    config: ClientConfig,
    clock: Clock,
    *,
    is_done: Callable[[T], bool],
    policy: WaitPolicy = DEFAULT_WAIT,
    status_of: Callable[[T], str | None] = read_status,
) -> WaitFlow[T]:
    """Poll ``call`` until ``is_done(value)``; emit every polled value.

    A failed poll (after the config's retries) ends the wait with that failure; running out
    of time ends it with :class:`~together_fn.errors.WaitTimeoutError`.
    """
    started = clock.monotonic()
    polls = 0
    while True:
        exchange = yield from request_flow(call, config, clock)
        polls += 1
        match exchange.result:
            case Success(value):
                polled: T = value
            case failed:
                return failed
        yield Emit(polled)
        if is_done(polled):
            return Success(polled)
        decision = next_poll(
            policy, attempt=polls - 1, started=started, now=clock.monotonic(), rand=clock.random()
        )
        if isinstance(decision, TimedOut):
            status = status_of(polled)
            return Failure(
                WaitTimeoutError(
                    message=(
                        f"still unfinished after {decision.elapsed:.1f}s and {polls} polls "
                        f"(last status: {status})"
                    ),
                    last_status=status,
                    polls=polls,
                    elapsed=decision.elapsed,
                )
            )
        yield decision
