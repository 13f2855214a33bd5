"""``together-fn bulk run``: send a whole JSONL of requests, resumably, within rate limits."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from together_fn.bulk.endpoints import DEFAULT_ENDPOINT, build_call, endpoint_for
from together_fn.bulk.lines import BulkInputError, Problem, is_blank, parse_request_line
from together_fn.bulk.resume import CorruptOutputError
from together_fn.cli.common import Command, flag, optional, positional, required
from together_fn.cli.output import to_json
from together_fn.cli.run import EXIT_API_ERROR, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from together_fn.cli.run import Runner


@dataclass(frozen=True, kw_only=True)
class RunArgs:
    """Options of ``bulk run``."""

    input: str = positional(
        "input", str, "the requests, one {custom_id, body} object per line", metavar="IN.jsonl"
    )
    out: str = required(
        str, "where results are appended (and what a rerun resumes from)", metavar="OUT.jsonl"
    )
    endpoint: str = optional(
        str, "the endpoint of every request", metavar="PATH", default=DEFAULT_ENDPOINT
    )
    concurrency: int = optional(int, "requests in flight at once", metavar="N", default=64)
    rpm: float | None = optional(float, "at most this many requests per minute", metavar="N")
    tpm: float | None = optional(float, "at most this many tokens per minute", metavar="N")
    via: str = optional(
        str, "send the requests here, or hand the file to the Batch API", metavar="WAY",
        choices=("local", "batch"), default="local",
    )  # fmt: skip
    retry_failed: bool = flag("send again the requests an earlier run recorded as failed")


def first_request(args: RunArgs) -> Any:
    """The Call the first line of the input makes (for ``--dry-run``)."""
    with open(args.input, "rb") as lines:
        for number, data in enumerate(lines, start=1):
            if is_blank(data):
                continue
            parsed = parse_request_line(data, number)
            if isinstance(parsed, Problem):
                raise ValueError(f"{args.input}, line {parsed.line}: {parsed.message}")
            return build_call(endpoint_for(args.endpoint), parsed.body)
    raise ValueError(f"{args.input} holds no request")


def run(args: RunArgs, runner: "Runner") -> int:
    """Run every request of the input (or show the first with ``--dry-run``); the summary
    goes to stdout, exit 1 if any request failed, 130 if interrupted."""
    from together_fn.bulk import format_summary
    from together_fn.executors.bulk import bulk_run
    from together_fn.executors.replay import ReplayTransport

    if runner.options.dry_run or runner.executor is None:
        return runner.show_request(first_request(args).request)
    if runner.options.record:
        runner.console.error("together-fn: error: bulk run does not record cassettes")
        return EXIT_USAGE
    given = runner.executor.transport
    try:
        summary = bulk_run(
            args.input,
            args.out,
            endpoint=args.endpoint,
            concurrency=args.concurrency,
            rpm=args.rpm,
            tpm=args.tpm,
            via=args.via,
            retry_failed=args.retry_failed,
            config=runner.config,
            # A cassette answers async requests too; otherwise the runner opens aiohttp.
            transport=given if isinstance(given, ReplayTransport) else None,
            progress=True if runner.bars() else None,
        )
    except BulkInputError as problem:
        runner.console.error(f"together-fn: invalid input: {problem}")
        return EXIT_INVALID
    except (CorruptOutputError, RuntimeError) as problem:
        runner.console.error(f"together-fn: error: {problem}")
        return EXIT_USAGE
    runner.console.write(
        (to_json(summary) if runner.options.json else format_summary(summary)) + "\n"
    )
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_API_ERROR if summary.failed else EXIT_OK


RUN = Command(
    name="bulk run",
    summary="send a JSONL of requests, resumably, within rate limits",
    options=RunArgs,
    action=run,
)
COMMANDS = (RUN,)
