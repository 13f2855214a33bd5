"""together_fn against the raw floor (bare requests / aiohttp / json), side by side.

    python -m benchmarks.run            # the full run (a couple of minutes)
    python -m benchmarks.run --quick    # a smoke run with small counts (well under 20 s)
    python -m benchmarks.run --profile stream   # cProfile the together_fn side of one measure

CPU is measured in this process with ``time.process_time``; the loopback server is another
process (``benchmarks/server.py``), so its CPU never counts. Every measure is repeated in
rounds that run the floor and together_fn back to back: the times shown are the best of each
side, the ratio is the median of the rounds' ratios (drift in the machine's speed hits both
sides of a round alike). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import attrs

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import requests
from returns.result import Success

from benchmarks.payloads import embeddings_payload, models_payload
from benchmarks.server import MODEL
from together_fn import ClientConfig, api
from together_fn.codec import decode_json
from together_fn.executors import AiohttpTransport, AsyncExecutor, Executor, RequestsTransport
from together_fn.executors._bodies import CHUNK_SIZE as READ_SIZE
from together_fn.models.embeddings import EmbeddingsResponse
from together_fn.models.models import ModelInfo

SERVER = Path(__file__).resolve().with_name("server.py")
API_KEY = "bench-key"
MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Complete this sentence with words, one plus one is equal "},
]
#: The request both sides send: the raw floor encodes this dict, together_fn builds it.
BODY: dict[str, Any] = {"model": MODEL, "messages": MESSAGES, "max_tokens": 128}
CONCURRENCY = 64


@attrs.frozen(kw_only=True)
class Settings:
    """How much work each measure does: ``rounds`` alternating batches per side, the best kept.

    Many short batches rather than a few long ones: a burst of noise from elsewhere on the
    machine then spoils a batch or two, not the result.
    """

    import_runs: int
    sync_calls: int  # per batch
    async_calls: int  # per batch
    stream_chunks: int  # one stream per batch
    embeddings_reps: int  # per batch
    models_reps: int  # per batch
    rounds: int


FULL = Settings(
    import_runs=10,
    sync_calls=200,
    async_calls=640,
    stream_chunks=20_000,
    embeddings_reps=2,
    models_reps=20,
    rounds=12,
)
QUICK = Settings(
    import_runs=4,
    sync_calls=100,
    async_calls=320,
    stream_chunks=2_000,
    embeddings_reps=1,
    models_reps=10,
    rounds=3,
)


@attrs.frozen(kw_only=True)
class Row:
    """One line of the table; ``ratio`` is together_fn over the floor."""

    measure: str
    ours: str
    floor: str
    ratio: str
    target: str
    met: bool | None


#: With ``--profile``: collects the together_fn side only (see :func:`profiled`).
PROFILER: cProfile.Profile | None = None


@contextmanager
def profiled() -> Iterator[None]:
    """Profile the block if ``--profile`` asked for it (wrap together_fn's side only)."""
    if PROFILER is None:
        yield
        return
    PROFILER.enable()
    try:
        yield
    finally:
        PROFILER.disable()


def cpu(work: Callable[[], object]) -> float:
    """CPU seconds this process spends in ``work()`` (garbage collected first)."""
    gc.collect()
    start = time.process_time()
    work()
    return time.process_time() - start


def per_call(once: Callable[[], object], n: int) -> Callable[[], float]:
    """A measurement: CPU seconds per call of ``once``, over ``n`` calls (results dropped)."""

    def work() -> None:
        for _ in range(n):
            once()

    return lambda: cpu(work) / n


@attrs.frozen(kw_only=True)
class Measured:
    """One measure of both sides: the best of each, and their typical ratio."""

    mine: float
    floor: float
    #: The median of the per-round ratios: each round runs both sides back to back, so a
    #: slow or fast spell of the machine (a virtual machine's neighbours, frequency scaling)
    #: scales both and cancels out, where the ratio of two best times taken at different
    #: moments would not.
    ratio: float


def paired(mine: list[float], floor: list[float]) -> Measured:
    """Summarize rounds of both sides, measured in pairs (``mine[i]`` beside ``floor[i]``)."""
    ratios = [m / f for m, f in zip(mine, floor, strict=True)]
    return Measured(mine=min(mine), floor=min(floor), ratio=statistics.median(ratios))


def best_of(rounds: int, ours: Callable[[], float], floor: Callable[[], float]) -> Measured:
    """``rounds`` alternating measurements of each side."""
    mine, theirs = [], []
    for _ in range(rounds):
        theirs.append(floor())
        with profiled():
            mine.append(ours())
    return paired(mine, theirs)


def ratio_row(measure: str, measured: Measured, target: float, unit: str, scale: float) -> Row:
    """A row comparing two costs (lower is better) against a target ratio."""
    return Row(
        measure=measure,
        ours=f"{measured.mine * scale:,.1f} {unit}",
        floor=f"{measured.floor * scale:,.1f} {unit}",
        ratio=f"{measured.ratio:.2f}x",
        target=f"<= {target:g}x",
        met=measured.ratio <= target,
    )


# -- 1. import time ------------------------------------------------------------------------------


def import_time(settings: Settings) -> list[Row]:
    """Median wall time of ``python -c 'import together_fn'`` and of ``python -c pass``."""
    # Installed packages have their bytecode compiled; make sure ours is too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(SERVER.parents[1])

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - start

    probe = (
        "import sys, together_fn; print(*sorted({'aiohttp','requests','yaml'} & set(sys.modules)))"
    )
    heavy = subprocess.run(
        [sys.executable, "-c", probe], check=True, env=env, capture_output=True, text=True
    ).stdout.split()
    wall("import together_fn")  # writes __pycache__ if missing
    bare, ours = [], []
    for _ in range(settings.import_runs):
        bare.append(wall("pass"))
        ours.append(wall("import together_fn"))
    extra_ms = (statistics.median(ours) - statistics.median(bare)) * 1000
    note = f" (pulls in {', '.join(heavy)}!)" if heavy else ""
    return [
        Row(
            measure=f"1. import together_fn (median of {settings.import_runs}){note}",
            ours=f"{statistics.median(ours) * 1000:.1f} ms",
            floor=f"{statistics.median(bare) * 1000:.1f} ms",
            ratio=f"+{extra_ms:.1f} ms",
            target="<= +150 ms",
            met=extra_ms <= 150 and not heavy,
        )
    ]


# -- 2. sync chat --------------------------------------------------------------------------------


def _headers(config: ClientConfig, accept: str = "application/json") -> dict[str, str]:
    # What together_fn sends, so that both sides put the same bytes on the wire.
    return {
        "accept": accept,
        "user-agent": config.user_agent,
        "content-type": "application/json",
        "authorization": f"Bearer {config.api_key}",
    }


def _timeout(config: ClientConfig) -> tuple[float, float]:
    return (config.timeout.connect, config.timeout.read)


def _chat_call() -> Any:
    return api.chat.create_chat_completion(model=MODEL, messages=MESSAGES, max_tokens=128)


def sync_chat(settings: Settings, config: ClientConfig) -> list[Row]:
    """CPU per call: ``Executor.run(create_chat_completion(...))`` against ``Session.post``."""
    url = f"{config.base_url}/chat/completions"
    session = requests.Session()
    headers, timeout = _headers(config), _timeout(config)
    executor = Executor(RequestsTransport(), config)
    n = settings.sync_calls

    def raw_once() -> object:
        response = session.post(url, data=json.dumps(BODY), headers=headers, timeout=timeout)
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")
        return json.loads(response.content)

    def ours_once() -> object:
        result = executor.run(_chat_call())
        if not isinstance(result, Success):
            raise RuntimeError(f"together_fn failed: {result!r}")
        return result

    for _ in range(max(50, n // 10)):  # warm-up: connections, caches, cattrs hooks
        raw_once()
        ours_once()
    try:
        measured = best_of(settings.rounds, per_call(ours_once, n), per_call(raw_once, n))
    finally:
        executor.close()
        session.close()
    label = f"2. sync chat, CPU per call ({settings.rounds}x{n} calls)"
    return [ratio_row(label, measured, 1.1, "us", 1e6)]


# -- 3. async chat -------------------------------------------------------------------------------


async def _gather(n: int, once: Callable[[], Any]) -> tuple[float, float]:
    """CPU per call and calls per wall-clock second for ``n`` calls, ``CONCURRENCY`` at a time."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def gated() -> object:
        async with gate:
            return await once()

    gc.collect()
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(gated() for _ in range(n)))
    return (time.process_time() - start_cpu) / n, n / (time.perf_counter() - start_wall)


async def _async_chat(settings: Settings, config: ClientConfig) -> list[Row]:
    url = f"{config.base_url}/chat/completions"
    headers = _headers(config)
    # The default transport reads proxy settings and ~/.netrc (trust_env=True) as requests
    # does; the second executor shows what that costs per call.
    executor = AsyncExecutor(AiohttpTransport(), config)
    no_env = AsyncExecutor(AiohttpTransport(trust_env=False), config)
    session = aiohttp.ClientSession()
    n = settings.async_calls

    async def raw_once() -> object:
        async with session.post(url, data=json.dumps(BODY), headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"status {response.status}")
            return json.loads(await response.read())

    def ours(runner: AsyncExecutor) -> Callable[[], Any]:
        async def once() -> object:
            result = await runner.arun(_chat_call())
            if not isinstance(result, Success):
                raise RuntimeError(f"together_fn failed: {result!r}")
            return result

        return once

    sides = {"raw": raw_once, "ours": ours(executor), "no_env": ours(no_env)}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    try:
        for once in sides.values():
            await _gather(max(CONCURRENCY * 2, n // 10), once)
        for _ in range(settings.rounds):
            for name, once in sides.items():
                with profiled() if name == "ours" else nullcontext():
                    results[name].append(await _gather(n, once))
    finally:
        await executor.aclose()
        await no_env.aclose()
        await session.close()
    raw_cpu = [c for c, _ in results["raw"]]
    cpu = paired([c for c, _ in results["ours"]], raw_cpu)
    untrusting = paired([c for c, _ in results["no_env"]], raw_cpu)
    rate_floor, rate_mine = (max(r for _, r in results[k]) for k in ("raw", "ours"))
    label = f"async chat x{CONCURRENCY} ({settings.rounds}x{n} calls)"
    return [
        ratio_row(f"3. {label}, CPU per call", cpu, 1.3, "us", 1e6),
        Row(
            measure=f"   {label}, wall-clock calls/s",
            ours=f"{rate_mine:,.0f}/s",
            floor=f"{rate_floor:,.0f}/s",
            ratio=f"{rate_floor / rate_mine:.2f}x",
            target="(info)",
            met=None,
        ),
        Row(
            measure="   the same, AiohttpTransport(trust_env=False)",
            ours=f"{untrusting.mine * 1e6:,.1f} us",
            floor=f"{untrusting.floor * 1e6:,.1f} us",
            ratio=f"{untrusting.ratio:.2f}x",
            target="(info)",
            met=None,
        ),
    ]


def async_chat(settings: Settings, config: ClientConfig) -> list[Row]:
    """CPU per call: ``AsyncExecutor.arun`` against ``ClientSession.post``, 64 in flight."""
    return asyncio.run(_async_chat(settings, config))


# -- 4. stream -----------------------------------------------------------------------------------


def stream_chat(settings: Settings, config: ClientConfig) -> list[Row]:
    """CPU per chunk of a long SSE stream: ``Executor.stream`` against ``iter_lines`` + loads."""
    url = f"{config.base_url}/chat/completions"
    session = requests.Session()
    headers, timeout = _headers(config, "text/event-stream"), _timeout(config)
    executor = Executor(RequestsTransport(), config)
    chunks = settings.stream_chunks
    body = json.dumps({**BODY, "stream": True})

    def raw_once() -> int:
        count = 0
        with session.post(url, data=body, headers=headers, timeout=timeout, stream=True) as r:
            for line in r.iter_lines(chunk_size=READ_SIZE):
                if line.startswith(b"data: "):
                    data = line[6:]
                    if data == b"[DONE]":
                        break
                    json.loads(data)
                    count += 1
        return count

    def ours_once() -> int:
        count = 0
        call = api.chat.stream_chat_completion(model=MODEL, messages=MESSAGES, max_tokens=128)
        with executor.stream(call) as results:
            for result in results:
                if not isinstance(result, Success):
                    raise RuntimeError(f"together_fn failed: {result!r}")
                count += 1
        return count

    def checked(once: Callable[[], int]) -> Callable[[], float]:
        def measure() -> float:
            counted: list[int] = []
            spent = cpu(lambda: counted.append(once()))
            if counted != [chunks]:
                raise RuntimeError(f"expected {chunks} chunks, got {counted}")
            return spent / chunks

        return measure

    try:
        checked(raw_once)()
        checked(ours_once)()
        measured = best_of(settings.rounds, checked(ours_once), checked(raw_once))
    finally:
        executor.close()
        session.close()
    return [
        ratio_row(f"4. SSE stream, CPU per chunk ({chunks:,} chunks)", measured, 2.0, "us", 1e6)
    ]


# -- 5, 6. decoding ------------------------------------------------------------------------------


def decoding(
    measure: str, data: bytes, cls: Any, reps: int, rounds: int, target: float
) -> list[Row]:
    """CPU per decode: ``decode_json(data, cls)`` against ``json.loads(data)``."""
    first = decode_json(data, cls)
    if not isinstance(first, Success):
        raise RuntimeError(f"{measure}: {first!r}")

    ours = per_call(lambda: decode_json(data, cls), reps)
    raw = per_call(lambda: json.loads(data), reps)
    return [ratio_row(measure, best_of(rounds, ours, raw), target, "ms", 1e3)]


# -- the table -----------------------------------------------------------------------------------


@contextmanager
def server(chunks: int) -> Iterator[int]:
    """Start ``server.py`` in its own process and yield its port."""
    child = subprocess.Popen(
        [sys.executable, str(SERVER), "--chunks", str(chunks), "--timeout", "900"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        child.terminate()
        child.wait(timeout=10)


def table(rows: list[Row]) -> str:
    """A Markdown table (readable as plain text too)."""
    head = ("measure", "together_fn", "raw floor", "ratio", "target", "met")
    cells = [head] + [
        (r.measure, r.ours, r.floor, r.ratio, r.target, {True: "yes", False: "NO", None: ""}[r.met])
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    right = {1, 2, 3}

    def line(cell: tuple[str, ...]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cell, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


MEASURES = ("import", "sync", "async", "stream", "embeddings", "models")


def main(argv: list[str] | None = None) -> int:
    """Run every measure (or profile one) and print the table."""
    parser = argparse.ArgumentParser(description="together_fn against the raw floor.")
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--only", choices=MEASURES, action="append", help="run only these")
    parser.add_argument("--profile", choices=MEASURES[1:], help="cProfile one measure")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    chosen = [args.profile] if args.profile else (args.only or list(MEASURES))
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
        f"{' - QUICK run, small counts' if args.quick else ''}"
    )
    global PROFILER
    PROFILER = cProfile.Profile() if args.profile else None
    rows: list[Row] = []
    with server(settings.stream_chunks) as port:
        config = ClientConfig(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}/v1")
        runs: dict[str, Callable[[], list[Row]]] = {
            "import": lambda: import_time(settings),
            "sync": lambda: sync_chat(settings, config),
            "async": lambda: async_chat(settings, config),
            "stream": lambda: stream_chat(settings, config),
            "embeddings": lambda: decoding(
                "5. decode 256x1024 EmbeddingsResponse",
                embeddings_payload(),
                EmbeddingsResponse,
                settings.embeddings_reps,
                settings.rounds,
                1.3,
            ),
            "models": lambda: decoding(
                "6. decode 200 ModelInfo (/models)",
                models_payload(),
                tuple[ModelInfo, ...],
                settings.models_reps,
                settings.rounds,
                2.5,
            ),
        }
        for name in MEASURES:
            if name in chosen:
                rows.extend(runs[name]())
    print(table(rows))
    if PROFILER is not None:
        print(f"\ncProfile of the together_fn side of {args.profile!r} (by own time):")
        pstats.Stats(PROFILER).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
