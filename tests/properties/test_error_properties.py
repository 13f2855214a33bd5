"""``classify`` and the retry decision, fuzzed: total functions with bounded output."""

from __future__ import annotations

import itertools
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from together_fn.errors import APIStatusError, classify
from together_fn.http import HttpResponse, HttpResponseHead
from together_fn.retry import GiveUp, Retry, RetryPolicy, backoff, decide, retry_after

HEADER_NAMES = st.sampled_from(
    ["retry-after", "retry-after-ms", "x-should-retry", "x-request-id", "cf-ray", "content-type"]
) | st.text(min_size=1, max_size=10)
HEADERS = st.lists(st.tuples(HEADER_NAMES, st.text(max_size=300)), max_size=6).map(tuple)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["error", "message", "type", "code", "param", "detail", "msg"])
            | st.text(max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)
BODIES = st.one_of(
    st.binary(max_size=2000),
    JSONISH.map(lambda v: json.dumps(v).encode()),
    st.just(b"[" * 100_000),
    st.text(min_size=5000, max_size=6000).map(str.encode),
)


@settings(max_examples=300)
@given(status=st.integers(-1000, 10_000), headers=HEADERS, body=BODIES)
def test_classify_never_raises_and_its_text_is_bounded(
    status: int, headers: tuple[tuple[str, str], ...], body: bytes
) -> None:
    error = classify(HttpResponse(status=status, headers=headers, body=body))
    assert isinstance(error, APIStatusError)
    assert error.status == status
    assert error.body == body
    # Message, type, code, param and request id are each capped in str(); the body never
    # shows in full, in str() or repr().
    assert len(str(error)) < 1500
    assert len(repr(error)) < 2 * len(str(error)) + 20_000
    assert body[:3000] not in repr(error).encode() or len(body) < 600


POLICIES = st.builds(
    RetryPolicy,
    max_retries=st.integers(0, 20),
    initial_delay=st.floats(0, 50),
    max_delay=st.floats(0, 100),
    jitter=st.floats(0, 1),
    max_retry_after=st.floats(0, 10_000),
)


@settings(max_examples=300)
@given(policy=POLICIES, rand=st.floats(0, 1, exclude_max=True), upto=st.integers(1, 80))
def test_backoff_is_monotone_never_negative_and_capped(
    policy: RetryPolicy, rand: float, upto: int
) -> None:
    delays = [backoff(policy, n, rand) for n in range(upto)]
    assert all(0 <= d <= policy.max_delay for d in delays)
    assert all(a <= b for a, b in itertools.pairwise(delays))


@settings(max_examples=300)
@given(headers=HEADERS, now=st.floats(-1e12, 1e12, allow_nan=False))
def test_retry_after_is_never_negative_whatever_the_headers(
    headers: tuple[tuple[str, str], ...], now: float
) -> None:
    wait = retry_after(headers, now)
    assert wait is None or (wait >= 0 and not math.isnan(wait))


@settings(max_examples=300)
@given(
    policy=POLICIES,
    status=st.integers(100, 999),
    headers=HEADERS,
    retries=st.integers(0, 30),
    retryable=st.booleans(),
    rand=st.floats(0, 1, exclude_max=True),
)
def test_a_retry_never_waits_a_negative_or_unbounded_time(
    policy: RetryPolicy,
    status: int,
    headers: tuple[tuple[str, str], ...],
    retries: int,
    retryable: bool,
    rand: float,
) -> None:
    decision = decide(
        policy,
        retries_done=retries,
        outcome=HttpResponseHead(status=status, headers=headers),
        retryable=retryable,
        now=1.7e9,
        elapsed=0.0,
        rand=rand,
    )
    assert isinstance(decision, Retry | GiveUp)
    if isinstance(decision, Retry):
        assert 0 <= decision.delay <= max(policy.max_delay, policy.max_retry_after)
        assert not math.isnan(decision.delay)
