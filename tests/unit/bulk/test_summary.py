"""The run summary and its text."""

from __future__ import annotations

from together_fn.bulk.summary import BulkSummary, count_statuses, format_summary


def test_an_interrupted_run_says_what_remains() -> None:
    summary = BulkSummary(
        total=100,
        skipped=10,
        ok=50,
        failed=2,
        remaining=38,
        interrupted=True,
        elapsed=4.0,
        retries=3,
        rate_limited=2,
        statuses=count_statuses({500: 1, 0: 1}),
        output="out.jsonl",
    )
    assert summary.written == 52
    assert summary.throughput == 13.0
    assert not summary.complete
    text = format_summary(summary)
    assert text.splitlines()[0] == "interrupted: 52 written (50 ok, 2 failed) in 4.0s, 13.0/s"
    assert "100 requests, 10 already in out.jsonl, 38 remaining" in text
    assert "retries: 3, rate limited (429): 2" in text
    assert "failures by status: no answer: 1, 500: 1" in text
    assert "--retry-failed" in text
    assert "run the same command again" in text


def test_a_finished_run_is_complete() -> None:
    summary = BulkSummary(total=3, ok=3, elapsed=0.0, output="o")
    assert summary.complete
    assert summary.throughput == 0.0
    text = format_summary(summary)
    assert text.startswith("done: 3 written (3 ok, 0 failed)")
    assert "again" not in text
    assert "retry" not in text
