"""The bulk runner against raw aiohttp doing the same calls, and its memory by input size.

    python -m benchmarks.bulk            # 100,000 chat calls (a few minutes)
    python -m benchmarks.bulk --quick    # 5,000 calls

Both sides send the same small chat requests to the loopback server (``benchmarks/server.py``,
its own process) at concurrency 64. The floor is a bare ``aiohttp`` session: 64 workers
posting each body and parsing each answer, writing nothing. The runner is ``run_bulk`` on the
same input file, writing and fsyncing its output. Each round runs both sides back to back;
throughput is reported as the median of the rounds' ratios (target: >= 0.75x), never asserted.

A second pair of measures uses a server that takes ``--latency`` seconds (default 50 ms) per
answer, as a real API does: then both sides wait on the server rather than on their own CPU.

Peak memory: the runner is run in a fresh process on a small and a large input (the large
one ten times the small one), each reporting its own peak RSS; the two should be close.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from benchmarks.server import MODEL, chat_completion
from together_fn.config import ClientConfig
from together_fn.executors.bulk import run_bulk

SERVER = Path(__file__).resolve().with_name("server.py")
CONCURRENCY = 64
MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Complete this sentence with words, one plus one is equal "},
]


def write_input(path: Path, count: int) -> None:
    """``count`` small chat requests, ids ``q-0`` ... in order."""
    with open(path, "w") as out:
        for n in range(count):
            body = {"model": MODEL, "messages": MESSAGES, "max_tokens": 128}
            out.write(json.dumps({"custom_id": f"q-{n}", "body": body}) + "\n")


async def serve_slowly(latency: float, timeout: float) -> None:
    """The chat answer of ``server.py``, each after ``latency`` seconds (an API's think time)."""
    from aiohttp import web

    completion = json.dumps(chat_completion(), separators=(",", ":")).encode()

    async def chat(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(latency)
        return web.Response(body=completion, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    parent, loop = os.getppid(), asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while loop.time() < deadline and os.getppid() == parent:
            await asyncio.sleep(0.25)
    finally:
        await runner.cleanup()


@contextmanager
def server(latency: float = 0.0) -> Iterator[str]:
    """Start a loopback server in its own process; yield its base URL. Without latency it is
    ``server.py``; with it, :func:`serve_slowly`."""
    command = [sys.executable, str(SERVER), "--timeout", "3600"]
    if latency:
        command = [sys.executable, "-m", "benchmarks.bulk", "--serve-latency", str(latency)]
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        child.terminate()
        child.wait(timeout=10)


async def floor(input_path: Path, base_url: str) -> float:
    """Raw aiohttp: the same bodies from the same file, posted by 64 workers."""
    url = f"{base_url}/chat/completions"
    headers = {"content-type": "application/json", "authorization": "Bearer bench-key"}
    start = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        with open(input_path, "rb") as lines:

            async def worker() -> None:
                for line in lines:  # the workers share one iterator over the file
                    body = json.dumps(json.loads(line)["body"]).encode()
                    async with session.post(url, data=body, headers=headers) as response:
                        json.loads(await response.read())

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - start


async def runner(input_path: Path, output_path: Path, base_url: str) -> float:
    """``run_bulk`` over the same file, into a fresh output."""
    output_path.unlink(missing_ok=True)
    config = ClientConfig(api_key="bench-key", base_url=base_url)
    start = time.perf_counter()
    summary = await run_bulk(input_path, output_path, config=config, concurrency=CONCURRENCY)
    elapsed = time.perf_counter() - start
    if not summary.complete or summary.failed:
        raise RuntimeError(f"the run did not complete: {summary}")
    return elapsed


def peak_rss(count: int, base_url: str, directory: Path) -> float:
    """Run the runner on ``count`` requests in a fresh process; its peak RSS in MiB."""
    code = (
        "import asyncio, resource, sys\n"
        "from pathlib import Path\n"
        "from benchmarks.bulk import runner, write_input\n"
        "d = Path(sys.argv[1]); n = int(sys.argv[2])\n"
        "write_input(d / f'm{n}.jsonl', n)\n"
        "asyncio.run(runner(d / f'm{n}.jsonl', d / f'm{n}.out', sys.argv[3]))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(directory), str(count), base_url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=root,
    )
    kib = int(done.stdout.split()[-1])  # ru_maxrss is in KiB on Linux
    return kib / 1024


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.bulk [--quick] [--count N] [--repeat R]``."""
    parser = argparse.ArgumentParser(description="Bulk runner throughput and memory.")
    parser.add_argument("--quick", action="store_true", help="5,000 calls instead of 100,000")
    parser.add_argument("--count", type=int, help="calls per measure")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each side")
    parser.add_argument("--latency", type=float, default=0.05, help="think time of the 2nd server")
    parser.add_argument("--serve-latency", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_latency is not None:  # the slow server's own process
        asyncio.run(serve_slowly(args.serve_latency, 3600.0))
        return 0
    count = args.count or (5_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as temporary, server() as base_url:
        directory = Path(temporary)
        input_path = directory / "in.jsonl"
        write_input(input_path, count)
        floors, ours = [], []
        for _ in range(args.repeat):
            floors.append(asyncio.run(floor(input_path, base_url)))
            ours.append(asyncio.run(runner(input_path, directory / "out.jsonl", base_url)))
        best_floor, best_ours = min(floors), min(ours)
        small, large = count // 10, count
        memory = {n: peak_rss(n, base_url, directory) for n in (small, large)}
    # An API that takes its time: both sides wait on the server, not on their own CPU.
    slow_count = count // 5
    with tempfile.TemporaryDirectory() as temporary, server(args.latency) as slow_url:
        directory = Path(temporary)
        write_input(directory / "in.jsonl", slow_count)
        slow_floor = min(
            asyncio.run(floor(directory / "in.jsonl", slow_url)) for _ in range(args.repeat)
        )
        slow_ours = min(
            asyncio.run(runner(directory / "in.jsonl", directory / "out.jsonl", slow_url))
            for _ in range(args.repeat)
        )
    # Each repetition runs both sides back to back: the median of their ratios is not swayed
    # by a fast or slow spell of the machine, as the ratio of two best times would be.
    ratio = statistics.median(f / o for f, o in zip(floors, ours, strict=True))
    print(f"bulk: {count} chat calls at concurrency {CONCURRENCY}, {args.repeat} rounds")
    print(f"  raw aiohttp : {best_floor:7.2f} s  {count / best_floor:8.0f} calls/s (best)")
    print(f"  run_bulk    : {best_ours:7.2f} s  {count / best_ours:8.0f} calls/s (best)")
    print(f"  throughput ratio: {ratio:.2f}x of raw aiohttp, median of rounds (target >= 0.75x)")
    print(
        f"  with {args.latency * 1000:g} ms per answer, {slow_count} calls: raw "
        f"{slow_count / slow_floor:.0f} calls/s, run_bulk {slow_count / slow_ours:.0f} calls/s, "
        f"ratio {slow_floor / slow_ours:.2f}x"
    )
    for n, mib in memory.items():
        print(f"  peak RSS, {n:>7} requests: {mib:6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
