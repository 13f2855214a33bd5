"""Retry decisions as a table: injected ``rand`` and ``now``, no clock, no sleeping."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from together_fn.errors import APIConnectionError, APITimeoutError
from together_fn.http import HttpResponseHead, to_headers
from together_fn.retry import (
    NO_RETRY,
    GiveUp,
    Retry,
    RetryPolicy,
    backoff,
    decide,
    retry_after,
)

# No jitter unless a test asks for it, so delays are exact.
POLICY = RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=8.0, jitter=0.0)
NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC).timestamp()


def head(status: int, /, **headers: str) -> HttpResponseHead:
    return HttpResponseHead(status=status, headers=to_headers(headers))


def after(
    outcome: HttpResponseHead | APIConnectionError,
    *,
    policy: RetryPolicy = POLICY,
    retries_done: int = 0,
    retryable: bool = True,
    elapsed: float = 0.0,
    rand: float = 0.0,
    now: float = NOW,
) -> Retry | GiveUp:
    return decide(
        policy,
        retries_done=retries_done,
        outcome=outcome,
        retryable=retryable,
        now=now,
        elapsed=elapsed,
        rand=rand,
    )


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 520, 599])
def test_retried_statuses(status: int) -> None:
    assert after(head(status)) == Retry(0.5)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
@pytest.mark.parametrize("should_retry", [None, "true", "TRUE"])
def test_statuses_that_blame_the_request_are_never_retried(
    status: int, should_retry: str | None
) -> None:
    headers = {"x-should-retry": should_retry} if should_retry else {}
    decision = after(head(status, **headers))
    assert isinstance(decision, GiveUp)
    assert str(status) in decision.reason


@pytest.mark.parametrize("status", [402, 405, 410, 413, 415, 418])
def test_other_client_errors_are_not_retried_by_default(status: int) -> None:
    assert isinstance(after(head(status)), GiveUp)


@pytest.mark.parametrize("value", ["true", "True", " true "])
def test_x_should_retry_true_retries_what_the_policy_would_not(value: str) -> None:
    assert after(head(418, **{"x-should-retry": value})) == Retry(0.5)
    assert after(head(500, **{"x-should-retry": value}), retryable=False) == Retry(0.5)


@pytest.mark.parametrize("value", ["false", "FALSE", "False "])
def test_x_should_retry_false_stops_a_retryable_status(value: str) -> None:
    decision = after(head(503, **{"x-should-retry": value}))
    assert isinstance(decision, GiveUp)
    assert "x-should-retry" in decision.reason


def test_unknown_x_should_retry_value_falls_back_to_the_policy() -> None:
    assert after(head(503, **{"x-should-retry": "maybe"})) == Retry(0.5)
    assert isinstance(after(head(418, **{"x-should-retry": "maybe"})), GiveUp)


def test_retry_after_seconds_is_the_delay() -> None:
    assert after(head(429, **{"retry-after": "2"})) == Retry(2.0)
    assert after(head(503, **{"retry-after": " 1.5 "})) == Retry(1.5)


def test_retry_after_ms_wins_over_retry_after() -> None:
    decision = after(head(429, **{"retry-after-ms": "250", "retry-after": "30"}))
    assert decision == Retry(0.25)


def test_invalid_retry_after_ms_falls_back_to_retry_after() -> None:
    assert after(head(429, **{"retry-after-ms": "soon", "retry-after": "3"})) == Retry(3.0)
    assert after(head(429, **{"retry-after-ms": "-5", "retry-after": "3"})) == Retry(3.0)


def test_retry_after_zero_or_garbage_uses_backoff() -> None:
    assert after(head(429, **{"retry-after": "0"}), retries_done=1) == Retry(1.0)
    assert after(head(429, **{"retry-after": "later"}), retries_done=1) == Retry(1.0)
    assert after(head(429, **{"retry-after": "-3"}), retries_done=1) == Retry(1.0)


def test_retry_after_http_date_uses_now() -> None:
    headers = to_headers({"Retry-After": "Wed, 21 Oct 2015 07:28:05 GMT"})
    assert retry_after(headers, NOW) == 5.0
    assert retry_after(headers, NOW - 60) == 65.0
    assert after(HttpResponseHead(status=503, headers=headers)) == Retry(5.0)


def test_retry_after_http_date_in_the_past_is_no_wait() -> None:
    headers = to_headers({"retry-after": "Wed, 21 Oct 2015 07:00:00 GMT"})
    assert retry_after(headers, NOW) == 0.0


@pytest.fixture
def far_from_utc() -> Iterator[None]:
    """Run in a local time zone far from UTC (and put the old one back)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("far_from_utc")
