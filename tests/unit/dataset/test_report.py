"""The report values and the bounded problem log."""

from __future__ import annotations

import pytest

from together_fn.dataset import CheckReport, Problem, describe
from together_fn.dataset.report import ProblemLog


def test_log_keeps_the_earliest_lines_and_counts_everything() -> None:
    log = ProblemLog(cap=3)
    for line in (9, 2, 7, 1, 5):
        log.add(line, "x", f"at {line}")
    log.add(None, "whole", "file-wide", "warning")
    assert [p.line for p in log.sorted_problems()] == [1, 2, 5, None]
    assert log.count == 6
    assert log.errors == 5


def test_log_is_stable_within_a_line() -> None:
    log = ProblemLog(cap=10)
    log.add(4, "b", "second")
    log.add(4, "a", "first?")
    log.add(3, "c", "third")
    assert [p.code for p in log.sorted_problems()] == ["c", "b", "a"]


def test_log_rejects_a_negative_cap() -> None:
    with pytest.raises(ValueError, match="cap"):
        ProblemLog(cap=-1)


def test_problem_str_names_the_line_and_code() -> None:
    assert str(Problem(line=3, code="invalid_json", message="bad")) == (
        "line 3: error [invalid_json] bad"
    )
    assert str(Problem(line=None, code="empty_file", message="empty", severity="warning")) == (
        "file: warning [empty_file] empty"
    )


def test_describe_summarises_and_counts_what_was_left_out() -> None:
    problems = (Problem(line=1, code="a", message="m"), Problem(line=2, code="b", message="n"))
    report = CheckReport(
        ok=False,
        purpose="fine-tune",
        file_type="jsonl",
        format="conversation",
        num_samples=5,
        problems=problems,
        problem_count=7,
        error_count=7,
    )
    text = describe(report)
    assert text.splitlines()[0] == (
        "Check failed: jsonl (conversation), 5 samples, purpose fine-tune"
    )
    assert "line 2: error [b] n" in text
    assert text.endswith("... and 5 more problems")
    assert report.errors == problems
    assert report.warnings == ()
