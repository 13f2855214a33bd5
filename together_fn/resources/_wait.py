"""Waiting from the facade: the ``wait`` methods of namespaces whose jobs run for a while.

They perform :func:`together_fn.executors.wait.wait_for` (or ``await_for``) with the client's
executor and unwrap the result: the finished value, or the error raised (a
:class:`~together_fn.errors.WaitTimeoutError` when time ran out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from together_fn.calls import Call
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.wait import OnPoll, await_for, wait_for
from together_fn.resources._base import AsyncNamespace, Namespace, unwrap_or_raise
from together_fn.wait import WaitPolicy

T = TypeVar("T")


class _HasExecutor(Protocol):
    executor: Executor


class _HasAsyncExecutor(Protocol):
    executor: AsyncExecutor


def wait_sync(
    namespace: Namespace,
    call: Call[T],
    *,
    is_done: Callable[[T], bool],
    policy: WaitPolicy,
    on_poll: OnPoll | None,
) -> T:
    """Poll ``call`` with the namespace's client until ``is_done``; raise on failure."""
    # Both clients keep their executor as a public attribute; Runner only promises run/stream.
    executor = cast(_HasExecutor, namespace._client).executor
    return unwrap_or_raise(
        wait_for(executor, call, is_done=is_done, policy=policy, on_poll=on_poll)
    )


async def wait_async(
    namespace: AsyncNamespace,
    call: Call[T],
    *,
    is_done: Callable[[T], bool],
    policy: WaitPolicy,
    on_poll: OnPoll | None,
) -> T:
    """The async twin of :func:`wait_sync`."""
    executor = cast(_HasAsyncExecutor, namespace._client).executor
    return unwrap_or_raise(
        await await_for(executor, call, is_done=is_done, policy=policy, on_poll=on_poll)
    )