@pytest.mark.parametrize("value", ["Wed, 21 Oct 2015 07:28:05 -0000", "Wed, 21 Oct 2015 07:28:05"])
def test_retry_after_date_without_zone_is_utc_whatever_the_local_zone(value: str) -> None:
    # HTTP dates are always UTC (RFC 9110 §5.6.7); the machine's zone must not matter.
    assert retry_after(to_headers({"retry-after": value}), NOW) == 5.0


def test_retry_after_helper_is_case_insensitive_through_to_headers() -> None:
    headers = to_headers([("Retry-After", "7"), ("X-Other", "1")])
    assert retry_after(headers, NOW) == 7.0
    assert retry_after(to_headers({"RETRY-AFTER-MS": "1500"}), NOW) == 1.5
    assert retry_after((), NOW) is None


def test_retry_after_beyond_the_bound_gives_up_at_once_with_the_wait() -> None:
    decision = after(head(429, **{"retry-after": "3600"}))
    assert isinstance(decision, GiveUp)
    assert decision.retry_after == 3600.0


def test_retry_after_at_the_bound_is_honoured() -> None:
    policy = attrs.evolve(POLICY, max_retry_after=60.0)
    assert after(head(429, **{"retry-after": "60"}), policy=policy) == Retry(60.0)


def test_give_up_keeps_the_servers_wait_when_retries_run_out() -> None:
    decision = after(head(429, **{"retry-after": "2"}), retries_done=3)
    assert decision == GiveUp("gave up after 3 retries", retry_after=2.0)


def test_give_up_on_a_never_retried_status_keeps_the_wait() -> None:
    decision = after(head(400, **{"retry-after": "9"}))
    assert isinstance(decision, GiveUp)
    assert decision.retry_after == 9.0


@pytest.mark.parametrize(
    ("retries_done", "delay"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]
)
def test_backoff_doubles_and_is_capped(retries_done: int, delay: float) -> None:
    policy = attrs.evolve(POLICY, max_retries=100)
    assert after(head(503), policy=policy, retries_done=retries_done) == Retry(delay)
    assert backoff(policy, retries_done, 0.0) == delay


def test_backoff_does_not_overflow_after_many_retries() -> None:
    assert backoff(POLICY, 10_000, 0.0) == POLICY.max_delay


@pytest.mark.parametrize("rand", [0.0, 0.25, 0.5, 0.999999])
def test_jitter_shrinks_by_at_most_its_fraction(rand: float) -> None:
    policy = attrs.evolve(POLICY, jitter=0.25)
    delay = backoff(policy, 2, rand)
    assert delay == pytest.approx(2.0 * (1 - 0.25 * rand))
    assert 2.0 * 0.75 < delay <= 2.0


def test_jitter_applies_to_backoff_not_to_the_servers_wait() -> None:
    policy = attrs.evolve(POLICY, jitter=0.5)
    assert after(head(429, **{"retry-after": "2"}), policy=policy, rand=0.9) == Retry(2.0)
    assert after(head(503), policy=policy, rand=0.5) == Retry(0.375)


def test_max_retries() -> None:
    assert isinstance(after(head(503), retries_done=2), Retry)
    assert after(head(503), retries_done=3) == GiveUp("gave up after 3 retries")
    assert isinstance(after(head(503), policy=NO_RETRY), GiveUp)


def test_deadline_stops_a_wait_that_would_pass_it() -> None:
    policy = attrs.evolve(POLICY, deadline=10.0)
    assert after(head(503), policy=policy, elapsed=9.0) == Retry(0.5)
    late = after(head(503), policy=policy, elapsed=9.6)
    assert isinstance(late, GiveUp)
    assert "deadline" in late.reason
    waiting = after(head(429, **{"retry-after": "5"}), policy=policy, elapsed=6.0)
    assert isinstance(waiting, GiveUp)
    assert waiting.retry_after == 5.0
    assert "deadline" in waiting.reason


def test_non_retryable_call_is_not_retried_after_a_response() -> None:
    for status in (408, 409, 429, 500, 503):
        decision = after(head(status), retryable=False)
        assert isinstance(decision, GiveUp), status


