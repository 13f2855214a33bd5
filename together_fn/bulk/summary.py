"""The summary of a bulk run: counts, not results (those are in the output file)."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class BulkSummary:
    """How a run went.

    ``total`` requests in the input; ``skipped`` were already in the output; ``ok`` and
    ``failed`` were written by this run; ``remaining`` still have no line (non-zero only when
    the run was interrupted). ``retries`` counts attempts beyond the first, ``rate_limited``
    the 429s seen, ``statuses`` the final HTTP status of every failure (``0``: no answer).
    """

    total: int = 0
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    remaining: int = 0
    retries: int = 0
    rate_limited: int = 0
    interrupted: bool = False
    elapsed: float = 0.0
    statuses: tuple[tuple[int, int], ...] = ()
    truncated_bytes: int = 0
    compacted: bool = False
    output: str = ""
    via: str = "local"
    batch_id: str | None = None

    @property
    def written(self) -> int:
        """Lines this run appended."""
        return self.ok + self.failed

    @property
    def throughput(self) -> float:
        """Lines written per second."""
        return self.written / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def complete(self) -> bool:
        """Whether every request of the input now has a line."""
        return self.remaining == 0 and not self.interrupted


def count_statuses(counts: dict[int, int]) -> tuple[tuple[int, int], ...]:
    """Failure statuses as sorted pairs (a value, comparable in tests)."""
    return tuple(sorted(counts.items()))


def format_summary(summary: BulkSummary) -> str:
    """A few lines for a person: what happened and what is left."""
    head = "interrupted" if summary.interrupted else "done"
    lines = [
        f"{head}: {summary.written} written ({summary.ok} ok, {summary.failed} failed) "
        f"in {summary.elapsed:.1f}s, {summary.throughput:.1f}/s",
        f"input: {summary.total} requests, {summary.skipped} already in {summary.output}, "
        f"{summary.remaining} remaining",
    ]
    if summary.retries or summary.rate_limited:
        lines.append(f"retries: {summary.retries}, rate limited (429): {summary.rate_limited}")
    if summary.statuses:
        shown = ", ".join(f"{status or 'no answer'}: {n}" for status, n in summary.statuses)
        lines.append(f"failures by status: {shown}")
    if summary.truncated_bytes:
        lines.append(f"cut a torn last line of {summary.truncated_bytes} bytes from the output")
    if summary.failed:
        lines.append("failed requests can be retried with retry_failed (--retry-failed)")
    if summary.remaining:
        lines.append("run the same command again to send the remaining requests")
    return "\n".join(lines)
