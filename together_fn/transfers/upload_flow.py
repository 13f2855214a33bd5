"""The whole upload as a generator of effects, written once for both drivers.

Besides the request flows' ``Send`` and ``Sleep``, an upload yields :class:`RunParts` (send
parts in parallel), :class:`Persist` (save the resumable state) and :class:`Report`
(progress). It never reads the file: the bytes travel as ``FileRangeBody`` values, which the
transports stream from disk.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeAlias
from urllib.parse import urljoin

import attrs
from returns.result import Failure, Result, Success

from together_fn.config import ClientConfig, prepare
from together_fn.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    TogetherError,
    classify,
)
from together_fn.flows import Clock, Effect, Send, Sleep, request_flow
from together_fn.http import HttpRequest, HttpResponse
from together_fn.models.files import FileResponse
from together_fn.retry import Retry, RetryPolicy, decide
from together_fn.transfers.upload import (
    CompletedPart,
    LocalFile,
    MultipartUpload,
    PartRange,
    Resume,
    StartOver,
    UploadPart,
    UploadPlan,
    UploadProgress,
    UploadState,
    abort_multipart_upload,
    check_target,
    complete_multipart_upload,
    initiate_multipart_upload,
    missing_parts,
    part_ranges,
    preprocess_file,
    progress_of,
    put_file_part,
    record_part,
    resume_or_start,
    start_file_upload,
)


@attrs.frozen
class RunParts:
    """Perform :func:`part_flow` for each of ``parts``, at most ``limit`` at once; answer
    with their outcomes in order. Record and persist each part as it succeeds."""

    state: UploadState
    parts: tuple[UploadPart, ...]
    limit: int


@attrs.frozen
class Persist:
    """Save ``state`` to the state file (atomically), or remove the file when ``None``."""

    state: UploadState | None


@attrs.frozen
class Report:
    """Hand ``progress`` to the caller's progress callback or bar."""

    progress: UploadProgress


UploadEffect: TypeAlias = Effect | RunParts | Persist | Report
UploadFlow: TypeAlias = Generator[UploadEffect, Any, Result[FileResponse, TogetherError]]
Outcome: TypeAlias = HttpResponse | APIConnectionError


def exchange(
    request: HttpRequest, policy: RetryPolicy, clock: Clock, *, retryable: bool
) -> Generator[Send | Sleep, Any, tuple[Outcome, int]]:
    """Send ``request`` as it is (redirects not followed), retrying as ``policy`` says;
    the last outcome (any status below 400 counts as an answer) and the attempts made."""
    start = clock.monotonic()
    retries = 0
    while True:
        outcome: Outcome = yield Send(request)
        if isinstance(outcome, HttpResponse) and outcome.status < 400:
            return outcome, retries + 1
        decision = decide(
            policy,
            retries_done=retries,
            outcome=outcome.head if isinstance(outcome, HttpResponse) else outcome,
            retryable=retryable,
            now=clock.wall(),
            elapsed=clock.monotonic() - start,
            rand=clock.random(),
        )
        if not isinstance(decision, Retry):
            return outcome, retries + 1
        yield Sleep(decision.delay)
        retries += 1


def _failed(outcome: Outcome, attempts: int) -> TogetherError:
    if isinstance(outcome, APIConnectionError):
        return attrs.evolve(outcome, attempts=attempts)
    return classify(outcome, attempts=attempts)


def _invalid(what: str, problem: str) -> APIResponseValidationError:
    return APIResponseValidationError(
        message=f"{what}: {problem}", type_name=what, problems=(problem,)
    )


def _refused(url_of: str, reason: str) -> APIError:
    # Not a decoding problem: the answer was understood, and what it asks is unsafe.
    return APIError(message=f"refusing to upload: the signed URL {url_of}{reason}")


def _stored(
    url: str, path: str, part: PartRange, headers: dict[str, str] | None, config: ClientConfig
) -> HttpRequest:
    # Built whole here, never passed to ``prepare``: nothing of the config's (the API key,
    # default headers) may reach the storage, even at the API's own origin.
    request = put_file_part(url, path=path, offset=part.offset, length=part.length, headers=headers)
    return attrs.evolve(
        request,
        headers=(("user-agent", config.user_agent), *request.headers),
        timeout=config.timeout,
    )


def part_flow(
    state: UploadState, part: UploadPart, config: ClientConfig, clock: Clock
) -> Generator[Send | Sleep, Any, CompletedPart | TogetherError]:
    """``PUT`` one part (retried: a signed ``PUT`` is idempotent); its ``ETag`` or an error."""
    ranges = {r.part_number: r for r in part_ranges(state.file.size, state.part_size)}
    request = _stored(part.url, state.file.path, ranges[part.part_number], part.headers, config)
    outcome, attempts = yield from exchange(request, config.retry, clock, retryable=True)
    if isinstance(outcome, APIConnectionError) or not 200 <= outcome.status < 300:
        return _failed(outcome, attempts)
    etag = outcome.header("etag")
    if not etag:
        return _invalid("part upload", f"answer for part {part.part_number} has no ETag")
    return CompletedPart(part_number=part.part_number, etag=etag)