def test_connection_error_is_retried_for_a_retryable_call() -> None:
    assert after(APIConnectionError(message="reset")) == Retry(0.5)
    assert after(APITimeoutError(message="slow"), retries_done=1) == Retry(1.0)


def test_non_retryable_call_not_retried_once_the_request_may_have_left() -> None:
    decision = after(APIConnectionError(message="reset", request_sent=True), retryable=False)
    assert isinstance(decision, GiveUp)
    assert "not retryable" in decision.reason


def test_non_retryable_call_retried_when_the_request_never_left() -> None:
    refused = APIConnectionError(message="refused", request_sent=False)
    assert after(refused, retryable=False) == Retry(0.5)
    assert isinstance(after(refused, retryable=False, retries_done=3), GiveUp)


def test_connection_errors_obey_the_policy_switch_and_the_deadline() -> None:
    off = attrs.evolve(POLICY, retry_connection_errors=False)
    assert isinstance(after(APIConnectionError(message="x"), policy=off), GiveUp)
    tight = attrs.evolve(POLICY, deadline=1.0)
    assert isinstance(after(APIConnectionError(message="x"), policy=tight, elapsed=0.9), GiveUp)


def test_server_errors_switch() -> None:
    policy = attrs.evolve(POLICY, retry_server_errors=False)
    assert isinstance(after(head(503), policy=policy), GiveUp)
    assert after(head(429), policy=policy) == Retry(0.5)
    assert policy.retries_status(429)
    assert not policy.retries_status(500)


def _only(field: str, value: float) -> dict[str, Any]:
    return {field: value}


@pytest.mark.parametrize(
    "field", ["max_retries", "initial_delay", "max_delay", "jitter", "max_retry_after", "deadline"]
)
def test_policy_rejects_negative_values(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**_only(field, -1))


@pytest.mark.parametrize("field", ["initial_delay", "max_delay", "max_retry_after", "deadline"])
def test_policy_rejects_nan(field: str) -> None:
    # A NaN delay would reach sleep() and fail there, far from the mistake.
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**_only(field, math.nan))


def test_policy_rejects_jitter_above_one() -> None:
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=1.5)


def test_policy_is_a_value() -> None:
    assert RetryPolicy() == RetryPolicy()
    assert RetryPolicy(max_retries=0) == NO_RETRY
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        POLICY.max_retries = 9  # type: ignore[misc]


_header_value = st.one_of(
    st.integers(-10, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    st.text(max_size=30),
)
_policies = st.builds(
    RetryPolicy,
    max_retries=st.integers(0, 10),
    initial_delay=st.floats(0, 100),
    max_delay=st.floats(0, 100),
    jitter=st.floats(0, 1),
    max_retry_after=st.floats(0, 1000),
    deadline=st.none() | st.floats(0, 1000),
)


@given(
    policy=_policies,
    status=st.integers(400, 599),
    headers=st.dictionaries(
        st.sampled_from(["retry-after", "retry-after-ms", "x-should-retry"]), _header_value
    ),
    retries_done=st.integers(0, 100),
    retryable=st.booleans(),
    rand=st.floats(0, 1, exclude_max=True),
    now=st.floats(0, 4e9),
    elapsed=st.floats(0, 1e4),
)
def test_delays_are_never_negative_nor_beyond_the_bounds(
    policy: RetryPolicy,
    status: int,
    headers: dict[str, str],
    retries_done: int,
    retryable: bool,
    rand: float,
    now: float,
    elapsed: float,
) -> None:
    decision = after(
        head(status, **headers),
        policy=policy,
        retries_done=retries_done,
        retryable=retryable,
        rand=rand,
        now=now,
        elapsed=elapsed,
    )
    if isinstance(decision, Retry):
        assert math.isfinite(decision.delay)
        assert 0 <= decision.delay <= max(policy.max_delay, policy.max_retry_after)
        assert retries_done < policy.max_retries
        if policy.deadline is not None:
            assert elapsed + decision.delay < policy.deadline
    else:
        assert decision.retry_after is None or decision.retry_after >= 0


@given(
    policy=_policies,
    retries_done=st.integers(0, 10**6),
    rand=st.floats(0, 1, exclude_max=True),
)
def test_backoff_stays_within_jitter_of_the_cap(
    policy: RetryPolicy, retries_done: int, rand: float
) -> None:
    delay = backoff(policy, retries_done, rand)
    assert (1 - policy.jitter) * min(policy.initial_delay, policy.max_delay) <= delay + 1e-9
    assert delay <= policy.max_delay
