"""Retry policy as a value, and the pure decision of what to do after each attempt.

Defaults follow the official SDKs: a few retries of 408, 409, 429 and 5xx and of connection
failures, capped exponential backoff with jitter, and the server's ``Retry-After`` honoured up
to a bound. The clock and the random draw are passed in, so every decision is reproducible.
"""

from __future__ import annotations

from typing import Any

import attrs

from together_fn.errors import APIConnectionError, ResponseTooLargeError
from together_fn.http import Headers, HttpResponseHead, header

#: Statuses that blame the request: retrying cannot help, whatever the server's headers say.
NEVER_RETRIED = frozenset({400, 401, 403, 404, 422})


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value >= 0:  # also rejects NaN, which compares false
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently to retry.

    ``deadline`` bounds the whole call, every attempt and every wait included.
    ``max_retry_after`` is the longest server-requested wait we are willing to sleep; a 429
    asking for longer fails at once with :attr:`RateLimitError.retry_after` set.
    """

    max_retries: int = attrs.field(default=5, validator=_non_negative)
    initial_delay: float = attrs.field(default=0.5, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: float = attrs.field(
        default=0.25, validator=attrs.validators.and_(_non_negative, attrs.validators.le(1.0))
    )
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    retry_statuses: frozenset[int] = frozenset({408, 409, 429})
    retry_server_errors: bool = True
    retry_connection_errors: bool = True
    deadline: float | None = attrs.field(default=None, validator=_non_negative)

    def retries_status(self, status: int) -> bool:
        """Whether the policy retries a response with this status."""
        if status in NEVER_RETRIED:
            return False
        return status in self.retry_statuses or (self.retry_server_errors and status >= 500)


NO_RETRY = RetryPolicy(max_retries=0)


@attrs.frozen
class Retry:
    """Wait ``delay`` seconds, then send again."""

    delay: float


@attrs.frozen
class GiveUp:
    """Stop and report the last outcome. ``retry_after`` is the server's wait, if it gave one."""

    reason: str
    retry_after: float | None = None


Decision = Retry | GiveUp
Outcome = HttpResponseHead | APIConnectionError


def retry_after(headers: Headers, now: float) -> float | None:
    """Seconds the server asks us to wait: ``retry-after-ms``, then ``Retry-After``.

    RFC 9110 §10.2.3: ``Retry-After = HTTP-date / delay-seconds``. ``now`` is the wall clock
    (Unix seconds), used only for the date form. Unparseable values are ignored.
    """
    millis = header(headers, "retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    raw = header(headers, "retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        # Imported here: the email package is a tenth of the library's import time, and an
        # HTTP-date Retry-After is rare (datetime, likewise, is needed only for one).
        from datetime import UTC
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000" or no zone: HTTP dates are UTC, never local time
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    return seconds if seconds >= 0 else None


def backoff(policy: RetryPolicy, retries_done: int, rand: float) -> float:
    """Capped exponential backoff, shortened by up to ``jitter`` of itself."""
    base = min(policy.initial_delay * (2.0 ** min(retries_done, 62)), policy.max_delay)
    return base * (1.0 - policy.jitter * rand)


def decide(
    policy: RetryPolicy,
    *,
    retries_done: int,
    outcome: Outcome,
    retryable: bool,
    now: float,
    elapsed: float,
    rand: float,
) -> Decision:
    """What to do after an attempt that did not succeed.

    ``retryable`` is the call's own flag: a call that creates something (a fine-tune, a
    batch, an upload) is not retried once the request may have reached the server, unless
    the server says ``x-should-retry: true``.
    """
    if isinstance(outcome, APIConnectionError):
        return _decide_connection(policy, retries_done, outcome, retryable, elapsed, rand)
    return _decide_response(policy, retries_done, outcome, retryable, now, elapsed, rand)


def _decide_connection(
    policy: RetryPolicy,
    retries_done: int,
    failure: APIConnectionError,
    retryable: bool,
    elapsed: float,
    rand: float,
) -> Decision:
    if not policy.retry_connection_errors:
        return GiveUp("connection errors are not retried")
    if isinstance(failure, ResponseTooLargeError):
        return GiveUp("the response is larger than the transport accepts; it would be again")
    if not retryable and failure.request_sent:
        return GiveUp("the request may have reached the server and the call is not retryable")
    return _schedule(policy, retries_done, backoff(policy, retries_done, rand), elapsed)


def _decide_response(
    policy: RetryPolicy,
    retries_done: int,
    head: HttpResponseHead,
    retryable: bool,
    now: float,
    elapsed: float,
    rand: float,
) -> Decision:
    wait = retry_after(head.headers, now)
    if head.status in NEVER_RETRIED:
        return GiveUp(f"status {head.status} is never retried", wait)
    should = (header(head.headers, "x-should-retry") or "").strip().lower()
    if should == "false":
        return GiveUp("the server said x-should-retry: false", wait)
    if should != "true" and not (retryable and policy.retries_status(head.status)):
        return GiveUp(f"status {head.status} is not retried for this call", wait)
    if wait is not None and wait > policy.max_retry_after:
        return GiveUp(
            f"the server asked to wait {wait:g}s, more than {policy.max_retry_after:g}s", wait
        )
    delay = wait if wait is not None and wait > 0 else backoff(policy, retries_done, rand)
    decision = _schedule(policy, retries_done, delay, elapsed)
    if isinstance(decision, GiveUp):
        return attrs.evolve(decision, retry_after=wait)
    return decision


def _schedule(policy: RetryPolicy, retries_done: int, delay: float, elapsed: float) -> Decision:
    if retries_done >= policy.max_retries:
        return GiveUp(f"gave up after {retries_done} retries")
    if policy.deadline is not None and elapsed + delay >= policy.deadline:
        return GiveUp(f"waiting {delay:g}s more would pass the {policy.deadline:g}s deadline")
    return Retry(delay)
