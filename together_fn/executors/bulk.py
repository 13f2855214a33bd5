"""Run a JSONL file of requests against the API, resumably: the bulk runner's I/O.

    summary = bulk_run("questions.jsonl", "answers.jsonl", rpm=600, tpm=200_000)

The input is checked whole before anything is sent. A fixed pool of ``concurrency`` workers
takes requests one at a time from a streaming reader of the input (nothing is read ahead, so
memory does not grow with the input: the check keeps 8 bytes per line, a resumed run the ids
already done), each send waits for the rate governor, and each result is appended to the
output with one ``write`` of one complete line (``O_APPEND``, under an exclusive lock). The
output is the checkpoint: run the same command again and ids already written are skipped, a
torn last line is cut off first.

Durability (the fsync policy): lines reach the operating system as they are written, so a
crash or ``kill -9`` of this process loses nothing written. Against a crash of the machine,
the file is fsynced in the background every ``fsync_every`` lines or ``fsync_interval``
seconds, whichever comes first, and once more at the end: at most that unsynced tail is lost,
and a partial last line is detected and cut off on resume.

Cancelling the run (Ctrl-C under :func:`bulk_run`) stops it cleanly: requests in flight are
abandoned without writing anything, and the summary says how many remain.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Callable, Generator, Iterator
from typing import Any

import attrs
from returns.result import Failure, Success

from together_fn.bulk.endpoints import DEFAULT_ENDPOINT, Endpoint, actual_tokens, build_call
from together_fn.bulk.endpoints import endpoint_for as _endpoint_for
from together_fn.bulk.governor import (
    GovernorSettings,
    correct_tokens,
    new_governor,
    observe,
    reserve,
    spent_budget,
)
from together_fn.bulk.lines import BulkInputError, Problem, is_blank, parse_request_line
from together_fn.bulk.results import encode_answer, encode_result, result_of
from together_fn.bulk.summary import BulkSummary, count_statuses
from together_fn.calls import Call, Exchange, RateLimit, rate_limit_of
from together_fn.codec import loads
from together_fn.config import ClientConfig, config_from_env
from together_fn.errors import APIConnectionError, APIResponseValidationError
from together_fn.executors._threads import to_thread_owned
from together_fn.executors.base import SYSTEM_CLOCK, AsyncTransport
from together_fn.executors.bulk_files import (
    PathLike,
    check_input_file,
    close_output,
    prepare_output,
)
from together_fn.flows import Clock, Send, Sleep, request_flow
from together_fn.http import HttpResponse
from together_fn.retry import retry_after

DEFAULT_CONCURRENCY = 64
DEFAULT_FSYNC_EVERY = 1000
DEFAULT_FSYNC_INTERVAL = 1.0
_POSTFIX_EVERY = 0.5
_NO_LIMITS = RateLimit()

Item = tuple[str, Call[Any], int]


class _Run:
    """One run's mutable state: the governor, the output descriptor, the counters."""

    def __init__(
        self,
        *,
        transport: AsyncTransport,
        config: ClientConfig,
        governor: GovernorSettings,
        fd: int,
        fsync_every: int,
        fsync_interval: float,
        progress: Any,
        clock: Clock,
        sleep: Callable[[float], Any],
    ) -> None:
        self.transport, self.config, self.clock, self.sleep = transport, config, clock, sleep
        self.governor = new_governor(governor, clock.monotonic())
        self.tokens_metered = governor.tpm is not None
        self.fd = fd
        self.fsync_every, self.fsync_interval = fsync_every, fsync_interval
        self.progress = progress
        self.ok = self.failed = self.skipped = self.retries = self.rate_limited = 0
        self.statuses: dict[int, int] = {}
        self.unsynced = 0
        self.synced_at = self.postfix_at = clock.monotonic()
        self.syncing: asyncio.Task[None] | None = None

    async def perform(self, call: Call[Any], cost: int) -> tuple[Exchange[Any], float]:
        """Drive the call's retry flow, every send gated by the governor."""
        flow = request_flow(call, self.config, self.clock)
        outcome: Any = None
        waited = 0.0
        try:
            while True:
                effect = flow.send(outcome)
                if isinstance(effect, Send):
                    self.governor, delay = reserve(self.governor, cost, self.clock.monotonic())
                    if delay > 0:
                        waited += delay
                        await self.sleep(delay)
                    try:
                        outcome = await self.transport.asend(effect.request)
                    except APIConnectionError as failure:
                        outcome = failure
                    self._observe(outcome, cost)
                elif isinstance(effect, Sleep):
                    await self.sleep(effect.seconds)
                    outcome = None
        except StopIteration as done:
            exchange: Exchange[Any] = done.value
        return exchange, waited

    def _observe(self, outcome: HttpResponse | APIConnectionError, cost: int) -> None:
        if isinstance(outcome, APIConnectionError):
            self.governor = observe(
                self.governor,
                status=None,
                rate_limit=_NO_LIMITS,
                retry_after=None,
                now=self.clock.monotonic(),
            )
            return
        limited = outcome.status == 429
        rate_limit = rate_limit_of(outcome.headers)
        if (
            not limited
            and not self.governor.strikes
            and not spent_budget(rate_limit, self.governor.settings)
        ):
            return  # an ordinary answer: nothing to learn (a success ends a run of 429s)
        self.governor = observe(
            self.governor,
            status=outcome.status,
            rate_limit=rate_limit,
            retry_after=retry_after(outcome.headers, self.clock.wall()) if limited else None,
            now=self.clock.monotonic(),
        )
        if limited:
            self.rate_limited += 1
            # A throttled request used no tokens: give its estimate back.
            self.governor = correct_tokens(self.governor, estimated=cost, actual=0)

    def _line(
        self, custom_id: str, exchange: Exchange[bytes], started: float, waited: float, cost: int
    ) -> tuple[bytes, int | None]:
        """The line to write, and the failure's status (``None``: success, ``0``: no answer)."""
        elapsed, started_at = round(exchange.elapsed, 6), round(started, 3)
        if isinstance(exchange.result, Success):
            body: bytes = exchange.result.unwrap()
            try:
                value = loads(body)
            except (ValueError, RecursionError) as exc:
                error = APIResponseValidationError(
                    message="the response is not JSON",
                    status=exchange.status,
                    request_id=exchange.request_id,
                    type_name="JSON",
                    problems=(f"{type(exc).__name__}: {exc}",),
                    body=body,
                )
                exchange = attrs.evolve(exchange, result=Failure(error))
            else:
                if self.governor.settings.tpm is not None:
                    actual = actual_tokens(value)
                    self.governor = correct_tokens(self.governor, estimated=cost, actual=actual)
                answer = encode_answer(
                    custom_id,
                    body,
                    attempts=exchange.attempts,
                    elapsed=elapsed,
                    started_at=started_at,
                    waited=round(waited, 6),
                )
                return answer, None
        line = result_of(custom_id, exchange, started_at=started_at, waited=waited)
        return encode_result(line), line.error.status or 0 if line.error else 0

    def write(
        self, custom_id: str, exchange: Exchange[bytes], started: float, waited: float, cost: int
    ) -> None:
        """Append one complete line with one write; count it; fsync when due."""
        data, failure = self._line(custom_id, exchange, started, waited, cost)
        written = os.write(self.fd, data)
        if written != len(data):
            raise OSError(f"short write to the output ({written} of {len(data)} bytes)")
        self.retries += max(0, exchange.attempts - 1)
        if failure is None:
            self.ok += 1
        else:
            self.failed += 1
            self.statuses[failure] = self.statuses.get(failure, 0) + 1
        self.unsynced += 1
        now = self.clock.monotonic()
        due = self.unsynced >= self.fsync_every or now - self.synced_at >= self.fsync_interval
        if due and self.syncing is None:
            self.unsynced, self.synced_at = 0, now
            self.syncing = asyncio.get_running_loop().create_task(self._sync())
        self._report(now)

    async def _sync(self) -> None:
        try:
            await asyncio.to_thread(os.fsync, self.fd)
        finally:
            self.syncing = None

    def _report(self, now: float) -> None:
        if self.progress is None:
            return
        self.progress.update(1)
        if now - self.postfix_at >= _POSTFIX_EVERY:
            self.postfix_at = now
            self.progress.set_postfix_str(
                f"ok={self.ok} failed={self.failed} 429s={self.rate_limited}", refresh=False
            )

    async def worker(self, items: Iterator[Item]) -> None:
        """Take the next request, send it, write its line; until the input is exhausted."""
        for custom_id, call, cost in items:
            started = self.clock.wall()
            exchange, waited = await self.perform(call, cost)
            self.write(custom_id, exchange, started, waited, cost)

    def items(self, path: PathLike, endpoint: Endpoint, done: frozenset[str]) -> Generator[Item]:
        """The input's requests, read as they are taken, skipping ids already done.

        The workers share this one iterator: taking an item never awaits, so each is taken
        by exactly one worker, and nothing is read ahead of the pool.
        """
        with open(path, "rb") as lines:
            for number, data in enumerate(lines, start=1):
                if is_blank(data):
                    continue
                parsed = parse_request_line(data, number)
                if isinstance(parsed, Problem):  # the file changed since it was checked
                    raise BulkInputError((parsed,))
                if parsed.custom_id in done:
                    self.skipped += 1
                    continue
                cost = endpoint.estimate_tokens(parsed.body) if self.tokens_metered else 0
                yield parsed.custom_id, build_call(endpoint, parsed.body), cost

    async def finish(self) -> None:
        """Wait for a background fsync, then sync what is left."""
        if self.syncing is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self.syncing
        os.fsync(self.fd)


