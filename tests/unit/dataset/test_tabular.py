"""CSV evaluation data and pre-tokenized columns."""

from __future__ import annotations

import pytest

from tests.unit.dataset.helpers import codes
from together_fn.dataset import CheckReport, CsvChecker, PretokenizedChecker


def check_csv(data: bytes, purpose: str = "eval", **kwargs: object) -> CheckReport:
    checker = CsvChecker(purpose=purpose, **kwargs)  # type: ignore[arg-type]
    checker.feed_lines(data.splitlines(keepends=True))
    return checker.finish(size_bytes=len(data))


def test_a_valid_csv_passes() -> None:
    report = check_csv(b'question,answer\n"What, exactly?",42\nq2,"multi\nline"\nq3,a3\n')
    assert report.ok, report.problems
    assert report.num_samples == 3
    assert report.file_type == "csv"


def test_rows_must_match_the_header_and_are_numbered_by_their_first_line() -> None:
    report = check_csv(b'a,b\n1,2\n"x\ny",2,3\n4\n5,6\n')
    assert codes(report) == [(3, "csv_column_count"), (5, "csv_column_count")]
    assert "3 fields; the header has 2" in report.problems[0].message


def test_header_problems() -> None:
    assert codes(check_csv(b"a,,a\n1,2,3\n")) == [(1, "csv_header"), (1, "csv_header")]
    assert codes(check_csv(b"\n\n", min_samples=0)) == [(None, "csv_header")]


def test_csv_needs_a_row_below_the_header() -> None:
    assert codes(check_csv(b"a,b\n")) == [(None, "too_few_samples")]


def test_malformed_quoting_is_reported_and_reading_goes_on() -> None:
    report = check_csv(b'a,b\n"x"y,2\n1,2,3\n')
    assert codes(report) == [(2, "csv_error"), (3, "csv_column_count")]


def test_csv_encoding_problems() -> None:
    report = check_csv(b"\xef\xbb\xbfa,b\n1,caf\xe9\n")
    assert codes(report) == [(1, "bom"), (2, "not_utf8")]
    assert report.problems[0].severity == "warning"


def test_csv_blank_lines_inside_are_warnings() -> None:
    report = check_csv(b"a,b\n1,2\n\n3,4\n\n")
    assert codes(report) == [(3, "blank_line")]
    assert report.ok


def test_csv_is_only_for_evaluation() -> None:
    report = check_csv(b"a,b\n1,2\n", purpose="fine-tune")
    assert codes(report) == [(None, "unsupported_file_type")]
    assert report.format is None


def test_an_empty_csv() -> None:
    assert codes(check_csv(b"")) == [(None, "empty_file")]


INT_LIST = "list<element: int32>"


def pretokenized(
    columns: dict[str, list[list[int] | None]],
    schema: dict[str, str] | None = None,
    purpose: str = "fine-tune",
) -> CheckReport:
    checker = PretokenizedChecker(purpose=purpose, min_samples=1)
    if checker.feed_schema(schema or dict.fromkeys(columns, INT_LIST)):
        half = len(columns["input_ids"]) // 2
        checker.feed_batch(1, {name: values[:half] for name, values in columns.items()})
        checker.feed_batch(half + 1, {name: values[half:] for name, values in columns.items()})
    return checker.finish(size_bytes=100)


def test_valid_pretokenized_columns() -> None:
    report = pretokenized(
        {
            "input_ids": [[1, 2, 3], [4, 5]],
            "attention_mask": [[1, 1, 0], [1, 1]],
            "labels": [[-100, 2, 3], [4, -100]],
            "position_ids": [[0, 1, 2], [0, 1]],
        }
    )
    assert report.ok, report.problems
    assert report.num_samples == 2
    assert report.format == "pretokenized"
    assert report.file_type == "parquet"


def test_only_input_ids_is_required() -> None:
    assert pretokenized({"input_ids": [[1], [2, 3]]}).ok


def test_row_problems_carry_their_row_number() -> None:
    report = pretokenized(
        {
            "input_ids": [[1, 2], [], [3, 4], None, [5]],
            "attention_mask": [[1, 1], [], [1, 2], [1], [1, 1]],
            "labels": [[1, 2], [], None, [1], [5]],
        }
    )
    assert codes(report) == [
        (2, "empty_input_ids"),
        (3, "length_mismatch"),
        (3, "attention_mask_values"),
        (4, "empty_input_ids"),
        (5, "length_mismatch"),
    ]
    assert report.problems[1].message == "`labels` has null values; `input_ids` has 2"
    assert report.problems[4].message == "`attention_mask` has 2 values; `input_ids` has 1"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"attention_mask": INT_LIST}, [(None, "missing_column")]),
        ({"input_ids": INT_LIST, "text": "string"}, [(None, "extra_column")]),
        ({"input_ids": "list<element: double>"}, [(None, "column_type")]),
        ({"input_ids": "string"}, [(None, "column_type")]),
    ],
)
def test_schema_problems(schema: dict[str, str], expected: list[tuple[None, str]]) -> None:
    checker = PretokenizedChecker(purpose="fine-tune", min_samples=0)
    checker.feed_schema(schema)
    assert codes(checker.finish()) == expected


@pytest.mark.parametrize(
    "arrow_type", ["large_list<item: int64>", "list<item: uint16>", "list<element: int8>"]
)
def test_integer_list_types_are_accepted(arrow_type: str) -> None:
    checker = PretokenizedChecker(purpose="fine-tune", min_samples=0)
    assert checker.feed_schema({"input_ids": arrow_type})


def test_parquet_is_only_for_fine_tuning() -> None:
    report = pretokenized({"input_ids": [[1]]}, purpose="eval")
    assert codes(report) == [(None, "unsupported_file_type")]


def test_tabular_checkers_refuse_unknown_purposes() -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        CsvChecker(purpose="evaluation")
    with pytest.raises(ValueError, match="unknown purpose"):
        PretokenizedChecker(purpose="train")