def upload_flow(
    local: LocalFile,
    plan: UploadPlan,
    config: ClientConfig,
    clock: Clock,
    *,
    purpose: str = "fine-tune",
    saved: UploadState | None = None,
    resumable: bool = False,
    max_parallel_parts: int = 4,
    allow_insecure_targets: bool = False,
) -> UploadFlow:
    """The whole upload of ``local`` as ``plan`` says. With ``resumable``, a failed
    multipart upload is left open (its state saved) for a later run to finish."""
    decision = resume_or_start(saved, local, purpose=purpose, multipart=plan.multipart)
    if isinstance(decision, StartOver) and decision.stale is not None:
        yield from _abort(decision.stale, config, clock)
        yield Persist(None)
    if not plan.multipart:
        return (yield from _single(local, config, clock, purpose, allow_insecure_targets))
    if isinstance(decision, Resume):
        state = decision.state
        yield Report(progress_of(state, "resumed"))
    else:
        started = yield from _initiate(local, plan, config, clock, purpose, allow_insecure_targets)
        if isinstance(started, TogetherError):
            return Failure(started)
        state = started
        yield Persist(state)
        yield Report(progress_of(state, "started"))
    missing = missing_parts(state)
    limit = max(1, max_parallel_parts)
    outcomes = (yield RunParts(state, missing, limit)) if missing else ()
    errors = [o for o in outcomes if isinstance(o, TogetherError)]
    for outcome in outcomes:
        if isinstance(outcome, CompletedPart):
            state = record_part(state, outcome)
    if not errors:
        yield Report(progress_of(state, "uploaded"))
        call = complete_multipart_upload(
            upload_id=state.upload.upload_id, file_id=state.upload.file_id, parts=state.done
        )
        completed = yield from request_flow(call, config, clock)
        if isinstance(completed.result, Success):
            yield Persist(None)
            yield Report(progress_of(state, "done"))
            return completed.result
        errors.append(completed.result.failure())
    if not resumable:
        yield from _abort(state, config, clock)
    return Failure(errors[0])


def _abort(state: UploadState, config: ClientConfig, clock: Clock) -> Generator[Any, Any, None]:
    # Best effort: the upload failed already, and an unaborted one expires on its own.
    call = abort_multipart_upload(upload_id=state.upload.upload_id, file_id=state.upload.file_id)
    yield from request_flow(call, config, clock)


def _single(
    local: LocalFile, config: ClientConfig, clock: Clock, purpose: str, allow_insecure: bool
) -> UploadFlow:
    start = start_file_upload(
        file_name=local.file_name,
        file_type=local.file_type,
        purpose=purpose,
        sha256=local.sha256,
        file_size=local.size,
    )
    request = prepare(start, config)
    answer, attempts = yield from exchange(request, config.retry, clock, retryable=False)
    if isinstance(answer, APIConnectionError) or answer.status >= 400:
        return Failure(_failed(answer, attempts))
    location = answer.header("location")
    file_id = answer.header("x-together-file-id")
    if not (300 <= answer.status < 400 and location and file_id):
        return Failure(_invalid("upload redirect", "no signed URL and file id in the answer"))
    target = urljoin(request.url, location)
    refused = check_target(target, allow_insecure=allow_insecure)
    if refused is not None:
        return Failure(_refused("", refused))
    yield Report(UploadProgress(stage="started", bytes_sent=0, total_bytes=local.size))
    whole = PartRange(part_number=1, offset=0, length=local.size)
    put = _stored(target, local.path, whole, None, config)
    stored, attempts = yield from exchange(put, config.retry, clock, retryable=True)
    if isinstance(stored, APIConnectionError) or not 200 <= stored.status < 300:
        return Failure(_failed(stored, attempts))
    yield Report(UploadProgress(stage="uploaded", bytes_sent=local.size, total_bytes=local.size))
    processed = yield from request_flow(preprocess_file(file_id), config, clock)
    if isinstance(processed.result, Success):
        yield Report(UploadProgress(stage="done", bytes_sent=local.size, total_bytes=local.size))
    return processed.result


def _initiate(
    local: LocalFile,
    plan: UploadPlan,
    config: ClientConfig,
    clock: Clock,
    purpose: str,
    allow_insecure: bool,
) -> Generator[Any, Any, UploadState | TogetherError]:
    call = initiate_multipart_upload(
        file_name=local.file_name,
        file_size=local.size,
        num_parts=len(plan.parts),
        purpose=purpose,
        file_type=local.file_type,
    )
    initiated = yield from request_flow(call, config, clock)
    upload: MultipartUpload | None = initiated.result.value_or(None)
    if upload is None:
        failed: TogetherError = initiated.result.failure()
        return failed
    state = UploadState(file=local, purpose=purpose, part_size=plan.part_size, upload=upload)
    numbers = sorted(p.part_number for p in upload.parts)
    problem = None
    if numbers != [p.part_number for p in plan.parts]:
        problem = f"asked for {len(plan.parts)} parts, got part numbers {numbers[:10]}"
    for part in upload.parts:
        refused = check_target(part.url, allow_insecure=allow_insecure)
        if refused is not None:
            yield from _abort(state, config, clock)
            return _refused(f"of part {part.part_number} ", refused)
    if problem is None:
        return state
    yield from _abort(state, config, clock)
    return _invalid("multipart upload", problem)
