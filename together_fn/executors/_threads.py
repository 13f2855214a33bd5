"""Work handed to a worker thread whose result must not leak if the caller is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


async def to_thread_owned(close: Callable[[R], object], work: Callable[..., R], *args: Any) -> R:
    """``await asyncio.to_thread(work, *args)``, for work that opens something (a file, a
    locked descriptor) the caller must close.

    A cancelled ``to_thread`` leaves its thread running: what it opens would then be left to
    the garbage collector, or never closed at all. Here the thread's work is shielded, and
    if the caller is cancelled meanwhile, ``close`` is applied to its result once it exists.
    """
    working: asyncio.Future[R] = asyncio.ensure_future(asyncio.to_thread(work, *args))
    try:
        return await asyncio.shield(working)
    except asyncio.CancelledError:
        working.add_done_callback(lambda done: _close_result(done, close))
        raise


def _close_result(done: asyncio.Future[R], close: Callable[[R], object]) -> None:
    if not done.cancelled() and done.exception() is None:
        close(done.result())