def _progress_bar(progress: Any, total: int) -> tuple[Any, bool]:
    if progress is None or progress is False:
        return None, False
    if progress is True:
        import importlib

        try:
            tqdm: Any = importlib.import_module("tqdm.auto").tqdm
        except ImportError as exc:
            raise ImportError("progress=True draws a bar with tqdm: pip install tqdm") from exc
        return tqdm(total=total, unit="req", smoothing=0.05, dynamic_ncols=True), True
    if getattr(progress, "total", 0) is None:
        progress.total = total
    return progress, False


def _config(
    config: ClientConfig | None, api_key: str | None, base_url: str | None, max_retries: int | None
) -> ClientConfig:
    if config is not None:
        return config
    match config_from_env(os.environ, api_key=api_key, base_url=base_url, max_retries=max_retries):
        case Success(ClientConfig() as resolved):
            return resolved
        case Failure(error):
            raise error
    raise AssertionError("unreachable")  # pragma: no cover


async def run_bulk(
    input_path: PathLike,
    output_path: PathLike,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    concurrency: int = DEFAULT_CONCURRENCY,
    rpm: float | None = None,
    tpm: float | None = None,
    retry_failed: bool = False,
    progress: Any = None,
    via: str = "local",
    config: ClientConfig | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    max_retries: int | None = None,
    transport: AsyncTransport | None = None,
    governor: GovernorSettings | None = None,
    fsync_every: int = DEFAULT_FSYNC_EVERY,
    fsync_interval: float = DEFAULT_FSYNC_INTERVAL,
    clock: Clock = SYSTEM_CLOCK,
    sleep: Callable[[float], Any] | None = None,
    **batch: Any,
) -> BulkSummary:
    """Send every request of ``input_path`` and append one result line per ``custom_id`` to
    ``output_path``; see the module documentation for the guarantees.

    ``progress``: ``True`` for a tqdm bar, or any object with ``update(n)`` and
    ``set_postfix_str(text, refresh=...)``. ``config`` (or ``api_key``/``base_url``/
    ``max_retries`` over the environment) sets the client; the retry policy applies to every
    request, after which a failure is written as an error line, retried by a later run only
    with ``retry_failed``. ``governor`` tunes the rate governor (``rpm``/``tpm`` win).
    ``via="batch"`` hands the file to the Batch API instead; ``batch`` are the options of
    :func:`together_fn.executors.bulk_batch.run_bulk_via_batch` (``batch_id``, ``wait``...).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    target = _endpoint_for(endpoint)
    client = _config(config, api_key, base_url, max_retries)
    if via == "batch":
        # Imported here: the batch road needs the upload, download and wait drivers.
        from together_fn.executors.bulk_batch import run_bulk_via_batch

        return await run_bulk_via_batch(
            input_path, output_path, endpoint=target, config=client, retry_failed=retry_failed,
            transport=transport, clock=clock, sleep=sleep, **batch,
        )  # fmt: skip
    if via != "local":
        raise ValueError(f"via must be 'local' or 'batch', got {via!r}")
    if batch:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(batch))}")
    settings = _ceilings(governor or GovernorSettings(), rpm, tpm)
    total = await asyncio.to_thread(check_input_file, input_path)
    preparing = functools.partial(prepare_output, output_path, retry_failed=retry_failed)
    fd, plan = await to_thread_owned(close_output, preparing)
    owned = transport is None
    if transport is None:
        from together_fn.executors.aiohttp_transport import AiohttpTransport

        transport = AiohttpTransport(limit=concurrency)
    bar, own_bar = _progress_bar(progress, max(0, total - len(plan.done)))
    run = _Run(
        transport=transport,
        config=client,
        governor=settings,
        fd=fd,
        fsync_every=max(1, fsync_every),
        fsync_interval=fsync_interval,
        progress=bar,
        clock=clock,
        sleep=sleep or asyncio.sleep,
    )
    start = clock.monotonic()
    interrupted = False
    items = run.items(input_path, target, plan.done)
    tasks = [asyncio.create_task(run.worker(items)) for _ in range(concurrency)]
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        interrupted = True
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        items.close()
        try:
            await run.finish()
        finally:
            os.close(fd)
            if owned:
                await transport.aclose()
            if own_bar:
                bar.close()
    return BulkSummary(
        total=total,
        skipped=run.skipped,
        ok=run.ok,
        failed=run.failed,
        remaining=total - run.skipped - run.ok - run.failed,
        retries=run.retries,
        rate_limited=run.rate_limited,
        interrupted=interrupted,
        elapsed=clock.monotonic() - start,
        statuses=count_statuses(run.statuses),
        truncated_bytes=plan.torn_bytes,
        compacted=plan.compact,
        output=os.fspath(output_path),
    )


def _ceilings(settings: GovernorSettings, rpm: float | None, tpm: float | None) -> GovernorSettings:
    changes = {k: v for k, v in (("rpm", rpm), ("tpm", tpm)) if v is not None}
    return attrs.evolve(settings, **changes) if changes else settings


def bulk_run(input_path: PathLike, output_path: PathLike, **options: Any) -> BulkSummary:
    """:func:`run_bulk` in its own event loop. Ctrl-C stops the run cleanly and returns
    the summary (``interrupted=True``); a second Ctrl-C stops at once."""
    return asyncio.run(run_bulk(input_path, output_path, **options))
