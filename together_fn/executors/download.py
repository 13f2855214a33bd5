"""Downloads to disk over an executor: bounded memory, resumed when cut, replaced atomically.

:func:`download` and :func:`adownload` run ``transfers.download_flow.download_flow`` (where
every decision is made) and only move bytes: the body goes, chunk by chunk, into a temporary
file in the target directory, which becomes the final file only once its size and digest
check out. On every failure, interruption and cancellation included, it is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import tempfile
from collections.abc import Callable
from typing import IO, Any

import attrs
from returns.result import Failure, Result, Success

from together_fn.calls import Call
from together_fn.errors import DownloadError, TogetherError
from together_fn.executors.base import (
    AsyncExecutor,
    AsyncResponseStream,
    Executor,
    ResponseStream,
    _aopen,
    _aread,
    _open,
    _read,
)
from together_fn.flows import Read, Send, Sleep
from together_fn.transfers.download import (
    DownloadedFile,
    checked_sha256,
    default_name,
    is_within,
    safe_filename,
)
from together_fn.transfers.download_flow import (
    DownloadFlow,
    Fetched,
    Truncate,
    Write,
    download_flow,
)

__all__ = ["MIB", "DownloadedFile", "ProgressCallback", "adownload", "download"]

MIB = 1024 * 1024

#: Called with the bytes held so far and the file's size, if known.
ProgressCallback = Callable[[int, int | None], None]

_PREFIX, _SUFFIX = ".together-", ".part"


@attrs.frozen
class _Target:
    """Where the file goes: its directory and, if the caller named it, its path."""

    directory: str
    path: str | None = None


def _error(message: str) -> DownloadError:
    return DownloadError(message=message)


def _target(destination: str | os.PathLike[str], overwrite: bool) -> _Target | DownloadError:
    chosen = os.fspath(destination)
    if os.path.isdir(chosen):
        return _Target(os.path.realpath(chosen))
    if chosen.endswith(("/", os.sep)):
        return _error(f"{chosen!r} is not an existing directory")
    path = os.path.abspath(chosen)
    if not os.path.isdir(os.path.dirname(path)):
        return _error(f"the directory of {chosen!r} does not exist")
    if os.path.lexists(path) and not overwrite:
        return _error(f"{chosen!r} exists; pass overwrite=True to replace it")
    return _Target(os.path.realpath(os.path.dirname(path)), path)


def _final_path(target: _Target, fetched: Fetched, fallback: str) -> str | DownloadError:
    if target.path is not None:
        return target.path
    path = os.path.join(target.directory, safe_filename(fetched.suggested_name, fallback))
    if not is_within(target.directory, path):  # safe_filename makes this impossible; checked
        return _error(f"refusing to write outside {target.directory!r}: {path!r}")
    return path


def _commit(temporary: str, final: str, overwrite: bool) -> DownloadError | None:
    if overwrite:
        os.replace(temporary, final)
        return None
    try:
        # A hard link never replaces an existing file: no window between check and rename.
        os.link(temporary, final)
    except FileExistsError:
        return _error(f"{final!r} exists; pass overwrite=True to replace it")
    except OSError:  # a file system without hard links
        if os.path.lexists(final):
            return _error(f"{final!r} exists; pass overwrite=True to replace it")
        os.replace(temporary, final)
        return None
    os.unlink(temporary)
    return None


def _finish(
    result: Result[Fetched, TogetherError],
    temporary: str,
    target: _Target,
    fallback: str,
    overwrite: bool,
) -> Result[DownloadedFile, TogetherError]:
    match result:
        case Success(fetched):
            final = _final_path(target, fetched, fallback)
            if isinstance(final, DownloadError):
                return Failure(final)
            problem = _commit(temporary, final, overwrite)
            if problem is not None:
                return Failure(problem)
            return Success(
                DownloadedFile(
                    path=final,
                    size=fetched.size,
                    sha256=fetched.sha256,
                    resumes=fetched.resumes,
                    attempts=fetched.attempts,
                    response=fetched.response,
                )
            )
        case Failure(error):
            return Failure(error)
    raise TypeError(f"not a Result: {result!r}")  # pragma: no cover


class _Bar:
    """A ``tqdm`` progress bar fed by the progress callback (``tqdm`` imported on use)."""

    def __init__(self, description: str) -> None:
        try:
            tqdm: Any = importlib.import_module("tqdm.auto").tqdm
        except ImportError as exc:
            raise ImportError("progress=True draws a bar with tqdm: pip install tqdm") from exc
        self._bar = tqdm(unit="B", unit_scale=True, unit_divisor=1024, desc=description)

    def __call__(self, done: int, total: int | None) -> None:
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)  # negative after a restart from zero

    def close(self) -> None:
        self._bar.close()


def _reporter(progress: ProgressCallback | bool | None, name: str) -> ProgressCallback | None:
    if progress is True:
        return _Bar(name)
    if progress is False or progress is None:
        return None
    return progress


def _start(
    executor: Executor | AsyncExecutor,
    call: Call[Any],
    destination: str | os.PathLike[str],
    *,
    overwrite: bool,
    fallback_name: str | None,
    progress: ProgressCallback | bool | None,
    expected_size: int | None,
    sha256: str | None,
    max_resumes: int,
    chunk_size: int,
) -> tuple[_Target, str, ProgressCallback | None, DownloadFlow] | DownloadError:
    """What both drivers work out before the first byte: the arguments checked, where to
    write, under which fallback name, how progress is reported, and the flow to drive."""
    _checked_args(expected_size, sha256, max_resumes, chunk_size)
    target = _target(destination, overwrite)
    if isinstance(target, DownloadError):
        return target
    fallback = fallback_name or default_name(call.request)
    flow = download_flow(
        call,
        executor.config,
        executor._clock,  # private to the executors package: the executor's own clock
        expected_size=expected_size,
        sha256=sha256,
        max_resumes=max_resumes,
    )
    return target, fallback, _reporter(progress, fallback), flow


def _checked_args(
    expected_size: int | None, sha256: str | None, max_resumes: int, chunk_size: int
) -> None:
    if expected_size is not None and expected_size < 0:
        raise ValueError(f"expected_size must not be negative, got {expected_size}")
    if max_resumes < 0:
        raise ValueError(f"max_resumes must not be negative, got {max_resumes}")
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    checked_sha256(sha256)


def download(
    executor: Executor,
    call: Call[Any],
    destination: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    expected_size: int | None = None,
    sha256: str | None = None,
    progress: ProgressCallback | bool | None = None,
    max_resumes: int = 3,
    chunk_size: int = MIB,
    fallback_name: str | None = None,
) -> Result[DownloadedFile, TogetherError]:
    """Save ``call``'s body to ``destination``: a directory (the file named by the server's
    ``Content-Disposition``, made safe, else ``fallback_name`` or a name from the URL) or a
    file path. An existing file is kept unless ``overwrite``. ``progress`` is a callback
    ``(done, total)`` or ``True`` for a ``tqdm`` bar.
    """
    start = _start(
        executor, call, destination, overwrite=overwrite, fallback_name=fallback_name,
        progress=progress, expected_size=expected_size, sha256=sha256,
        max_resumes=max_resumes, chunk_size=chunk_size,
    )  # fmt: skip
    if isinstance(start, DownloadError):
        return Failure(start)
    target, fallback, report, flow = start
    temporary: str | None = None
    committed = False
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.directory, prefix=_PREFIX, suffix=_SUFFIX
        )
        with os.fdopen(descriptor, "wb", buffering=chunk_size) as handle:
            result = _drive(executor, flow, handle, report)
            handle.flush()
            os.fsync(handle.fileno())
        finished = _finish(result, temporary, target, fallback, overwrite)
        committed = isinstance(finished, Success)
        return finished
    except OSError as exc:
        return Failure(_error(f"could not save the download in {target.directory!r}: {exc}"))
    finally:
        _discard(temporary, committed)
        if isinstance(report, _Bar):
            report.close()


def _discard(temporary: str | None, committed: bool) -> None:
    if temporary is not None and not committed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _drive(
    executor: Executor,
    flow: DownloadFlow,
    handle: IO[bytes],
    report: ProgressCallback | None,
) -> Result[Fetched, TogetherError]:
    body: ResponseStream | None = None
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Read):
                outcome = _read(body)
            elif isinstance(effect, Write):
                handle.write(effect.data)
                if report is not None:
                    report(effect.done, effect.total)
            elif isinstance(effect, Send):
                if body is not None:
                    body.close()
                body, outcome = _open(executor.transport, effect.request)
            elif isinstance(effect, Truncate):
                handle.seek(0)
                handle.truncate()
            elif isinstance(effect, Sleep):
                executor._sleep(effect.seconds)
    except StopIteration as done:
        result: Result[Fetched, TogetherError] = done.value
        return result
    finally:
        flow.close()
        if body is not None:
            body.close()


async def adownload(
    executor: AsyncExecutor,
    call: Call[Any],
    destination: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    expected_size: int | None = None,
    sha256: str | None = None,
    progress: ProgressCallback | bool | None = None,
    max_resumes: int = 3,
    chunk_size: int = MIB,
    fallback_name: str | None = None,
) -> Result[DownloadedFile, TogetherError]:
    """:func:`download` over an async executor; disk writes run in a worker thread."""
    start = _start(
        executor, call, destination, overwrite=overwrite, fallback_name=fallback_name,
        progress=progress, expected_size=expected_size, sha256=sha256,
        max_resumes=max_resumes, chunk_size=chunk_size,
    )  # fmt: skip
    if isinstance(start, DownloadError):
        return Failure(start)
    target, fallback, report, flow = start
    temporary: str | None = None
    committed = False
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.directory, prefix=_PREFIX, suffix=_SUFFIX
        )
        with os.fdopen(descriptor, "wb", buffering=0) as handle:
            result = await _adrive(executor, flow, _AsyncSink(handle, chunk_size), report)
            await asyncio.to_thread(os.fsync, handle.fileno())
        finished = _finish(result, temporary, target, fallback, overwrite)
        committed = isinstance(finished, Success)
        return finished
    except OSError as exc:
        return Failure(_error(f"could not save the download in {target.directory!r}: {exc}"))
    finally:
        # Synchronous on purpose: it must happen even when the task is being cancelled.
        _discard(temporary, committed)
        if isinstance(report, _Bar):
            report.close()


class _AsyncSink:
    """Gathers chunks and writes ``chunk_size`` bytes at a time in a worker thread."""

    def __init__(self, handle: IO[bytes], chunk_size: int) -> None:
        self._handle = handle
        self._chunk_size = chunk_size
        self._pending: list[bytes] = []
        self._size = 0

    async def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._size += len(data)
        if self._size >= self._chunk_size:
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending, self._size = self._pending, [], 0
        if pending:
            await asyncio.to_thread(self._handle.writelines, pending)

    async def truncate(self) -> None:
        self._pending, self._size = [], 0
        await asyncio.to_thread(_empty, self._handle)


def _empty(handle: IO[bytes]) -> None:
    handle.seek(0)
    handle.truncate()


async def _adrive(
    executor: AsyncExecutor,
    flow: DownloadFlow,
    sink: _AsyncSink,
    report: ProgressCallback | None,
) -> Result[Fetched, TogetherError]:
    body: AsyncResponseStream | None = None
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Read):
                outcome = await _aread(body)
            elif isinstance(effect, Write):
                await sink.write(effect.data)
                if report is not None:
                    report(effect.done, effect.total)
            elif isinstance(effect, Send):
                if body is not None:
                    await body.aclose()
                body, outcome = await _aopen(executor.transport, effect.request)
            elif isinstance(effect, Truncate):
                await sink.truncate()
            elif isinstance(effect, Sleep):
                await executor._sleep(effect.seconds)
    except StopIteration as done:
        await sink.flush()
        result: Result[Fetched, TogetherError] = done.value
        return result
    finally:
        flow.close()
        if body is not None:
            await body.aclose()
