"""Uploading a local file: the I/O around :func:`together_fn.transfers.upload_flow.upload_flow`.

The driver reads the file's size, time and checksum, runs the local dataset check, performs
the flow's effects over an executor's transport (parts in parallel: threads for the sync
executor, tasks for the async one) and keeps the resumable state file. The file's bytes are
streamed from disk by the transport, a chunk at a time, so memory stays bounded for any size.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TypeVar

from returns.result import Failure, Result

from together_fn.errors import TogetherError
from together_fn.executors import _upload_local as disk
from together_fn.executors.base import (
    AsyncExecutor,
    Executor,
    asend_or_failure,
    send_or_failure,
)
from together_fn.flows import Send, Sleep
from together_fn.models.files import FileResponse
from together_fn.transfers.upload import (
    MULTIPART_THRESHOLD,
    PART_SIZE,
    CompletedPart,
    LocalFile,
    UploadPart,
    UploadPlan,
    UploadState,
    progress_of,
    record_part,
)
from together_fn.transfers.upload_flow import (
    Persist,
    Report,
    RunParts,
    UploadFlow,
    part_flow,
    upload_flow,
)

R = TypeVar("R")

OnProgress = disk.OnProgress
PartOutcome = CompletedPart | TogetherError


def _flow(
    executor: Executor | AsyncExecutor,
    local: LocalFile,
    plan: UploadPlan,
    settings: disk.Settings,
    saved: UploadState | None,
) -> UploadFlow:
    return upload_flow(
        local,
        plan,
        executor.config,
        executor._clock,
        purpose=settings.purpose,
        saved=saved,
        resumable=settings.state_path is not None,
        max_parallel_parts=settings.max_parallel_parts,
        allow_insecure_targets=settings.allow_insecure_targets,
    )


# --- sync ----------------------------------------------------------------------------------


def upload_file(
    executor: Executor,
    path: str | os.PathLike[str],
    *,
    purpose: str = "fine-tune",
    check: bool = True,
    progress: OnProgress | None = None,
    tqdm: bool = False,
    state_path: str | os.PathLike[str] | None = None,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    part_size: int = PART_SIZE,
    max_parallel_parts: int = 4,
    allow_insecure_targets: bool = False,
) -> Result[FileResponse, TogetherError]:
    """Upload the file at ``path`` as the API does it; its :class:`FileResponse` or the error.

    ``check`` runs the local dataset checker first (a failure sends nothing). Files above
    ``multipart_threshold`` go up in parts of about ``part_size``, ``max_parallel_parts`` at
    a time, each retried by the executor's retry policy. With ``state_path``, progress is
    saved after every part and a failed upload is left open: running again with the same
    ``state_path`` sends only the missing parts. Without it, a failed upload is aborted.
    ``allow_insecure_targets`` lets signed URLs be plain HTTP or local (for tests only).
    """
    settings = disk.settings_of(
        purpose=purpose,
        check=check,
        state_path=state_path,
        multipart_threshold=multipart_threshold,
        part_size=part_size,
        max_parallel_parts=max_parallel_parts,
        allow_insecure_targets=allow_insecure_targets,
    )
    prepared = disk.local_file(Path(path), settings)
    if isinstance(prepared, TogetherError):
        return Failure(prepared)
    local, plan = prepared
    flow = _flow(executor, local, plan, settings, disk.read_state(settings.state_path))
    reporter = disk.Reporter(progress, tqdm, local)
    try:
        return _drive(flow, executor, settings.state_path, reporter)
    finally:
        reporter.close()


def _drive(
    flow: Generator[Any, Any, R],
    executor: Executor,
    state_path: Path | None,
    report: disk.Reporter,
) -> R:
    """Perform an upload flow's effects (or a part flow's, which only sends and sleeps)."""
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Send):
                outcome = send_or_failure(executor.transport, effect.request)
            elif isinstance(effect, Sleep):
                executor._sleep(effect.seconds)
            elif isinstance(effect, RunParts):
                outcome = _run_parts(effect, executor, state_path, report)
            elif isinstance(effect, Persist):
                disk.persist(state_path, effect.state)
            elif isinstance(effect, Report):
                report(effect.progress)
            else:  # pragma: no cover - upload flows yield nothing else
                raise TypeError(f"unexpected effect {effect!r}")
    except StopIteration as done:
        result: R = done.value
        return result


def _run_parts(
    effect: RunParts, executor: Executor, state_path: Path | None, report: disk.Reporter
) -> tuple[PartOutcome, ...]:
    """The parts, ``limit`` threads at once; after a failure, parts not started are skipped."""
    failed = threading.Event()
    state = effect.state

    def one(part: UploadPart) -> PartOutcome | None:
        if failed.is_set():
            return None
        flow = part_flow(effect.state, part, executor.config, executor._clock)
        outcome = _drive(flow, executor, state_path, report)
        if isinstance(outcome, TogetherError):
            failed.set()
        return outcome

    outcomes: list[PartOutcome] = []
    with ThreadPoolExecutor(max_workers=effect.limit, thread_name_prefix="upload") as pool:
        futures = [pool.submit(one, part) for part in effect.parts]
        try:
            # Recorded here, in one thread, so that the state file and the bar see one writer.
            for future in as_completed(futures):
                outcome = future.result()
                if outcome is None:
                    continue
                outcomes.append(outcome)
                if isinstance(outcome, CompletedPart):
                    state = record_part(state, outcome)
                    disk.persist(state_path, state)
                    report(progress_of(state, "part", outcome.part_number))
        except BaseException:
            failed.set()  # an interrupt: let running parts end, start no more
            raise
    return tuple(outcomes)


# --- async ---------------------------------------------------------------------------------


async def aupload_file(
    executor: AsyncExecutor,
    path: str | os.PathLike[str],
    *,
    purpose: str = "fine-tune",
    check: bool = True,
    progress: OnProgress | None = None,
    tqdm: bool = False,
    state_path: str | os.PathLike[str] | None = None,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    part_size: int = PART_SIZE,
    max_parallel_parts: int = 4,
    allow_insecure_targets: bool = False,
) -> Result[FileResponse, TogetherError]:
    """:func:`upload_file` over an async executor: the same steps, parts as tasks, and the
    disk work (stat, check, checksum, state file) in worker threads."""
    settings = disk.settings_of(
        purpose=purpose,
        check=check,
        state_path=state_path,
        multipart_threshold=multipart_threshold,
        part_size=part_size,
        max_parallel_parts=max_parallel_parts,
        allow_insecure_targets=allow_insecure_targets,
    )
    prepared = await asyncio.to_thread(disk.local_file, Path(path), settings)
    if isinstance(prepared, TogetherError):
        return Failure(prepared)
    local, plan = prepared
    saved = await asyncio.to_thread(disk.read_state, settings.state_path)
    flow = _flow(executor, local, plan, settings, saved)
    reporter = disk.Reporter(progress, tqdm, local)
    try:
        return await _adrive(flow, executor, settings.state_path, reporter)
    finally:
        reporter.close()


async def _adrive(
    flow: Generator[Any, Any, R],
    executor: AsyncExecutor,
    state_path: Path | None,
    report: disk.Reporter,
) -> R:
    """:func:`_drive` in an event loop."""
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Send):
                outcome = await asend_or_failure(executor.transport, effect.request)
            elif isinstance(effect, Sleep):
                await executor._sleep(effect.seconds)
            elif isinstance(effect, RunParts):
                outcome = await _arun_parts(effect, executor, state_path, report)
            elif isinstance(effect, Persist):
                await asyncio.to_thread(disk.persist, state_path, effect.state)
            elif isinstance(effect, Report):
                report(effect.progress)
            else:  # pragma: no cover - upload flows yield nothing else
                raise TypeError(f"unexpected effect {effect!r}")
    except StopIteration as done:
        result: R = done.value
        return result


async def _arun_parts(
    effect: RunParts, executor: AsyncExecutor, state_path: Path | None, report: disk.Reporter
) -> tuple[PartOutcome, ...]:
    """The parts, ``limit`` tasks at once; after a failure, parts not started are skipped."""
    gate = asyncio.Semaphore(effect.limit)
    failed = False

    async def one(part: UploadPart) -> PartOutcome | None:
        nonlocal failed
        async with gate:
            if failed:
                return None
            flow = part_flow(effect.state, part, executor.config, executor._clock)
            outcome = await _adrive(flow, executor, state_path, report)
            failed = failed or isinstance(outcome, TogetherError)
            return outcome

    state = effect.state
    outcomes: list[PartOutcome] = []
    tasks = [asyncio.ensure_future(one(part)) for part in effect.parts]
    try:
        for next_done in asyncio.as_completed(tasks):
            outcome = await next_done
            if outcome is None:
                continue
            outcomes.append(outcome)
            if isinstance(outcome, CompletedPart):
                state = record_part(state, outcome)
                await asyncio.to_thread(disk.persist, state_path, state)
                report(progress_of(state, "part", outcome.part_number))
    finally:
        for task in tasks:
            task.cancel()
    return tuple(outcomes)
