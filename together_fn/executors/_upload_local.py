"""The local side of an upload: the file's facts and check, its state file, its progress bar.

Everything here touches the disk (or the terminal), so it lives with the executors; the
upload drivers in ``upload.py`` call it, in a worker thread when they run in an event loop.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from together_fn.api.files import file_type_of
from together_fn.errors import InvalidFileFormatError, TogetherError
from together_fn.models.files import FILE_PURPOSES
from together_fn.transfers.upload import (
    LocalFile,
    UploadPlan,
    UploadProgress,
    UploadState,
    plan_upload,
    state_from_json,
    state_to_json,
)

if TYPE_CHECKING:
    from together_fn.dataset.report import CheckReport

#: Bytes read at once while computing the checksum.
_HASH_CHUNK = 1024 * 1024

OnProgress = Callable[[UploadProgress], None]


def load_checker() -> Callable[..., CheckReport]:
    # Imported when first needed: the checker reads whole datasets, uploads often skip it.
    from together_fn.executors.dataset_files import check_file

    checker: Callable[..., CheckReport] = check_file
    return checker


@attrs.frozen(kw_only=True)
class Settings:
    """An upload's options, checked."""

    purpose: str
    check: bool
    state_path: Path | None
    multipart_threshold: int
    part_size: int
    max_parallel_parts: int
    allow_insecure_targets: bool


def settings_of(**given: Any) -> Settings:
    """The options of ``upload_file``, checked before anything is read or sent."""
    if given["purpose"] not in FILE_PURPOSES:
        raise ValueError(
            f"purpose must be one of {', '.join(FILE_PURPOSES)}; got {given['purpose']!r}"
        )
    if given["max_parallel_parts"] < 1:
        raise ValueError("max_parallel_parts must be at least 1")
    plan_upload(0, multipart_threshold=given["multipart_threshold"], part_size=given["part_size"])
    state_path = given.pop("state_path")
    return Settings(state_path=None if state_path is None else Path(state_path), **given)


def local_file(path: Path, settings: Settings) -> tuple[LocalFile, UploadPlan] | TogetherError:
    """Stat, type, check and (for a single upload, where the API takes it) hash the file."""
    try:
        stat = path.stat()
    except OSError as exc:
        return InvalidFileFormatError(message=f"cannot upload {path}: {exc.strerror or exc}")
    if not path.is_file():
        return InvalidFileFormatError(message=f"cannot upload {path}: not a regular file")
    file_type = file_type_of(path.name)
    if file_type is None:
        return InvalidFileFormatError(
            message=f"cannot upload {path.name}: the name must end in .jsonl, .parquet or .csv"
        )
    if settings.check:
        report = load_checker()(str(path), purpose=settings.purpose)
        if not report.ok:
            failing = [p for p in report.problems if getattr(p, "severity", "error") == "error"]
            problems = "; ".join(str(p) for p in failing[:5]) or "invalid"
            return InvalidFileFormatError(message=f"{path.name} failed the check: {problems}")
    plan = plan_upload(
        stat.st_size,
        multipart_threshold=settings.multipart_threshold,
        part_size=settings.part_size,
    )
    local = LocalFile(
        path=os.path.abspath(path),
        file_name=path.name,
        file_type=file_type,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        sha256=None if plan.multipart else sha256_of(path),
    )
    return local, plan


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_state(state_path: Path | None) -> UploadState | None:
    if state_path is None:
        return None
    try:
        data = state_path.read_bytes()
    except OSError:  # none yet (or unreadable): start afresh, and overwrite it
        return None
    return state_from_json(data)


def persist(state_path: Path | None, state: UploadState | None) -> None:
    """Write ``state`` atomically (a reader sees the old file or the new, never half of one)."""
    if state_path is None:
        return
    if state is None:
        state_path.unlink(missing_ok=True)
        return
    temporary = state_path.with_name(f".{state_path.name}.{os.getpid()}.tmp")
    # Only the owner may read it: the state holds signed URLs, which are credentials.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(state_to_json(state))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, state_path)


class Reporter:
    """Progress to the caller's callback and, if asked, to a tqdm bar."""

    def __init__(self, callback: OnProgress | None, bar: bool, local: LocalFile) -> None:
        self._callback = callback
        self._shown = 0
        self._bar: Any = None
        if bar:
            try:
                progress_bar = importlib.import_module("tqdm").tqdm
            except ImportError as exc:
                raise ImportError("tqdm=True draws a bar with tqdm: pip install tqdm") from exc
            self._bar = progress_bar(
                total=local.size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=f"Uploading {local.file_name}",
            )

    def __call__(self, event: UploadProgress) -> None:
        if self._callback is not None:
            self._callback(event)
        if self._bar is not None and event.bytes_sent > self._shown:
            self._bar.update(event.bytes_sent - self._shown)
            self._shown = event.bytes_sent

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
