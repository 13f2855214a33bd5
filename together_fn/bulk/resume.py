"""Resuming from the output file, which is the checkpoint.

Result lines are only ever appended, each by one ``write`` of a complete line, so after a
crash the file is a run of complete lines possibly followed by one torn line (the write that
was cut, or the unsynced tail after a power loss). :class:`OutputScan` reads it back: the
torn tail is cut off, the ids already answered are skipped. Failed ids are skipped too,
unless the run retries them; then their error lines are compacted away first, so that the
newer line wins and no id ever has two lines.
"""

from __future__ import annotations

import attrs

from together_fn.bulk.results import ResultLine, parse_result


class CorruptOutputError(ValueError):
    """The output file has a broken line before its end: it was not written by this runner
    (or was edited). Resuming would risk losing results, so nothing is done."""


class OutputScan:
    """Feed every line of an existing output file, in order, to :meth:`feed`."""

    def __init__(self) -> None:
        self.lines = 0
        #: Bytes of complete, valid lines: where the file is cut if its tail is torn.
        self.valid_bytes = 0
        self.torn_bytes = 0
        self.duplicates = 0
        #: custom_id -> (number of its last line, whether it succeeded)
        self.last: dict[str, tuple[int, bool]] = {}

    def feed(self, data: bytes) -> None:
        """The next line, with its newline if it has one."""
        if self.torn_bytes:
            raise CorruptOutputError(
                f"output line {self.lines} is broken but more lines follow it; refusing to resume"
            )
        self.lines += 1
        if data.endswith(b"\n") and not data.strip():
            self.valid_bytes += len(data)
            return
        parsed = parse_result(data) if data.endswith(b"\n") else None
        if parsed is None:
            self.torn_bytes = len(data)
            return
        if parsed.custom_id in self.last:
            self.duplicates += 1
        self.last[parsed.custom_id] = (self.lines, parsed.ok)
        self.valid_bytes += len(data)

    @property
    def torn(self) -> bool:
        """Whether the last line is incomplete (and will be cut off)."""
        return self.torn_bytes > 0


@attrs.frozen(kw_only=True)
class ResumePlan:
    """What a run does with an existing output before sending anything."""

    #: Ids not to send again.
    done: frozenset[str]
    #: Cut the file to this many bytes (a torn tail), or leave it.
    truncate_to: int | None = None
    #: Bytes of the torn tail cut off.
    torn_bytes: int = 0
    #: Rewrite the file keeping only :func:`keeps` lines (failed lines to retry, duplicates).
    compact: bool = False
    ok: int = 0
    failed: int = 0


def plan_resume(scan: OutputScan, *, retry_failed: bool) -> ResumePlan:
    """Which ids are done, and whether the file must be cut or compacted first."""
    ok = sum(1 for _, succeeded in scan.last.values() if succeeded)
    failed = len(scan.last) - ok
    if retry_failed:
        done = frozenset(i for i, (_, succeeded) in scan.last.items() if succeeded)
    else:
        done = frozenset(scan.last)
    return ResumePlan(
        done=done,
        truncate_to=scan.valid_bytes if scan.torn else None,
        torn_bytes=scan.torn_bytes,
        compact=scan.duplicates > 0 or (retry_failed and failed > 0),
        ok=ok,
        failed=failed,
    )


def keeps(scan: OutputScan, number: int, line: ResultLine, *, retry_failed: bool) -> bool:
    """Whether compaction keeps output line ``number``: the last line of its id, unless it
    is a failure about to be retried."""
    last = scan.last.get(line.custom_id)
    if last is None or last[0] != number:
        return False
    return line.ok or not retry_failed
