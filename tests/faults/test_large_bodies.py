"""Large bodies: a 200 MB answer stays within four times its size in memory, and the optional
``max_response_bytes`` guard turns a longer body into a typed error, never retried."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.executors.loopback import Behaviour, Loopback, Received, Wire, stream
from tests.faults.runners import RUNNERS, Runner, chat_call
from tests.faults.scenarios import CHAT_PATH, COMPLETION, ok
from together_fn.errors import ResponseTooLargeError

MIB = 1024 * 1024
BIG = 200 * MIB
ROOT = Path(__file__).resolve().parents[2]


def huge_completion(content_bytes: int) -> tuple[Behaviour, int]:
    """A chat completion whose text is ``content_bytes`` long, written 1 MiB at a time."""
    head = json.dumps(COMPLETION).encode().split(b'"ok"')
    before, after = head[0] + b'"', b'"' + head[1]
    total = len(before) + content_bytes + len(after)
    piece = b"x" * MIB

    def behave(_: Received, wire: Wire) -> None:
        wire.head(200, [("Content-Type", "application/json"), ("Content-Length", str(total))])
        wire.write(before)
        left = content_bytes
        while left > 0:
            wire.write(piece[: min(MIB, left)])
            left -= MIB
        wire.write(after)

    return behave, total


# Runs in a fresh interpreter so that its peak resident size measures this call alone.
CHILD = """
import asyncio, resource, sys
from tests.faults.runners import Runner, chat_call

def resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()

async def length() -> int:
    outcome = await Runner(name=sys.argv[1], base_url=sys.argv[2], read=30.0).call(
        chat_call(), chat=True
    )
    assert outcome.error is None, str(outcome.error)[:500]
    # Only a number leaves the coroutine: asyncio.run may repr its result.
    return len(outcome.value.choices[0].message.content)

before = resident()
received = asyncio.run(length())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(received, peak - before)
"""


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_200_mb_body_stays_within_four_times_its_size(runner: str, server: Loopback) -> None:
    behaviour, total = huge_completion(BIG)
    server.route(CHAT_PATH, behaviour)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, runner, f"{server.url}/v1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    length, growth = (int(word) for word in done.stdout.split())
    assert length == BIG
    assert growth <= 4 * total, f"{growth / MIB:.0f} MiB for a {total / MIB:.0f} MiB body"


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_body_over_the_limit_is_a_typed_error(
    runner: str, framing: str, server: Loopback
) -> None:
    if framing == "content-length":
        behaviour, _ = huge_completion(2 * MIB)
    else:
        behaviour = stream([b"x" * (256 * 1024)] * 8, content_type="application/json")
    server.route(CHAT_PATH, behaviour, ok())
    performer = Runner(name=runner, base_url=f"{server.url}/v1", max_response_bytes=MIB)
    outcome = await performer.call(chat_call(), chat=True)
    assert isinstance(outcome.error, ResponseTooLargeError), outcome.error
    assert outcome.error.limit == MIB
    assert f"{MIB}-byte limit" in str(outcome.error)
    # Asking again would bring the same body: the guard is never retried.
    assert server.hits(CHAT_PATH) == 1
    assert outcome.sleeps == ()


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
async def test_a_body_within_the_limit_passes(runner: str, server: Loopback) -> None:
    behaviour, total = huge_completion(MIB - 1000)
    server.route(CHAT_PATH, behaviour)
    performer = Runner(name=runner, base_url=f"{server.url}/v1", max_response_bytes=total)
    outcome = await performer.call(chat_call(), chat=True)
    assert outcome.error is None, outcome.error
    assert len(outcome.value.choices[0].message.content) == MIB - 1000
