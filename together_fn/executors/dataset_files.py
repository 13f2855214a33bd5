"""``check_file``: read a dataset from disk, streaming, and run the pure checkers over it.

Memory stays constant: JSONL and CSV are read in batches of lines of about ``CHUNK_BYTES``,
Parquet in record batches. ``pyarrow`` (the ``parquet`` extra) and ``tqdm`` are imported only
when a Parquet file or a progress bar asks for them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

from together_fn.dataset.jsonl import JsonlChecker
from together_fn.dataset.limits import MAX_PROBLEMS
from together_fn.dataset.report import CheckReport, Problem
from together_fn.dataset.rules import check_purpose
from together_fn.dataset.tabular import CsvChecker, PretokenizedChecker

#: How many bytes of lines are handed to a checker at a time (also the progress granularity).
CHUNK_BYTES = 1 << 20
#: Rows per Parquet record batch.
PARQUET_BATCH_ROWS = 4096

Progress = Callable[[int, int], None]


def check_file(
    path: str | os.PathLike[str],
    *,
    purpose: str = "fine-tune",
    progress: Progress | None = None,
    tqdm: bool | IO[str] = False,
    min_samples: int | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> CheckReport:
    """Check a local dataset file (``.jsonl``, ``.csv`` or ``.parquet``) before uploading it.

    Every problem is reported with its line; the report is returned, never raised.
    ``progress(bytes_done, bytes_total)`` is called as the file is read; ``tqdm=True`` draws a
    bar on stderr, or on the given text stream. ``purpose`` is a ``FilePurpose`` value.
    """
    check_purpose(purpose)
    file = Path(path)
    file_type = file.suffix.lower().lstrip(".")
    if not file.is_file():
        return _single(purpose, file_type, "file_not_found", f"no such file: {file}")
    size = file.stat().st_size
    with _bar(tqdm, size, file.name) as bar:
        tick = _Ticker(progress, bar, size)
        report = _dispatch(file, file_type, size, purpose, tick, min_samples, max_problems)
        tick(size)  # the last call always says "all of it", even for an empty file
    return report


def _dispatch(
    file: Path,
    file_type: str,
    size: int,
    purpose: str,
    tick: _Ticker,
    min_samples: int | None,
    max_problems: int,
) -> CheckReport:
    if file_type == "jsonl":
        checker = JsonlChecker(purpose=purpose, min_samples=min_samples, max_problems=max_problems)
        with file.open("rb") as stream:
            number = 1
            for lines in _line_batches(stream):
                number = checker.feed_lines(lines, first=number)
                tick(stream.tell())
        return checker.finish(size_bytes=size)
    if file_type == "csv":
        csv_checker = CsvChecker(
            purpose=purpose, min_samples=min_samples, max_problems=max_problems
        )
        with file.open("rb") as stream:
            csv_checker.feed_lines(_ticking_lines(stream, tick))
        return csv_checker.finish(size_bytes=size)
    if file_type == "parquet":
        return _check_parquet(file, size, purpose, tick, min_samples, max_problems)
    return _single(
        purpose,
        file_type,
        "unsupported_file_type",
        f"unsupported file extension {file.suffix!r}; expected .jsonl, .csv or .parquet",
        size,
    )


def _line_batches(stream: IO[bytes]) -> Iterator[list[bytes]]:
    while lines := stream.readlines(CHUNK_BYTES):
        yield lines


def _ticking_lines(stream: IO[bytes], tick: _Ticker) -> Iterator[bytes]:
    for lines in _line_batches(stream):
        yield from lines
        tick(stream.tell())


def _check_parquet(
    file: Path,
    size: int,
    purpose: str,
    tick: _Ticker,
    min_samples: int | None,
    max_problems: int,
) -> CheckReport:
    checker = PretokenizedChecker(
        purpose=purpose, min_samples=min_samples, max_problems=max_problems
    )
    if not checker.supported:
        return checker.finish(size_bytes=size)
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        return _single(
            purpose,
            "parquet",
            "parquet_unavailable",
            "checking Parquet files needs pyarrow: pip install 'together_fn[parquet]'",
            size,
        )
    try:
        parquet = pq.ParquetFile(file)
        schema = {field.name: str(field.type) for field in parquet.schema_arrow}
        if checker.feed_schema(schema):
            total = max(parquet.metadata.num_rows, 1)
            row = 1
            for batch in parquet.iter_batches(PARQUET_BATCH_ROWS, columns=list(checker.columns)):
                columns = {name: batch.column(name).to_pylist() for name in checker.columns}
                checker.feed_batch(row, columns)
                row += batch.num_rows
                tick(size * (row - 1) // total)
    except (pa.ArrowException, OSError) as exc:
        return _single(
            purpose, "parquet", "parquet_invalid", f"cannot read the Parquet file: {exc}", size
        )
    return checker.finish(size_bytes=size)


def _single(
    purpose: str, file_type: str, code: str, message: str, size: int | None = None
) -> CheckReport:
    problem = Problem(line=None, code=code, message=message)
    return CheckReport(
        ok=False,
        purpose=purpose,
        file_type=file_type,
        size_bytes=size,
        problems=(problem,),
        problem_count=1,
        error_count=1,
    )


class _Ticker:
    """Forwards progress (bytes read so far) to the callback and the bar, never backwards."""

    def __init__(self, callback: Progress | None, bar: Any, total: int) -> None:
        self.callback = callback
        self.bar = bar
        self.total = total
        self.done = -1  # nothing reported yet

    def __call__(self, done: int) -> None:
        done = min(done, self.total)
        if done <= self.done:
            return
        if self.bar is not None:
            self.bar.update(done - max(self.done, 0))
        self.done = done
        if self.callback is not None:
            self.callback(done, self.total)


def _bar(tqdm: bool | IO[str], total: int, name: str) -> AbstractContextManager[Any]:
    if tqdm is False:
        return nullcontext(None)
    try:
        make_bar = importlib.import_module("tqdm").tqdm
    except ImportError as exc:
        raise ImportError("a progress bar needs tqdm: pip install 'together_fn[progress]'") from exc
    stream = None if tqdm is True else tqdm
    bar: AbstractContextManager[Any] = make_bar(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name, file=stream
    )
    return bar
