"""Reading ``x-ratelimit-*`` headers."""

from __future__ import annotations

import pytest
from returns.result import Success

from together_fn.calls import Exchange, RateLimit, rate_limit_of
from together_fn.http import HttpResponseHead


def test_every_rate_limit_header_is_read() -> None:
    headers = (
        ("content-type", "application/json"),
        ("x-ratelimit-limit", "600"),
        ("x-ratelimit-remaining", "599"),
        ("x-ratelimit-reset", "1.5"),
        ("x-ratelimit-limit-tokens", "180000"),
        ("x-ratelimit-remaining-tokens", "179000.0"),
    )
    assert rate_limit_of(headers) == RateLimit(
        limit=600, remaining=599, reset=1.5, limit_tokens=180000, remaining_tokens=179000
    )


def test_no_rate_limit_headers_read_as_unknown() -> None:
    assert rate_limit_of((("x-ratelimit", "false"), ("date", "today"))) == RateLimit()
    assert rate_limit_of(()) == RateLimit()


def test_the_last_of_repeated_headers_wins() -> None:
    headers = (("x-ratelimit-remaining", "5"), ("x-ratelimit-remaining", "4"))
    assert rate_limit_of(headers).remaining == 4


@pytest.mark.parametrize("value", ["", "soon", "inf", "-inf", "nan", "1e999"])
def test_values_that_are_not_finite_numbers_read_as_unknown(value: str) -> None:
    headers = (("x-ratelimit-remaining", value), ("x-ratelimit-limit", "10"))
    assert rate_limit_of(headers) == RateLimit(limit=10)


def test_an_exchange_reads_its_final_response() -> None:
    head = HttpResponseHead(status=200, headers=(("x-ratelimit-limit", "3"),))
    assert Exchange(result=Success(None), response=head).rate_limit == RateLimit(limit=3)
    assert Exchange(result=Success(None)).rate_limit == RateLimit()
