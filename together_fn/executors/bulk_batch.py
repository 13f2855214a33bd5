"""The bulk runner's other road: hand the input file to the Together Batch API.

    summary = bulk_run("questions.jsonl", "answers.jsonl", via="batch")

The input is checked as for a local run, and ids already in the output are left out (a copy
of the input without them is uploaded). Then: upload with purpose ``batch-api``, create the
batch, poll it until it finishes, download its output and error files, and append their lines
to the output in the runner's own result format: one line per ``custom_id``, never two.

A batch that outlives the wait keeps running on the server: the error names it, and
``batch_id=`` picks it up again (nothing is uploaded or created then).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from returns.result import Failure, Result, Success

from together_fn.api.batches import create_batch, retrieve_batch
from together_fn.api.files import retrieve_file_content
from together_fn.bulk.batch import parse_batch_line
from together_fn.bulk.endpoints import Endpoint
from together_fn.bulk.lines import BulkInputError, Problem, is_blank, parse_request_line
from together_fn.bulk.results import encode_result
from together_fn.bulk.summary import BulkSummary, count_statuses
from together_fn.config import ClientConfig
from together_fn.errors import TogetherError
from together_fn.executors._threads import to_thread_owned
from together_fn.executors.base import SYSTEM_CLOCK, AsyncExecutor, AsyncTransport
from together_fn.executors.bulk_files import (
    PathLike,
    check_input_file,
    close_output,
    prepare_output,
)
from together_fn.executors.download import adownload
from together_fn.executors.upload import aupload_file
from together_fn.executors.wait import await_for
from together_fn.flows import Clock
from together_fn.models.batches import BatchJob, batch_is_finished
from together_fn.wait import WaitPolicy

T = TypeVar("T")

#: Batches take minutes to hours: poll gently, for up to a day (the longest window).
BATCH_WAIT = WaitPolicy(timeout=24 * 3600.0, initial_interval=5.0, max_interval=60.0)


def _value(result: Result[T, TogetherError]) -> T:
    match result:
        case Success(value):
            return value  # type: ignore[no-any-return]
        case Failure(error):
            raise error
    raise AssertionError("unreachable")  # pragma: no cover


def _pending_input(source: PathLike, done: frozenset[str], directory: str) -> tuple[str, set[str]]:
    """The file to upload (the input itself when nothing is done yet) and the ids it holds."""
    pending: set[str] = set()
    target = os.path.join(directory, "batch-input.jsonl")
    with open(source, "rb") as lines, open(target, "wb") as copy:
        for number, data in enumerate(lines, start=1):
            if is_blank(data):
                continue
            parsed = parse_request_line(data, number)
            if isinstance(parsed, Problem):  # the file changed since it was checked
                raise BulkInputError((parsed,))
            if parsed.custom_id not in done:
                pending.add(parsed.custom_id)
                copy.write(data if data.endswith(b"\n") else data + b"\n")
    # The input itself, when it is all to be sent and named as the Files API expects.
    whole = not done and os.fspath(source).endswith(".jsonl")
    return (os.fspath(source) if whole else target), pending


def _merge(path: str, fd: int, pending: set[str], statuses: dict[int, int]) -> tuple[int, int]:
    """Append a downloaded file's lines for pending ids (each id once): (ok, failed)."""
    ok = failed = 0
    with open(path, "rb") as lines:
        for data in lines:
            line = parse_batch_line(data)
            if line is None or line.custom_id not in pending:
                continue
            pending.discard(line.custom_id)
            os.write(fd, encode_result(line))
            if line.ok:
                ok += 1
            else:
                failed += 1
                status = line.error.status if line.error and line.error.status else 0
                statuses[status] = statuses.get(status, 0) + 1
    return ok, failed


async def run_bulk_via_batch(
    input_path: PathLike,
    output_path: PathLike,
    *,
    endpoint: Endpoint,
    config: ClientConfig,
    retry_failed: bool = False,
    batch_id: str | None = None,
    completion_window: str | None = None,
    wait: WaitPolicy = BATCH_WAIT,
    on_poll: Callable[[BatchJob], object] | None = None,
    transport: AsyncTransport | None = None,
    allow_insecure_targets: bool = False,
    clock: Clock = SYSTEM_CLOCK,
    sleep: Callable[[float], Any] | None = None,
) -> BulkSummary:
    """Run the input through the Batch API and merge its answers into ``output_path``."""
    total = await asyncio.to_thread(check_input_file, input_path)
    preparing = functools.partial(prepare_output, output_path, retry_failed=retry_failed)
    fd, plan = await to_thread_owned(close_output, preparing)
    owned = transport is None
    if transport is None:
        from together_fn.executors.aiohttp_transport import AiohttpTransport

        transport = AiohttpTransport()
    executor = (
        AsyncExecutor(transport, config, clock=clock, sleep=sleep)
        if sleep is not None
        else AsyncExecutor(transport, config, clock=clock)
    )
    start = clock.monotonic()
    statuses: dict[int, int] = {}
    ok = failed = 0
    directory = Path(output_path).resolve().parent
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".bulk-batch-") as work:
            source, pending = await asyncio.to_thread(_pending_input, input_path, plan.done, work)
            skipped = total - len(pending)
            if pending:
                if batch_id is None:
                    uploaded = await aupload_file(
                        executor,
                        source,
                        purpose="batch-api",
                        check=False,
                        allow_insecure_targets=allow_insecure_targets,
                    )
                    created = await executor.aexecute(
                        create_batch(
                            _value(uploaded).id,
                            endpoint=endpoint.path,
                            completion_window=completion_window,
                        )
                    )
                    batch_id = _value(created.result).id
                    if batch_id is None:
                        raise TogetherError(message="the Batch API answered without a batch id")
                waited = await await_for(
                    executor,
                    retrieve_batch(batch_id),
                    is_done=batch_is_finished,
                    policy=wait,
                    on_poll=on_poll,
                )
                if isinstance(waited, Failure):
                    error = waited.failure()
                    raise TogetherError(
                        message=f"batch {batch_id} (pass batch_id= to pick it up again): {error}"
                    ) from error
                job = waited.unwrap()
                for file_id in (job.output_file_id, job.error_file_id):
                    if not file_id:
                        continue
                    target = os.path.join(work, f"{len(os.listdir(work))}.jsonl")
                    _value(await adownload(executor, retrieve_file_content(file_id), target))
                    got = await asyncio.to_thread(_merge, target, fd, pending, statuses)
                    ok, failed = ok + got[0], failed + got[1]
    finally:
        with contextlib.suppress(OSError):
            os.fsync(fd)
        os.close(fd)
        if owned:
            await transport.aclose()
    return BulkSummary(
        total=total,
        skipped=skipped,
        ok=ok,
        failed=failed,
        remaining=total - skipped - ok - failed,
        elapsed=clock.monotonic() - start,
        statuses=count_statuses(statuses),
        truncated_bytes=plan.torn_bytes,
        compacted=plan.compact,
        output=os.fspath(output_path),
        via="batch",
        batch_id=batch_id,
    )
