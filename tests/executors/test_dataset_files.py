"""``check_file`` on real files: dispatch by extension, streaming, progress, Parquet, memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import together_fn.dataset
from together_fn.dataset import CheckReport, describe
from together_fn.executors import dataset_files
from together_fn.executors.dataset_files import check_file

CHAT = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}


def codes(report: CheckReport) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for p in report.problems]


def write_lines(path: Path, lines: list[Any]) -> Path:
    path.write_bytes(
        b"".join(x if isinstance(x, bytes) else json.dumps(x).encode() + b"\n" for x in lines)
    )
    return path


def test_a_valid_jsonl_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "train.jsonl", [CHAT] * 3)
    report = check_file(path, min_samples=3)
    assert report.ok, report.problems
    assert (report.file_type, report.format, report.num_samples) == ("jsonl", "conversation", 3)
    assert report.size_bytes == path.stat().st_size


def test_the_default_minimum_applies_to_fine_tuning(tmp_path: Path) -> None:
    report = check_file(write_lines(tmp_path / "train.jsonl", [CHAT] * 3))
    assert codes(report) == [(None, "too_few_samples")]
    assert check_file(tmp_path / "train.jsonl", purpose="eval").ok


def test_line_numbers_run_on_across_read_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_files, "CHUNK_BYTES", 64)  # many small batches
    lines: list[Any] = [CHAT] * 40
    lines[6] = b"{oops\n"
    lines[25] = b"\n"
    lines[33] = {"messages": [{"role": "user", "content": "no answer"}]}
    report = check_file(write_lines(tmp_path / "t.jsonl", [*lines, b"\n"]), min_samples=1)
    assert codes(report) == [(7, "invalid_json"), (26, "blank_line"), (34, "no_assistant")]
    assert report.num_samples == 38


def test_a_file_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(json.dumps(CHAT).encode() + b"\n" + json.dumps(CHAT).encode())
    report = check_file(path, min_samples=2)
    assert report.ok
    assert report.num_samples == 2


def test_non_utf8_bytes_in_a_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", [CHAT, b'{"text": "\xff"}\n'])
    assert codes(check_file(path, purpose="eval")) == [(2, "not_utf8")]


def test_missing_empty_and_unsupported_files(tmp_path: Path) -> None:
    missing = check_file(tmp_path / "nope.jsonl")
    assert codes(missing) == [(None, "file_not_found")]
    assert not missing.ok
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert codes(check_file(tmp_path / "empty.jsonl")) == [(None, "empty_file")]
    (tmp_path / "data.txt").write_text("hello\n")
    report = check_file(tmp_path / "data.txt")
    assert codes(report) == [(None, "unsupported_file_type")]
    assert ".txt" in report.problems[0].message


def test_an_unknown_purpose_is_a_caller_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        check_file(write_lines(tmp_path / "t.jsonl", [CHAT]), purpose="train")


def test_csv_for_evaluation(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_bytes(b'prompt,reference\n"Hi, there",Hello\nq,a,extra\n')
    report = check_file(path, purpose="eval")
    assert codes(report) == [(3, "csv_column_count")]
    assert report.num_samples == 2
    assert codes(check_file(path)) == [(None, "unsupported_file_type")]


def test_progress_is_reported_up_to_the_file_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_files, "CHUNK_BYTES", 256)
    path = write_lines(tmp_path / "t.jsonl", [CHAT] * 50)
    size = path.stat().st_size
    seen: list[tuple[int, int]] = []
    check_file(path, progress=lambda done, total: seen.append((done, total)), min_samples=1)
    assert len(seen) > 5
    assert all(total == size for _, total in seen)
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[-1] == size


def test_progress_on_an_empty_file_still_ends(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    seen: list[tuple[int, int]] = []
    check_file(tmp_path / "empty.jsonl", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 0)]


def test_progress_for_csv(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100)
    seen: list[int] = []
    check_file(path, purpose="eval", progress=lambda done, total: seen.append(done))
    assert seen[-1] == path.stat().st_size


def test_a_tqdm_bar_on_a_stream(tmp_path: Path) -> None:
    pytest.importorskip("tqdm", reason="the progress bar needs tqdm (progress extra)")
    path = write_lines(tmp_path / "bar.jsonl", [CHAT] * 20)
    stream = io.StringIO()
    report = check_file(path, tqdm=stream, min_samples=1)
    assert report.ok
    output = stream.getvalue()
    assert "bar.jsonl" in output
    assert "100%" in output


def test_memory_stays_bounded_on_a_large_file(tmp_path: Path) -> None:
    big = {
        "messages": [
            {"role": "user", "content": "x" * 400},
            {"role": "assistant", "content": "y" * 600},
        ]
    }
    line = json.dumps(big).encode() + b"\n"
    path = tmp_path / "big.jsonl"
    with path.open("wb") as out:
        for _ in range(16):
            out.write(line * 1000)  # 16 MB in all
    tracemalloc.start()
    try:
        report = check_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok
    assert report.num_samples == 16_000
    # Bounded by one read chunk and its parsed lines, not by the 16 MB file.
    assert peak < 4 * dataset_files.CHUNK_BYTES
    assert path.stat().st_size > 4 * peak


def test_check_file_is_reexported_lazily() -> None:
    assert together_fn.dataset.check_file is check_file
    code = (
        "import sys, together_fn.dataset as d; "
        "print('together_fn.executors.dataset_files' in sys.modules); "
        "d.check_file; print('together_fn.executors.dataset_files' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_describe_a_real_report(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", [CHAT, b"[]\n"])
    text = describe(check_file(path, min_samples=1))
    assert text.splitlines() == [
        "Check failed: jsonl (conversation), 2 samples, purpose fine-tune",
        "line 2: error [not_an_object] each line must be a JSON object, got list",
    ]


# -- Parquet -------------------------------------------------------------------------------


def write_parquet(path: Path, columns: dict[str, Any]) -> Path:
    pa = pytest.importorskip("pyarrow", reason="Parquet checks need pyarrow (parquet extra)")
    pq = pytest.importorskip(
        "pyarrow.parquet", reason="Parquet checks need pyarrow (parquet extra)"
    )
    pq.write_table(pa.table(columns), path, row_group_size=3)
    return path


def test_a_valid_parquet_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset_files, "PARQUET_BATCH_ROWS", 2)
    rows = 7
    path = write_parquet(
        tmp_path / "tok.parquet",
        {
            "input_ids": [[1, 2, 3]] * rows,
            "attention_mask": [[1, 1, 1]] * rows,
            "labels": [[-100, 2, 3]] * rows,
        },
    )
    seen: list[int] = []
    report = check_file(path, min_samples=rows, progress=lambda done, total: seen.append(done))
    assert report.ok, report.problems
    assert (report.file_type, report.format, report.num_samples) == ("parquet", "pretokenized", 7)
    assert seen[-1] == path.stat().st_size


def test_parquet_problems_carry_row_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_files, "PARQUET_BATCH_ROWS", 2)
    ids = [[1, 2]] * 5
    masks = [[1, 1], [1, 1], [1, 1], [1], [1, 3]]
    path = write_parquet(tmp_path / "tok.parquet", {"input_ids": ids, "attention_mask": masks})
    report = check_file(path, min_samples=1)
    assert codes(report) == [(4, "length_mismatch"), (5, "attention_mask_values")]


def test_parquet_schema_problems(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "tok.parquet", {"text": ["a", "b"]})
    report = check_file(path, min_samples=1)
    assert codes(report) == [
        (None, "missing_column"),
        (None, "extra_column"),
        (None, "too_few_samples"),
    ]


def test_a_corrupt_parquet_file(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="Parquet checks need pyarrow (parquet extra)")
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    assert codes(check_file(path)) == [(None, "parquet_invalid")]


def test_parquet_without_pyarrow_is_a_clear_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tok.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes ``import pyarrow`` fail
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    report = check_file(path)
    assert codes(report) == [(None, "parquet_unavailable")]
    assert "together_fn[parquet]" in report.problems[0].message


def test_parquet_is_not_for_evaluation(tmp_path: Path) -> None:
    path = tmp_path / "tok.parquet"
    path.write_bytes(b"PAR1")
    assert codes(check_file(path, purpose="eval")) == [(None, "unsupported_file_type")]
