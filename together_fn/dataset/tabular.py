"""Checkers for CSV (evaluation) and pre-tokenized column data (Parquet), fed already-read data."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from together_fn.dataset.limits import MAX_PROBLEMS, MIN_SAMPLES, PRETOKENIZED_COLUMNS
from together_fn.dataset.report import CheckReport, ProblemLog
from together_fn.dataset.rules import check_purpose, check_sample_count, check_size

_BOM = "\ufeff"
_INT_LIST = re.compile(r"^(large_|fixed_size_)?list<[^:]*: u?int(8|16|32|64)>")


def _report(
    checker: CsvChecker | PretokenizedChecker, file_type: str, fmt: str | None, size: int | None
) -> CheckReport:
    log = checker.log
    if checker.supported:
        if size is not None:
            check_size(size, log, purpose=checker.purpose)
        if size != 0:
            check_sample_count(checker.num_samples, checker.min_samples, log)
    return CheckReport(
        ok=log.errors == 0,
        purpose=checker.purpose,
        file_type=file_type,
        format=fmt,
        num_samples=checker.num_samples,
        size_bytes=size,
        problems=log.sorted_problems(),
        problem_count=log.count,
        error_count=log.errors,
    )


class CsvChecker:
    """Checks a CSV evaluation dataset: a header, then rows with as many fields as the header.

    ``feed_lines`` takes raw byte lines (a binary file works) and parses them with ``csv``;
    quoted fields may span lines. Only evaluation purposes accept CSV.
    """

    def __init__(
        self,
        *,
        purpose: str = "eval",
        min_samples: int | None = None,
        max_problems: int = MAX_PROBLEMS,
    ) -> None:
        self.purpose = check_purpose(purpose)
        self.min_samples = 1 if min_samples is None else min_samples
        self.log = ProblemLog(max_problems)
        self.num_samples = 0
        self.header: tuple[str, ...] | None = None
        self.supported = purpose.startswith("eval")
        if not self.supported:
            self.log.add(
                None,
                "unsupported_file_type",
                f"CSV files are not supported for purpose {purpose!r}; "
                "use JSONL (or Parquet for pre-tokenized fine-tuning data)",
            )

    def _decoded(self, lines: Iterable[bytes]) -> Iterator[str]:
        for number, raw in enumerate(lines, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                self.log.add(1, "bom", "the file starts with a UTF-8 byte order mark", "warning")
                raw = raw[3:]
            try:
                yield raw.decode()
            except UnicodeDecodeError as exc:
                self.log.add(
                    number, "not_utf8", f"invalid UTF-8 at byte {exc.start + 1} of the line"
                )
                yield raw.decode(errors="replace")

    def feed_lines(self, lines: Iterable[bytes]) -> None:
        """Parse and check the whole file's lines (call once)."""
        if not self.supported:
            return
        reader = csv.reader(self._decoded(lines), strict=True)
        start = 1
        blanks: list[int] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.log.add(reader.line_num, "csv_error", f"malformed CSV: {exc}")
                start = reader.line_num + 1
                continue
            if not row:
                blanks.append(start)
            else:
                # Blank lines before a row are inside the data; trailing ones are not reported.
                for number in blanks:
                    self.log.add(number, "blank_line", "blank line skipped", "warning")
                blanks.clear()
                self.feed_row(start, row)
            start = reader.line_num + 1

    def feed_row(self, line: int, row: Sequence[str]) -> None:
        """Check one parsed record starting on ``line``; the first record is the header."""
        if self.header is None:
            self._feed_header(line, row)
            return
        self.num_samples += 1
        if len(row) != len(self.header):
            self.log.add(
                line,
                "csv_column_count",
                f"the row has {len(row)} fields; the header has {len(self.header)}",
            )

    def _feed_header(self, line: int, row: Sequence[str]) -> None:
        self.header = tuple(row)
        seen: set[str] = set()
        for index, name in enumerate(row):
            if not name.strip():
                self.log.add(line, "csv_header", f"column {index + 1} of the header has no name")
            elif name in seen:
                self.log.add(line, "csv_header", f"the header repeats column {name!r}")
            seen.add(name)

    def finish(self, *, size_bytes: int | None = None) -> CheckReport:
        """The report for everything fed so far."""
        if self.supported and self.header is None and size_bytes != 0:
            self.log.add(None, "csv_header", "the file has no header row")
        return _report(self, "csv", "csv" if self.supported else None, size_bytes)


class PretokenizedChecker:
    """Checks pre-tokenized fine-tuning data given as columns (what a Parquet file holds).

    ``feed_schema`` takes column names and their Arrow type strings; ``feed_batch`` takes rows
    as columns of Python lists (``None`` for a null). Element types come from the schema, so the
    per-row work is lengths and the ``attention_mask`` values.
    """

    def __init__(
        self,
        *,
        purpose: str = "fine-tune",
        min_samples: int | None = None,
        max_problems: int = MAX_PROBLEMS,
    ) -> None:
        self.purpose = check_purpose(purpose)
        self.min_samples = MIN_SAMPLES if min_samples is None else min_samples
        self.log = ProblemLog(max_problems)
        self.num_samples = 0
        self.columns: tuple[str, ...] = ()
        self.supported = purpose == "fine-tune"
        if not self.supported:
            self.log.add(
                None,
                "unsupported_file_type",
                f"Parquet files are only supported for fine-tuning, not purpose {purpose!r}",
            )

    def feed_schema(self, schema: Mapping[str, str]) -> bool:
        """Check the columns; return whether the rows are worth reading."""
        if not self.supported:
            return False
        self.columns = tuple(name for name in PRETOKENIZED_COLUMNS if name in schema)
        usable = True
        if "input_ids" not in schema:
            self.log.add(None, "missing_column", "pre-tokenized data needs an `input_ids` column")
            usable = False
        for name, arrow_type in schema.items():
            if name not in PRETOKENIZED_COLUMNS:
                allowed = ", ".join(PRETOKENIZED_COLUMNS)
                self.log.add(
                    None, "extra_column", f"unexpected column {name!r}; allowed: {allowed}"
                )
            elif not _INT_LIST.match(arrow_type):
                self.log.add(
                    None,
                    "column_type",
                    f"column {name!r} must be a list of integers, not {arrow_type}",
                )
                usable = False
        return usable

    def feed_batch(
        self, first_row: int, columns: Mapping[str, Sequence[Sequence[int] | None]]
    ) -> None:
        """Check consecutive rows, the first numbered ``first_row`` (1-based)."""
        log = self.log
        names = [name for name in self.columns if name != "input_ids"]
        others = [columns[name] for name in names]
        masks = columns.get("attention_mask")
        ids = columns["input_ids"]
        for offset, tokens in enumerate(ids):
            row = first_row + offset
            if tokens is None or not tokens:
                log.add(row, "empty_input_ids", "`input_ids` is null or empty")
                continue
            for name, column in zip(names, others, strict=True):
                value = column[offset]
                if value is None or len(value) != len(tokens):
                    got = "null" if value is None else str(len(value))
                    log.add(
                        row,
                        "length_mismatch",
                        f"`{name}` has {got} values; `input_ids` has {len(tokens)}",
                    )
            mask = masks[offset] if masks is not None else None
            if mask and not set(mask) <= {0, 1}:
                log.add(row, "attention_mask_values", "`attention_mask` values must be 0 or 1")
        self.num_samples += len(ids)

    def finish(self, *, size_bytes: int | None = None) -> CheckReport:
        """The report for everything fed so far."""
        return _report(self, "parquet", "pretokenized" if self.supported else None, size_bytes)
