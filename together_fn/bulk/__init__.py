"""The bulk runner's pure parts: input lines and their check, endpoints, result lines, the
rate governor, resuming from the output, and the summary. The I/O is in
:mod:`together_fn.executors.bulk` (``run_bulk`` / ``bulk_run``)."""

from __future__ import annotations

from together_fn.bulk.endpoints import (
    DEFAULT_ENDPOINT,
    ENDPOINTS,
    Endpoint,
    build_call,
    endpoint_for,
)
from together_fn.bulk.governor import Governor, GovernorSettings
from together_fn.bulk.lines import BulkInputError, Problem, RequestLine, check_input
from together_fn.bulk.results import ResultError, ResultLine, encode_result, parse_result
from together_fn.bulk.resume import CorruptOutputError, OutputScan, ResumePlan, plan_resume
from together_fn.bulk.summary import BulkSummary, format_summary

__all__ = [
    "DEFAULT_ENDPOINT",
    "ENDPOINTS",
    "BulkInputError",
    "BulkSummary",
    "CorruptOutputError",
    "Endpoint",
    "Governor",
    "GovernorSettings",
    "OutputScan",
    "Problem",
    "RequestLine",
    "ResultError",
    "ResultLine",
    "ResumePlan",
    "build_call",
    "check_input",
    "encode_result",
    "endpoint_for",
    "format_summary",
    "parse_result",
    "plan_resume",
]
