"""The bulk runner's files: checking the input, and reading back, cutting, compacting and
locking the output before a run appends to it.

The output is opened with ``O_APPEND`` and held under an exclusive ``flock`` for the whole
run, so two runs can never interleave lines in one file. Compaction writes a new file beside
the old one, fsyncs it and renames it over the old one: a crash leaves one or the other.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from together_fn.bulk.lines import (
    MAX_PROBLEMS,
    BulkInputError,
    InputCheck,
    Problem,
    duplicate_problems,
)
from together_fn.bulk.results import parse_result
from together_fn.bulk.resume import OutputScan, ResumePlan, keeps, plan_resume

PathLike = str | os.PathLike[str]


def check_input_file(path: PathLike) -> int:
    """Check a whole input file (two streaming reads at most); the number of requests.

    Raises :class:`BulkInputError` listing every problem with its line number.
    """
    check = InputCheck()
    with open(path, "rb") as lines:
        for data in lines:
            check.feed(data)
    colliding = check.colliding()
    duplicates: list[Problem] = []
    if colliding:
        with open(path, "rb") as lines:
            duplicates = duplicate_problems(lines, colliding)
    if check.problem_count or duplicates:
        problems = sorted([*check.problems, *duplicates], key=lambda p: p.line)
        raise BulkInputError(tuple(problems[:MAX_PROBLEMS]), check.problem_count + len(duplicates))
    return check.requests


def _lock(fd: int, path: PathLike) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no advisory locks to take
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RuntimeError(f"another bulk run is writing to {os.fspath(path)}") from None


def _open_output(path: PathLike) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    _lock(fd, path)
    return fd


def _fsync_directory(path: PathLike) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        fd = os.open(Path(path).resolve().parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _compact(path: PathLike, scan: OutputScan, retry_failed: bool) -> None:
    """Rewrite the output keeping each id's last line (minus failures to retry), atomically."""
    temporary = f"{os.fspath(path)}.compacting"
    with open(path, "rb") as source, open(temporary, "wb") as target:
        for number, data in enumerate(source, start=1):
            line = parse_result(data) if data.endswith(b"\n") else None
            if line is not None and keeps(scan, number, line, retry_failed=retry_failed):
                target.write(data)
        target.flush()
        os.fsync(target.fileno())
    os.replace(temporary, path)
    _fsync_directory(path)


def prepare_output(path: PathLike, *, retry_failed: bool) -> tuple[int, ResumePlan]:
    """Open (and lock) the output for appending after reading it back: a torn tail is cut,
    failed lines to retry and duplicates are compacted away. The descriptor and the plan."""
    fd = _open_output(path)
    try:
        scan = OutputScan()
        with open(path, "rb") as lines:
            for data in lines:
                scan.feed(data)
        plan = plan_resume(scan, retry_failed=retry_failed)
        if plan.truncate_to is not None:
            os.ftruncate(fd, plan.truncate_to)
            os.fsync(fd)
        if plan.compact:
            _compact(path, scan, retry_failed)
            os.close(fd)
            fd = _open_output(path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise
    return fd, plan


def close_output(prepared: tuple[int, ResumePlan]) -> None:
    """Close the descriptor :func:`prepare_output` opened; its lock goes with it."""
    with contextlib.suppress(OSError):
        os.close(prepared[0])
