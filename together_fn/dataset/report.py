"""The checker's answer: every problem found, with its line, a stable code and a message."""

from __future__ import annotations

import heapq
from typing import Literal

import attrs

from together_fn.dataset.limits import MAX_PROBLEMS

Severity = Literal["error", "warning"]


@attrs.frozen(kw_only=True)
class Problem:
    """One finding. ``line`` is 1-based (a row for Parquet), ``None`` for the whole file."""

    line: int | None
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        return f"{where}: {self.severity} [{self.code}] {self.message}"


@attrs.frozen(kw_only=True)
class CheckReport:
    """Outcome of checking one dataset file.

    ``ok`` is true when there is no error (warnings alone do not fail a file). ``problems`` keeps
    at most ``MAX_PROBLEMS`` findings in line order; ``problem_count`` counts all of them.
    ``format`` is the detected dataset format (``general``, ``conversation``, ``instruction``,
    ``preference``, ``pretokenized``...) or ``None`` when it could not be told.
    """

    ok: bool
    purpose: str
    file_type: str
    format: str | None = None
    num_samples: int = 0
    size_bytes: int | None = None
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0
    error_count: int = 0

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The kept problems that fail the file."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The kept problems that do not fail the file."""
        return tuple(p for p in self.problems if p.severity == "warning")


def describe(report: CheckReport) -> str:
    """A human-readable summary: one headline, then one line per kept problem."""
    kind = report.file_type + (f" ({report.format})" if report.format else "")
    verdict = "passed" if report.ok else "failed"
    head = f"Check {verdict}: {kind}, {report.num_samples} samples, purpose {report.purpose}"
    lines = [head, *(str(p) for p in report.problems)]
    hidden = report.problem_count - len(report.problems)
    if hidden > 0:
        lines.append(f"... and {hidden} more problems")
    return "\n".join(lines)


class ProblemLog:
    """Collects problems in constant memory: keeps the ``cap`` earliest lines, counts them all.

    Whole-file problems (``line is None``; only a few exist) are always kept. This is the
    checkers' private accumulator, not a value: it is mutated while a file is read.
    """

    __slots__ = ("_heap", "_seq", "cap", "count", "errors", "file_wide")

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        if cap < 0:
            raise ValueError(f"cap must be >= 0, got {cap}")
        self.cap = cap
        self.count = 0
        self.errors = 0
        self.file_wide: list[Problem] = []
        # A max-heap on (line, arrival) through negated keys: its top is the first to drop.
        self._heap: list[tuple[int, int, Problem]] = []
        self._seq = 0

    def add(self, line: int | None, code: str, message: str, severity: Severity = "error") -> None:
        """Record one problem."""
        self.count += 1
        if severity == "error":
            self.errors += 1
        problem = Problem(line=line, code=code, message=message, severity=severity)
        if line is None:
            self.file_wide.append(problem)
            return
        self._seq += 1
        entry = (-line, -self._seq, problem)
        if len(self._heap) < self.cap:
            heapq.heappush(self._heap, entry)
        elif self._heap and entry > self._heap[0]:
            heapq.heapreplace(self._heap, entry)

    def sorted_problems(self) -> tuple[Problem, ...]:
        """Kept problems in line order, stable within a line, whole-file problems last."""
        ordered = sorted(self._heap, reverse=True)
        return (*(problem for _, _, problem in ordered), *self.file_wide)
