"""Line-level handling of JSONL: parsing, encodings, blank lines, numbering, caps, purposes."""

from __future__ import annotations

import pytest

from tests.unit.dataset.helpers import GOOD_CHAT, check, codes, encode
from together_fn.dataset import MIN_SAMPLES, JsonlChecker


def test_a_valid_file_passes_with_its_format_and_count() -> None:
    report = check(GOOD_CHAT, GOOD_CHAT, GOOD_CHAT)
    assert report.ok
    assert report.problems == ()
    assert report.format == "conversation"
    assert report.num_samples == 3
    assert report.file_type == "jsonl"


def test_every_bad_line_is_reported_with_its_number_not_just_the_first() -> None:
    report = check(GOOD_CHAT, b"{not json\n", GOOD_CHAT, b"[1, 2]\n", b"null\n", GOOD_CHAT)
    assert codes(report) == [(2, "invalid_json"), (4, "not_an_object"), (5, "not_an_object")]
    assert not report.ok
    assert report.problem_count == 3
    assert "column 2" in report.problems[0].message
    assert "got list" in report.problems[1].message
    assert "got null" in report.problems[2].message


def test_json_nested_too_deeply_or_with_huge_numbers_is_invalid_not_a_crash() -> None:
    report = check(GOOD_CHAT, b"[" * 100_000 + b"]" * 100_000 + b"\n", b"1" * 5000 + b"\n")
    assert codes(report) == [(2, "invalid_json"), (3, "invalid_json")]
    assert "nested too deeply" in report.problems[0].message


def test_non_utf8_bytes_are_reported_with_their_line_and_position() -> None:
    report = check(GOOD_CHAT, b'{"text": "caf\xe9"}\n', GOOD_CHAT)
    assert codes(report) == [(2, "not_utf8")]
    assert "byte 14" in report.problems[0].message


def test_a_utf8_bom_is_a_warning_and_the_line_is_still_checked() -> None:
    report = check(b"\xef\xbb\xbf" + encode(GOOD_CHAT), GOOD_CHAT)
    assert codes(report) == [(1, "bom")]
    assert report.problems[0].severity == "warning"
    assert report.ok
    assert report.num_samples == 2
    bad = check(b"\xef\xbb\xbf" + encode({"messages": []}))
    assert codes(bad) == [(1, "bom"), (1, "messages_empty")]


def test_a_bom_after_the_first_line_is_invalid_json() -> None:
    assert codes(check(GOOD_CHAT, b"\xef\xbb\xbf" + encode(GOOD_CHAT))) == [(2, "invalid_json")]


def test_blank_lines_inside_are_warnings_and_trailing_ones_are_ignored() -> None:
    report = check(GOOD_CHAT, b"\n", b"   \r\n", GOOD_CHAT, b"\n", b"\n")
    assert codes(report) == [(2, "blank_line"), (3, "blank_line")]
    assert all(p.severity == "warning" for p in report.problems)
    assert report.ok
    assert report.num_samples == 2


def test_leading_blank_lines_are_warnings() -> None:
    assert codes(check(b"\n", GOOD_CHAT)) == [(1, "blank_line")]


def test_a_last_line_without_newline_is_a_normal_line() -> None:
    checker = JsonlChecker(purpose="fine-tune", min_samples=1)
    checker.feed_lines([encode(GOOD_CHAT), encode(GOOD_CHAT).rstrip(b"\n")])
    report = checker.finish()
    assert report.ok
    assert report.num_samples == 2


def test_crlf_line_endings_are_fine() -> None:
    assert check(encode(GOOD_CHAT).replace(b"\n", b"\r\n")).ok


def test_problems_are_capped_but_all_counted() -> None:
    report = check(*([b"{\n"] * 30), GOOD_CHAT, max_problems=10)
    assert len(report.problems) == 10
    assert [p.line for p in report.problems] == list(range(1, 11))
    assert report.problem_count == 30
    assert report.error_count == 30


def test_the_cap_keeps_the_earliest_lines_even_when_warnings_come_late() -> None:
    # Blank-line warnings are settled at the end, yet line 1 still comes first.
    report = check(b"\n", *([b"{\n"] * 5), GOOD_CHAT, max_problems=3)
    assert [p.line for p in report.problems] == [1, 2, 3]
    assert report.problem_count == 6


def test_whole_file_problems_survive_the_cap() -> None:
    report = check(*([b"{\n"] * 5), max_problems=2, min_samples=10)
    assert codes(report)[-1] == (None, "too_few_samples")
    assert len(report.problems) == 3


def test_feed_lines_numbers_from_first_and_returns_the_next_number() -> None:
    checker = JsonlChecker(purpose="fine-tune", min_samples=1)
    assert checker.feed_lines([encode(GOOD_CHAT), b"{\n"], first=10) == 12
    checker.feed_line(12, b"[]\n")
    assert codes(checker.finish()) == [(11, "invalid_json"), (12, "not_an_object")]


def test_fine_tuning_needs_the_minimum_number_of_samples() -> None:
    checker = JsonlChecker(purpose="fine-tune")
    assert checker.min_samples == MIN_SAMPLES
    checker.feed_lines([encode(GOOD_CHAT)] * (MIN_SAMPLES - 1))
    report = checker.finish()
    assert codes(report) == [(None, "too_few_samples")]
    assert f"at least {MIN_SAMPLES}" in report.problems[0].message
    enough = JsonlChecker(purpose="fine-tune")
    enough.feed_lines([encode(GOOD_CHAT)] * MIN_SAMPLES)
    assert enough.finish().ok


def test_an_empty_file_is_one_clear_problem() -> None:
    report = JsonlChecker(purpose="fine-tune").finish(size_bytes=0)
    assert codes(report) == [(None, "empty_file")]


def test_a_file_above_the_size_limit_is_rejected_for_fine_tuning() -> None:
    from together_fn.dataset import MAX_FILE_SIZE_BYTES

    checker = JsonlChecker(purpose="fine-tune", min_samples=1)
    checker.feed_line(1, encode(GOOD_CHAT))
    assert checker.finish(size_bytes=MAX_FILE_SIZE_BYTES).ok
    checker = JsonlChecker(purpose="fine-tune", min_samples=1)
    checker.feed_line(1, encode(GOOD_CHAT))
    report = checker.finish(size_bytes=MAX_FILE_SIZE_BYTES + 1)
    assert codes(report) == [(None, "file_too_large")]
    assert "50.1 GB" in report.problems[0].message


def test_eval_files_only_need_one_object_per_line() -> None:
    report = check({"anything": 1}, {"question": "q", "answer": "a"}, purpose="eval")
    assert report.ok
    assert report.format is None
    assert codes(check({"a": 1}, b"[1]\n", purpose="eval")) == [(2, "not_an_object")]


def test_batch_requests_need_a_custom_id_and_a_body() -> None:
    good = {"custom_id": "r1", "body": {"model": "m", "messages": []}}
    assert check(good, purpose="batch-api").ok
    report = check(good, {"custom_id": 3}, purpose="batch-api")
    assert codes(report) == [(2, "batch_custom_id"), (2, "batch_body")]


def test_an_unknown_purpose_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="unknown purpose 'training'"):
        JsonlChecker(purpose="training")
