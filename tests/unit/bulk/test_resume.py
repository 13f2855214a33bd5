"""Resuming from the output: what is done, what is cut, what is compacted."""

from __future__ import annotations

import pytest

from together_fn.bulk.results import ResultError, ResultLine, encode_result, parse_result
from together_fn.bulk.resume import CorruptOutputError, OutputScan, keeps, plan_resume


def ok(custom_id: str) -> bytes:
    return encode_result(ResultLine(custom_id=custom_id, status="ok", response={"n": custom_id}))


def failed(custom_id: str) -> bytes:
    return encode_result(
        ResultLine(custom_id=custom_id, status="error", error=ResultError(message="x"))
    )


def parsed(data: bytes) -> ResultLine:
    line = parse_result(data)
    assert line is not None
    return line


def scan(*lines: bytes) -> OutputScan:
    state = OutputScan()
    for data in lines:
        state.feed(data)
    return state


def test_an_empty_output_has_nothing_done() -> None:
    plan = plan_resume(scan(), retry_failed=False)
    assert (plan.done, plan.truncate_to, plan.compact) == (frozenset(), None, False)


def test_answered_and_failed_ids_are_skipped() -> None:
    plan = plan_resume(scan(ok("a"), failed("b"), ok("c")), retry_failed=False)
    assert plan.done == {"a", "b", "c"}
    assert (plan.ok, plan.failed, plan.compact, plan.truncate_to) == (2, 1, False, None)


def test_retrying_failures_sends_them_again_after_compaction() -> None:
    state = scan(ok("a"), failed("b"), ok("c"))
    plan = plan_resume(state, retry_failed=True)
    assert plan.done == {"a", "c"}
    assert plan.compact
    lines = [ok("a"), failed("b"), ok("c")]
    kept = [
        n
        for n, data in enumerate(lines, start=1)
        if keeps(state, n, parsed(data), retry_failed=True)
    ]
    assert kept == [1, 3]


def test_nothing_to_retry_means_no_compaction() -> None:
    assert not plan_resume(scan(ok("a")), retry_failed=True).compact


@pytest.mark.parametrize("cut", [1, 10, -1])
def test_a_torn_last_line_is_cut_off(cut: int) -> None:
    whole = ok("a") + ok("b")
    torn = ok("c")[:cut]
    state = scan(ok("a"), ok("b"), torn)
    plan = plan_resume(state, retry_failed=False)
    assert plan.truncate_to == len(whole)
    assert plan.torn_bytes == len(torn)
    assert plan.done == {"a", "b"}
    assert state.torn


def test_a_complete_line_that_is_not_a_result_is_torn_too_if_last() -> None:
    plan = plan_resume(scan(ok("a"), b'{"custom_id": "b"}\n'), retry_failed=False)
    assert plan.truncate_to == len(ok("a"))


def test_a_broken_line_before_the_end_stops_the_resume() -> None:
    with pytest.raises(CorruptOutputError, match="line 2"):
        scan(ok("a"), b"garbage\n", ok("b"))


def test_duplicates_keep_the_newest_line() -> None:
    lines = [failed("a"), ok("b"), ok("a")]
    state = scan(*lines)
    plan = plan_resume(state, retry_failed=False)
    assert plan.compact
    assert plan.done == {"a", "b"}
    assert (plan.ok, plan.failed) == (2, 0)
    kept = [
        n
        for n, data in enumerate(lines, start=1)
        if keeps(state, n, parsed(data), retry_failed=False)
    ]
    assert kept == [2, 3]


def test_blank_lines_are_harmless() -> None:
    plan = plan_resume(scan(ok("a"), b"\n", ok("b")), retry_failed=False)
    assert plan.done == {"a", "b"}
    assert plan.truncate_to is None
