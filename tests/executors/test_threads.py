"""What a worker thread opens for a cancelled caller is closed, not leaked."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import IO

import pytest

from together_fn.executors._threads import to_thread_owned


def _closed_soon(handle: IO[bytes]) -> None:
    handle.close()


@pytest.mark.asyncio
async def test_what_a_thread_opens_for_a_cancelled_caller_is_closed(tmp_path: Path) -> None:
    # An upload interrupted while a worker thread opens its next file, or a bulk run stopped
    # while it opens and locks its output, must not leave either open.
    path = tmp_path / "part.bin"
    path.write_bytes(b"x")
    release = threading.Event()
    opened: list[IO[bytes]] = []

    def slow_open(name: str) -> IO[bytes]:
        release.wait(5)
        handle = open(name, "rb")  # noqa: SIM115 - the code under test closes it
        opened.append(handle)
        return handle

    task = asyncio.ensure_future(to_thread_owned(_closed_soon, slow_open, str(path)))
    await asyncio.sleep(0.05)  # the worker thread is now inside slow_open
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    for _ in range(200):
        if opened and opened[0].closed:
            break
        await asyncio.sleep(0.01)
    (handle,) = opened
    assert handle.closed


@pytest.mark.asyncio
async def test_a_result_is_the_callers_and_a_failure_is_raised(tmp_path: Path) -> None:
    path = tmp_path / "part.bin"
    path.write_bytes(b"data")

    def read(name: str) -> IO[bytes]:
        return open(name, "rb")

    with await to_thread_owned(_closed_soon, read, str(path)) as handle:
        assert handle.read() == b"data"
    with pytest.raises(FileNotFoundError):
        await to_thread_owned(_closed_soon, read, str(tmp_path / "missing"))
