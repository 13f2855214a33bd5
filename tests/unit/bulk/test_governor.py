"""The rate governor's decisions, with time passed in by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from together_fn.bulk.governor import (
    Governor,
    GovernorSettings,
    correct_tokens,
    new_governor,
    observe,
    reserve,
)
from together_fn.calls import RateLimit

NO_LIMITS = RateLimit()


def reserve_many(governor: Governor, count: int, now: float, tokens: int = 0) -> list[float]:
    delays = []
    for _ in range(count):
        governor, delay = reserve(governor, tokens, now)
        delays.append(delay)
    return delays


def test_requests_per_minute_space_the_sends_after_a_burst() -> None:
    governor = new_governor(GovernorSettings(rpm=120), now=0.0)  # 2/s, a burst of 2
    assert reserve_many(governor, 6, now=0.0) == [0.0, 0.0, 0.5, 1.0, 1.5, 2.0]


def test_the_bucket_refills_with_time_up_to_its_burst() -> None:
    governor = new_governor(GovernorSettings(rpm=120), now=0.0)
    for _ in range(2):
        governor, _ = reserve(governor, 0, 0.0)
    assert reserve_many(governor, 3, now=0.5) == [0.0, 0.5, 1.0]
    assert reserve_many(governor, 4, now=100.0) == [0.0, 0.0, 0.5, 1.0]


def test_tokens_per_minute_wait_for_the_estimate() -> None:
    governor = new_governor(GovernorSettings(tpm=6000), now=0.0)  # 100 tokens/s, burst 100
    assert reserve_many(governor, 3, now=0.0, tokens=50) == [0.0, 0.0, 0.5]
    # A request larger than the bucket waits for a full bucket, then goes into debt.
    governor = new_governor(GovernorSettings(tpm=6000), now=0.0)
    assert reserve_many(governor, 2, now=0.0, tokens=300) == [0.0, 3.0]


def test_the_slower_of_both_limits_decides() -> None:
    governor = new_governor(GovernorSettings(rpm=6000, tpm=600), now=0.0)
    assert reserve_many(governor, 3, now=0.0, tokens=10) == [0.0, 1.0, 2.0]


def test_a_429_halves_the_rate_and_pauses_for_retry_after() -> None:
    governor = new_governor(GovernorSettings(rpm=120), now=0.0)
    governor, _ = reserve(governor, 0, 0.0)
    governor = observe(governor, status=429, rate_limit=NO_LIMITS, retry_after=3.0, now=0.0)
    assert (governor.factor, governor.paused_until, governor.limited) == (0.5, 3.0, 1)
    # After the pause, one request a second (half of two), no burst.
    assert reserve_many(governor, 3, now=1.0) == [3.0, 4.0, 5.0]


def test_repeated_429s_without_retry_after_back_off_exponentially() -> None:
    settings = GovernorSettings(first_backoff=1.0, max_pause=5.0, min_factor=0.1)
    governor = new_governor(settings, now=0.0)
    pauses = []
    for _ in range(5):
        governor = observe(governor, status=429, rate_limit=NO_LIMITS, retry_after=None, now=0.0)
        pauses.append(governor.paused_until)
    assert pauses == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert governor.factor == pytest.approx(0.1)
    assert governor.strikes == 5
    governor = observe(governor, status=200, rate_limit=NO_LIMITS, retry_after=None, now=6.0)
    assert governor.strikes == 0


def test_the_rate_recovers_gradually_after_the_pause() -> None:
    governor = new_governor(GovernorSettings(rpm=60, recovery=0.1), now=0.0)
    governor = observe(governor, status=429, rate_limit=NO_LIMITS, retry_after=2.0, now=0.0)
    assert reserve(governor, 0, 1.0)[0].factor == 0.5  # paused: no recovery yet
    assert reserve(governor, 0, 4.0)[0].factor == pytest.approx(0.7)
    assert reserve(governor, 0, 100.0)[0].factor == 1.0


def test_without_ceilings_only_pauses_hold_requests_back() -> None:
    governor = new_governor(GovernorSettings(), now=0.0)
    assert reserve_many(governor, 100, now=0.0, tokens=10**6) == [0.0] * 100
    governor = observe(governor, status=429, rate_limit=NO_LIMITS, retry_after=0.5, now=0.0)
    assert reserve_many(governor, 3, now=0.25) == [0.25, 0.25, 0.25]


@pytest.mark.parametrize(
    "limits",
    [
        RateLimit(limit=100, remaining=0, reset=4.0),
        RateLimit(limit=100, remaining=1, reset=4.0),
        RateLimit(limit_tokens=10_000, remaining_tokens=50, reset=4.0),
    ],
)
def test_a_spent_limit_pauses_until_its_reset(limits: RateLimit) -> None:
    governor = new_governor(GovernorSettings(), now=10.0)
    governor = observe(governor, status=200, rate_limit=limits, retry_after=None, now=10.0)
    assert governor.paused_until == 14.0
    assert governor.factor == 1.0


@pytest.mark.parametrize(
    "limits",
    [
        RateLimit(limit=100, remaining=2, reset=4.0),
        RateLimit(limit=100, remaining=0, reset=None),
        RateLimit(remaining=None, reset=4.0),
        RateLimit(limit=600, remaining=700, reset=1.0),
    ],
)
def test_a_limit_not_spent_does_not_pause(limits: RateLimit) -> None:
    governor = new_governor(GovernorSettings(), now=10.0)
    governor = observe(governor, status=200, rate_limit=limits, retry_after=None, now=10.0)
    assert governor.paused_until == 0.0


def test_a_connection_failure_changes_nothing() -> None:
    governor = new_governor(GovernorSettings(rpm=60), now=0.0)
    assert observe(governor, status=None, rate_limit=NO_LIMITS, retry_after=None, now=0.0) == (
        governor
    )


def test_actual_usage_replaces_the_estimate() -> None:
    governor = new_governor(GovernorSettings(tpm=600), now=0.0)  # burst of 10 tokens
    governor, _ = reserve(governor, 10, 0.0)
    assert correct_tokens(governor, estimated=10, actual=4).tokens == 6
    assert correct_tokens(governor, estimated=10, actual=None) == governor
    untracked = new_governor(GovernorSettings(), now=0.0)
    assert correct_tokens(untracked, estimated=10, actual=0) == untracked


@pytest.mark.parametrize("value", [0, -1.0])
def test_ceilings_must_be_positive(value: float) -> None:
    with pytest.raises(ValueError, match="rpm"):
        GovernorSettings(rpm=value)


@given(
    rpm=st.integers(min_value=1, max_value=100_000),
    gaps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=60),
)
def test_sends_never_outrun_the_bucket(rpm: int, gaps: list[float]) -> None:
    """However requests arrive, n sends span at least (n - burst) / rate seconds."""
    settings = GovernorSettings(rpm=rpm)
    governor = new_governor(settings, now=0.0)
    now, sends = 0.0, []
    for gap in gaps:
        now += gap
        governor, delay = reserve(governor, 0, now)
        sends.append(now + delay)
    rate = rpm / 60.0
    burst = max(1.0, rate)
    for i in range(len(sends)):
        for j in range(i, len(sends)):
            assert sends[j] - sends[i] >= (j - i + 1 - burst) / rate - 1e-6
