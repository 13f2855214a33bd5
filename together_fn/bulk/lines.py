"""Input lines (``{"custom_id": ..., "body": {...}}``) and the check of a whole input file.

The check is fed lines, so it reads a file of any size in one streaming pass: it keeps an
8-byte digest per ``custom_id`` (not the ids themselves), filed by its top four bits, and
only when two digests meet does a second pass over the lines tell true duplicates from
digest collisions, with the line numbers of both. Nothing is sent until the whole input is
known to be sound.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from together_fn._fast_structure import fast_constructor
from together_fn.codec import loads

#: At most this many problems are kept; the rest are only counted.
MAX_PROBLEMS = 1000


@attrs.frozen(kw_only=True)
class RequestLine:
    """One request of the input: its id, the body sent as given, and its line number."""

    custom_id: str
    body: Mapping[str, Any]
    line: int = 0


#: Made for every line read: see ``together_fn.http.new_request``.
_new_request_line = fast_constructor(RequestLine)


@attrs.frozen(kw_only=True)
class Problem:
    """Something wrong with input line ``line`` (1-based)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BulkInputError(ValueError):
    """The input has problems; nothing was sent. ``problems`` lists them with line numbers."""

    def __init__(self, problems: tuple[Problem, ...], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        shown = "\n".join(str(p) for p in problems[:20])
        more = self.total - min(len(problems), 20)
        suffix = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{self.total} problem(s) in the input:\n{shown}{suffix}")


def digest(custom_id: str) -> int:
    """A 64-bit digest of an id. Python's own string hash (SipHash), which is keyed anew in
    each process: digests are only compared within one check, whose two passes share it."""
    return hash(custom_id) & _BITS_64


_BITS_64 = (1 << 64) - 1
#: Digests are filed by their top bits, so that finding the equal ones sorts one part at a time.
_PART_SHIFT = 60


def body_problem(body: object) -> str | None:
    """Why ``body`` cannot be sent (as the Batch API would refuse it), or ``None``."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return "body.model is required (a non-empty string)"
    if body.get("stream") is True:
        return "body.stream must not be true: results are written whole"
    return None


def parse_request_line(data: bytes | str, line: int = 0) -> RequestLine | Problem:
    """Read one input line: a :class:`RequestLine`, or the :class:`Problem` with it."""
    try:
        # Without its line ending, a line is one JSON value alone: the fast case of ``loads``.
        value = loads(data.rstrip(b"\r\n") if isinstance(data, bytes) else data.rstrip("\r\n"))
    except (ValueError, RecursionError) as exc:
        return Problem(line=line, message=f"not JSON ({exc})")
    if not isinstance(value, dict):
        return Problem(line=line, message="not a JSON object")
    custom_id = value.get("custom_id")
    if custom_id is None:
        return Problem(line=line, message="custom_id is missing")
    if not isinstance(custom_id, str) or not custom_id:
        return Problem(line=line, message="custom_id must be a non-empty string")
    if "body" not in value:
        return Problem(line=line, message=f"body is missing (custom_id {custom_id!r})")
    problem = body_problem(value["body"])
    if problem is not None:
        return Problem(line=line, message=f"{problem} (custom_id {custom_id!r})")
    return _new_request_line(custom_id=custom_id, body=value["body"], line=line)


def is_blank(data: bytes | str) -> bool:
    """Blank lines (a trailing newline, say) are skipped, not reported."""
    return not data or data.isspace()  # what ``not data.strip()`` says, without a copy


class InputCheck:
    """The first pass over an input: feed it every line, in order, with :meth:`feed`."""

    def __init__(self) -> None:
        self.lines = 0
        self.requests = 0
        self.problems: list[Problem] = []
        self.problem_count = 0
        self._digests: tuple[array[int], ...] = tuple(array("Q") for _ in range(16))

    def _report(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def feed(self, data: bytes | str) -> RequestLine | None:
        """Check the next line; the request it holds, if it is sound."""
        self.lines += 1
        if is_blank(data):
            return None
        parsed = parse_request_line(data, self.lines)
        if isinstance(parsed, Problem):
            self._report(parsed)
            return None
        self.requests += 1
        found = digest(parsed.custom_id)
        self._digests[found >> _PART_SHIFT].append(found)
        return parsed

    def colliding(self) -> frozenset[int]:
        """Digests seen more than once: the ids the second pass must look at."""
        found: set[int] = set()
        # Sorted a sixteenth at a time: the temporary list stays small beside the arrays.
        for part in self._digests:
            ordered = sorted(part)
            found.update(a for a, b in itertools.pairwise(ordered) if a == b)
        return frozenset(found)


def duplicate_problems(lines: Iterable[bytes | str], colliding: frozenset[int]) -> list[Problem]:
    """The second pass: every line whose id was already used, with the first line's number."""
    if not colliding:
        return []
    first_seen: dict[str, int] = {}
    problems: list[Problem] = []
    for number, data in enumerate(lines, start=1):
        if is_blank(data):
            continue
        parsed = parse_request_line(data, number)
        if isinstance(parsed, Problem) or digest(parsed.custom_id) not in colliding:
            continue
        first = first_seen.setdefault(parsed.custom_id, number)
        if first != number:
            problems.append(
                Problem(
                    line=number,
                    message=f"custom_id {parsed.custom_id!r} already used on line {first}",
                )
            )
    return problems


def check_input(lines: Iterable[bytes | str]) -> tuple[int, tuple[Problem, ...], int]:
    """Check an in-memory input: (requests, problems kept, problem count).

    For a file, the executor runs :class:`InputCheck` and :func:`duplicate_problems` over
    two reads instead, so that the lines never all sit in memory.
    """
    kept = list(lines)
    check = InputCheck()
    for data in kept:
        check.feed(data)
    duplicates = duplicate_problems(kept, check.colliding())
    problems = sorted([*check.problems, *duplicates], key=lambda p: p.line)
    return check.requests, tuple(problems[:MAX_PROBLEMS]), check.problem_count + len(duplicates)
