"""The client-side rate governor: a value, and pure decisions over it.

Two token buckets, one for requests per minute and one for tokens per minute, each
refilled continuously at ``factor`` times its configured rate. Every send first *reserves*
a request and its estimated tokens (the levels may go below zero: that debt is what makes
the next sender wait its turn) and sleeps the delay it is given. What the server says then
corrects the state:

* a 429 halves ``factor`` (down to ``min_factor``) and pauses every sender for the
  server's ``Retry-After``, or an exponential backoff when it gives none;
* ``x-ratelimit-remaining`` (or ``-remaining-tokens``) near zero pauses every sender until
  ``x-ratelimit-reset``, so the limit is spent without being hit;
* ``usage.total_tokens`` of an answer replaces the estimate in the token bucket;
* while nothing goes wrong, ``factor`` grows back by ``recovery`` per second, to 1.

Time is passed in (``now``, monotonic seconds), so every decision is reproducible. Without
``rpm`` and ``tpm`` there are no buckets: the governor only pauses on 429s and exhausted
limits, and concurrency alone sets the pace.
"""

from __future__ import annotations

from typing import Any, cast

import attrs

from together_fn.calls import RateLimit


def _positive_or_none(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


@attrs.frozen(kw_only=True)
class GovernorSettings:
    """The configured ceilings and how the governor adapts below them."""

    rpm: float | None = attrs.field(default=None, validator=_positive_or_none)
    tpm: float | None = attrs.field(default=None, validator=_positive_or_none)
    #: Seconds of the rate a full bucket holds: the largest burst after an idle spell.
    burst: float = 1.0
    min_factor: float = 0.05
    decrease: float = 0.5
    #: How much of the configured rate comes back per second without trouble.
    recovery: float = 0.05
    #: ``remaining`` at or below this share of ``limit`` counts as spent (for requests, at
    #: most one request).
    low_remaining: float = 0.01
    first_backoff: float = 1.0
    max_pause: float = 60.0


@attrs.frozen(kw_only=True)
class Governor:
    """The governor's state. ``requests`` and ``tokens`` are bucket levels (negative: debt)."""

    settings: GovernorSettings
    at: float
    requests: float = 0.0
    tokens: float = 0.0
    factor: float = 1.0
    paused_until: float = 0.0
    strikes: int = 0
    limited: int = 0

    @property
    def request_rate(self) -> float | None:
        """Requests per second allowed now."""
        rpm = self.settings.rpm
        return rpm / 60.0 * self.factor if rpm is not None else None

    @property
    def token_rate(self) -> float | None:
        """Tokens per second allowed now."""
        tpm = self.settings.tpm
        return tpm / 60.0 * self.factor if tpm is not None else None


def _capacity(per_minute: float | None, settings: GovernorSettings) -> float:
    return max(1.0, per_minute / 60.0 * settings.burst) if per_minute is not None else 0.0


def new_governor(settings: GovernorSettings, now: float) -> Governor:
    """A governor with full buckets."""
    return Governor(
        settings=settings,
        at=now,
        requests=_capacity(settings.rpm, settings),
        tokens=_capacity(settings.tpm, settings),
    )


def refill(governor: Governor, now: float) -> Governor:
    """The state at ``now``: buckets refilled and ``factor`` recovered, for the time since
    the last update that was not spent paused."""
    # Time spent paused neither refills the buckets nor restores the rate: senders held
    # by a pause go one after another when it ends, not all at once.
    settings = governor.settings
    if settings.rpm is None and settings.tpm is None and governor.factor == 1.0:
        return governor  # nothing to refill or restore: the common case, kept cheap
    elapsed = max(0.0, now - max(governor.at, governor.paused_until))
    if elapsed == 0:
        return attrs.evolve(governor, at=max(governor.at, now))
    factor = min(1.0, governor.factor + settings.recovery * elapsed)
    requests, tokens = governor.requests, governor.tokens
    if settings.rpm is not None:
        rate = settings.rpm / 60.0 * governor.factor
        requests = min(_capacity(settings.rpm, settings), requests + rate * elapsed)
    if settings.tpm is not None:
        rate = settings.tpm / 60.0 * governor.factor
        tokens = min(_capacity(settings.tpm, settings), tokens + rate * elapsed)
    return attrs.evolve(governor, at=now, requests=requests, tokens=tokens, factor=factor)


def _wait_for(level: float, need: float, rate: float | None) -> float:
    if rate is None or level >= need:
        return 0.0
    return (need - level) / rate


def reserve(governor: Governor, tokens: int, now: float) -> tuple[Governor, float]:
    """Take one request and ``tokens`` estimated tokens: the new state, and how long to
    wait before sending. A request larger than a full bucket waits for a full bucket."""
    settings = governor.settings
    if settings.rpm is None and settings.tpm is None:
        return governor, max(0.0, governor.paused_until - now)
    state = refill(governor, now)
    need_tokens = min(float(tokens), _capacity(settings.tpm, settings))
    delay = max(0.0, state.paused_until - now) + max(
        _wait_for(state.requests, 1.0, state.request_rate),
        _wait_for(state.tokens, need_tokens, state.token_rate),
    )
    return (
        attrs.evolve(
            state,
            requests=state.requests - 1.0 if settings.rpm is not None else 0.0,
            tokens=state.tokens - tokens if settings.tpm is not None else 0.0,
        ),
        delay,
    )


def _spent(remaining: int | None, limit: int | None, share: float, cap: float) -> bool:
    if remaining is None:
        return False
    floor = min(cap, share * limit) if limit else 0.0
    return remaining <= floor


def observe(
    governor: Governor,
    *,
    status: int | None,
    rate_limit: RateLimit,
    retry_after: float | None,
    now: float,
) -> Governor:
    """Learn from one response (``status=None``: no response arrived)."""
    state = refill(governor, now)
    settings = state.settings
    if status == 429:
        strikes = state.strikes + 1
        backoff = settings.first_backoff * 2.0 ** min(strikes - 1, 16)
        pause = min(settings.max_pause, retry_after if retry_after is not None else backoff)
        return attrs.evolve(
            state,
            factor=max(settings.min_factor, state.factor * settings.decrease),
            paused_until=max(state.paused_until, now + pause),
            strikes=strikes,
            limited=state.limited + 1,
            # What the buckets held was evidently too much: no burst after the pause.
            requests=min(state.requests, 0.0),
            tokens=min(state.tokens, 0.0),
        )
    if status is None:
        return state
    if state.strikes:
        state = attrs.evolve(state, strikes=0)
    if spent_budget(rate_limit, settings):  # and so a reset is given
        until = now + min(settings.max_pause, cast(float, rate_limit.reset))
        state = attrs.evolve(state, paused_until=max(state.paused_until, until))
    return state


def spent_budget(rate_limit: RateLimit, settings: GovernorSettings) -> bool:
    """Whether the headers say the budget is spent until a reset they give: a pause is due.
    (Any other successful answer teaches the governor nothing.)"""
    if rate_limit.reset is None or rate_limit.reset <= 0:
        return False
    share = settings.low_remaining
    # One request left is spent; for tokens, a share of the limit is (a request needs many).
    return _spent(rate_limit.remaining, rate_limit.limit, share, 1.0) or _spent(
        rate_limit.remaining_tokens, rate_limit.limit_tokens, share, float("inf")
    )


def correct_tokens(governor: Governor, *, estimated: int, actual: int | None) -> Governor:
    """Replace an estimate by what the answer says it used (or refund it: ``actual=0``)."""
    if actual is None or governor.settings.tpm is None:
        return governor
    return attrs.evolve(governor, tokens=governor.tokens + estimated - actual)
